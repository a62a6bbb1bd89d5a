/**
 * Cancel and supersede before the browser knows the job's id (test/protocol/cancel-before-handle*.test.ts):
 * `work` runs for `ms` unless its signal aborts, and appends how each run ended to
 * $DASH_TS_TEST_RUNS, so a test can tell a stopped job from one that ran on unseen. The manager
 * comes from the environment (test/apps/bg-support.ts): SqliteManager, or BullMQManager when
 * DASH_TS_TEST_REDIS is set (its `dash-ts worker`s import this module too).
 */
import { appendFileSync } from 'node:fs';
import { type CallbackContext, Dash, html, Input, Output } from '../../src/index.ts';
import { fixtureManager, sleep } from './bg-support.ts';

export const app = new Dash({ backgroundManager: fixtureManager('quick-cancel', { workers: 2 }) });
app.layout = html.Div({ id: 'root' });

app.callback(
  {
    background: true,
    output: Output('work-out', 'children'),
    inputs: [Input('work-in', 'value')],
    cancel: [Input('work-cancel', 'n_clicks')],
    interval: 100,
  },
  async (label: string, ctx: CallbackContext) => {
    const ms = 1500;
    for (let waited = 0; waited < ms && !ctx.signal.aborted; waited += 25) await sleep(25);
    const ended = ctx.signal.aborted ? 'aborted' : 'completed';
    if (process.env.DASH_TS_TEST_RUNS) appendFileSync(process.env.DASH_TS_TEST_RUNS, `${label} ${ended}\n`);
    return `${label} ${ended}`;
  },
);

/** Another callback with its own cancel input: its cancel must not touch `work`. */
app.callback(
  {
    background: true,
    output: Output('other-out', 'children'),
    inputs: [Input('other-in', 'value')],
    cancel: [Input('other-cancel', 'n_clicks')],
    interval: 100,
  },
  (value: string) => value,
);
