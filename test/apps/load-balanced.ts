/**
 * Served by two `dash-ts run` processes behind nginx (test/e2e/load-balancer.test.ts): progress,
 * ctx.setProps, a running state, cancel, a retried job and a result, with polls landing on either
 * server. The manager comes from the environment, the same in every server and worker process:
 * BullMQManager on DASH_TS_TEST_REDIS (its `dash-ts worker`s run the jobs), else SqliteManager on
 * the store file DASH_TS_TEST_DB that both servers share.
 */
import {
  BullMQManager,
  type CallbackContext,
  Dash,
  html,
  Input,
  Output,
  SqliteManager,
} from '../../src/index.ts';

const redis = process.env.DASH_TS_TEST_REDIS;
export const app = new Dash({
  title: 'load balanced',
  backgroundManager: redis
    ? new BullMQManager({ connection: redis, queueName: 'load-balanced' })
    : new SqliteManager({ path: process.env.DASH_TS_TEST_DB, workers: 1 }),
});

app.layout = html.Div({
  children: [
    html.Button({ id: 'run', children: 'Run' }),
    html.Button({ id: 'cancel', children: 'Cancel' }),
    html.Div({ id: 'progress', children: 'idle' }),
    html.Div({ id: 'side', children: 'no side update' }),
    html.Div({ id: 'result', children: 'no result' }),
    html.Button({ id: 'flaky', children: 'Flaky' }),
    html.Div({ id: 'flaky-result', children: 'not run' }),
  ],
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Twelve steps of 150 ms: long enough for a dozen polls at interval 100, alternating servers. */
app.callback(
  {
    background: true,
    output: Output('result', 'children'),
    inputs: [Input('run', 'n_clicks')],
    progress: Output('progress', 'children'),
    progressDefault: 'idle',
    running: [[Output('run', 'disabled'), true, false]],
    cancel: Input('cancel', 'n_clicks'),
    preventInitialCall: true,
    interval: 100,
  },
  async (clicks: number, ctx: CallbackContext) => {
    for (let step = 1; step <= 12 && !ctx.signal.aborted; step++) {
      ctx.setProgress(`step ${step}/12`);
      if (step === 3) ctx.setProps('side', { children: `side update from run ${clicks}` });
      await sleep(150);
    }
    return `done ${clicks}`;
  },
);

/** Fails its first try; `retry` runs it again, on whichever worker takes it. */
app.callback(
  {
    background: true,
    output: Output('flaky-result', 'children'),
    inputs: [Input('flaky', 'n_clicks')],
    preventInitialCall: true,
    interval: 100,
    retry: { attempts: 2, backoff: 0.2 },
  },
  async (_clicks: number, ctx: CallbackContext) => {
    await sleep(300);
    if (ctx.attempt === 1) throw new Error('first try fails');
    return `ok on try ${ctx.attempt}`;
  },
);
