/**
 * An app with the jobs monitor on, for the monitor's tests: background callbacks that succeed,
 * fail, crash their worker process, run long (with running state and a cancel button) and time
 * out. The manager is an SqliteManager at $DASH_TS_TEST_DB.monitor, or a BullMQManager when
 * DASH_TS_TEST_REDIS is set (see bg-support.ts). Token: $DASH_TS_TEST_MONITOR_TOKEN.
 */
import { Dash, dcc, html, Input, Output } from '../../src/index.ts';
import { fixtureManager, sleep } from './bg-support.ts';

export const MONITOR_TOKEN = process.env.DASH_TS_TEST_MONITOR_TOKEN ?? 'monitor-test-token-0123456789';

export const app = new Dash({
  title: 'monitored app',
  backgroundManager: fixtureManager('monitor'),
  jobsMonitor: { token: MONITOR_TOKEN, refreshMs: 500 },
});

app.layout = html.Div({
  children: [
    html.Button({ id: 'run-slow', children: 'Run slow job' }),
    html.Button({ id: 'cancel-slow', children: 'Cancel' }),
    html.Div({ id: 'slow-status', children: 'Not running' }),
    html.Div({ id: 'slow-result', children: 'No result yet' }),
    ...['quick-in', 'fail-in', 'crash-in', 'timeout-in'].map((id) => dcc.Input({ id, type: 'text' })),
    html.Div({ id: 'quick-result' }),
    html.Div({ id: 'fail-result' }),
    html.Div({ id: 'crash-result' }),
    html.Div({ id: 'timeout-result' }),
  ],
});

/** Runs for `seconds` (default 60), cooperatively: a cancel ends it at once. */
app.callback(
  {
    background: true,
    output: Output('slow-result', 'children'),
    inputs: [Input('run-slow', 'n_clicks')],
    preventInitialCall: true,
    running: [[Output('slow-status', 'children'), 'Running…', 'Not running']],
    cancel: [Input('cancel-slow', 'n_clicks')],
    interval: 200,
  },
  async (clicks: number | null, ctx) => {
    const seconds = typeof clicks === 'number' && clicks > 1000 ? clicks / 1000 : 60;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, seconds * 1000);
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return `slow job finished after ${seconds} s`;
  },
);

app.callback(
  {
    background: true,
    output: Output('quick-result', 'children'),
    inputs: [Input('quick-in', 'value')],
    preventInitialCall: true,
  },
  async (value: unknown) => {
    await sleep(5);
    return `quick ${String(value)}`;
  },
);

app.callback(
  {
    background: true,
    output: Output('fail-result', 'children'),
    inputs: [Input('fail-in', 'value')],
    preventInitialCall: true,
  },
  () => {
    throw new Error('monitored job failed on purpose');
  },
);

/** Kills the process running it: a pool worker process, or a dash-ts worker's job process. */
app.callback(
  {
    background: true,
    output: Output('crash-result', 'children'),
    inputs: [Input('crash-in', 'value')],
    preventInitialCall: true,
  },
  () => {
    process.kill(process.pid, 'SIGKILL');
  },
);

app.callback(
  {
    background: true,
    output: Output('timeout-result', 'children'),
    inputs: [Input('timeout-in', 'value')],
    preventInitialCall: true,
    timeout: 0.5,
  },
  async () => {
    await sleep(30_000);
    return 'never';
  },
);
