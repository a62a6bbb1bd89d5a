/**
 * whenPageLeaves and supersede (test/protocol/page-leave*.test.ts, test/e2e/page-leave.test.ts).
 * Each job appends how it ended to $DASH_TS_TEST_RUNS (`<label> completed` or `<label> aborted`),
 * so a test can tell a job cancelled because its page left from one that ran to its end. The
 * manager comes from the environment (test/apps/bg-support.ts): SqliteManager, or BullMQManager
 * when DASH_TS_TEST_REDIS is set (its `dash-ts worker`s import this module too).
 */
import { appendFileSync } from 'node:fs';
import { type CallbackContext, Dash, dcc, html, Input, Output } from '../../src/index.ts';
import { fixtureManager, sleep } from './bg-support.ts';

// A cancelled job is given 2 s to notice its signal before its process is killed: the tests tell
// "cancelled" from "ran to its end" by the line the job writes when it notices, and on a loaded
// machine the default 50 ms can pass before the job is scheduled at all.
export const app = new Dash({
  backgroundManager: fixtureManager('leave', { workers: 3, cancelGraceMs: 2000 }),
});
app.layout = html.Div({
  children: [
    html.Button({ id: 'leave-in', children: 'start' }),
    html.Div({ id: 'leave-out' }),
    html.Div({ id: 'leave-pid' }),
    // The other callbacks' components, which only the protocol tests call.
    dcc.Input({ id: 'stay-in' }),
    html.Div({ id: 'stay-out' }),
    dcc.Input({ id: 'keep-in' }),
    html.Div({ id: 'keep-out' }),
  ],
});

function ran(label: string, how: string): void {
  if (process.env.DASH_TS_TEST_RUNS) appendFileSync(process.env.DASH_TS_TEST_RUNS, `${label} ${how}\n`);
}

/**
 * Burns CPU in 20 ms slices until its signal aborts or `ms` have passed: a job whose process is
 * busy exactly as long as it runs.
 */
async function burn(label: string, ms: number, ctx: CallbackContext): Promise<string> {
  ctx.setProps('leave-pid', { children: String(process.pid) });
  const end = Date.now() + ms;
  while (!ctx.signal.aborted && Date.now() < end) {
    const slice = Date.now() + 20;
    while (Date.now() < slice) {}
    await sleep(1);
  }
  const how = ctx.signal.aborted ? 'aborted' : 'completed';
  ran(label, how);
  return `${label} ${how}`;
}

/**
 * Cancelled when its page stops polling. Runs 12 s for a label, 30 s for a click (the browser
 * test keeps its tab open a while before closing it).
 */
app.callback(
  {
    background: true,
    output: Output('leave-out', 'children'),
    inputs: [Input('leave-in', 'n_clicks')],
    whenPageLeaves: 'cancel',
    interval: 100,
    preventInitialCall: true,
  },
  (clicks: number | string, ctx: CallbackContext) =>
    typeof clicks === 'string' ? burn(clicks, 12_000, ctx) : burn(`click-${clicks}`, 30_000, ctx),
);

/** The default ('finish'): runs to its end whoever watches. */
app.callback(
  {
    background: true,
    output: Output('stay-out', 'children'),
    inputs: [Input('stay-in', 'value')],
    interval: 100,
    preventInitialCall: true,
  },
  (label: string, ctx: CallbackContext) => burn(label, 9000, ctx),
);

/** supersede: false: a newer call leaves the older job running; it writes its end. */
app.callback(
  {
    background: true,
    output: Output('keep-out', 'children'),
    inputs: [Input('keep-in', 'value')],
    supersede: false,
    interval: 100,
    preventInitialCall: true,
  },
  async (label: string, ctx: CallbackContext) => {
    ran(label, 'started');
    for (let waited = 0; waited < 1500 && !ctx.signal.aborted; waited += 25) await sleep(25);
    const how = ctx.signal.aborted ? 'aborted' : 'completed';
    ran(label, how);
    return `${label} ${how}`;
  },
);
