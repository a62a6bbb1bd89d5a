/**
 * The jobs API's fixture (test/protocol/jobs-api*.test.ts): a jobs monitor with its token, a
 * page may hold 2 unfinished jobs, one job slot. The manager is a BullMQManager when
 * DASH_TS_TEST_REDIS is set (its `dash-ts worker` imports this module too), else an
 * SqliteManager on DASH_TS_TEST_DB. `wait` writes `<label> aborted` to DASH_TS_TEST_RUNS when
 * its signal fires.
 */
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { BullMQManager } from '../../src/background/bullmq/index.ts';
import { type CallbackContext, Dash, html, Input, Output, SqliteManager, State } from '../../src/index.ts';

const redis = process.env.DASH_TS_TEST_REDIS;

export const app = new Dash({
  backgroundManager: redis
    ? new BullMQManager({ connection: redis, queueName: process.env.DASH_TS_TEST_QUEUE ?? 'jobs-api' })
    : new SqliteManager({ path: process.env.DASH_TS_TEST_DB, workers: 1 }),
  backgroundLimits: { perPage: 2, queued: 100 },
  jobsMonitor: { token: 'jobs-api-token' },
});
app.layout = html.Div({ children: [html.Div({ id: 'square-out' }), html.Div({ id: 'wait-out' })] });

app.callback(
  {
    description: 'Squares n, reporting each step as progress',
    background: true,
    output: Output('square-out', 'children'),
    inputs: [Input('n', 'value')],
    state: [State('offset', 'value')],
    progress: Output('square-progress', 'children'),
  },
  async function square(n: number, offset: number | null, ctx: CallbackContext) {
    for (let step = 1; step <= 3; step++) {
      ctx.setProgress(`step ${step}`);
      await sleep(100);
    }
    if (typeof n !== 'number') throw new Error(`n must be a number, got ${JSON.stringify(n)}`);
    return n * n + (offset ?? 0);
  },
);

app.callback(
  {
    name: 'wait',
    background: true,
    output: Output('wait-out', 'children'),
    inputs: { ms: Input('ms', 'value'), label: Input('label', 'value') },
  },
  async ({ ms, label }: { ms: number; label: string }, ctx: CallbackContext) => {
    ctx.signal.addEventListener('abort', () =>
      appendFileSync(process.env.DASH_TS_TEST_RUNS!, `${label} aborted\n`),
    );
    await sleep(ms, undefined, { signal: ctx.signal });
    return `waited ${ms}`;
  },
);

/** An ordinary callback: it has no jobs. */
app.callback(
  { output: Output('plain-out', 'children'), inputs: [Input('plain', 'value')] },
  function plain(value: unknown) {
    return value;
  },
);
