/**
 * backgroundLimits with no app-level onError (test/protocol/background-limits.test.ts): a refused
 * start of `hold` is a 429; `handled` has its own onError, which still gets the refusal. A page
 * may hold 2 unfinished jobs. Its workers import this module too, so the store path comes from
 * the environment.
 */
import { Dash, html, Input, MATCH, Output, SqliteManager } from '../../src/index.ts';

export const app = new Dash({
  backgroundManager: new SqliteManager({ path: process.env.DASH_TS_TEST_DB_429, workers: 2 }),
  backgroundLimits: { perPage: 2, queued: 100 },
});
app.layout = html.Div({ id: 'root' });

const hold = async (ms: number) => {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return `held ${ms}`;
};

app.callback(
  {
    background: true,
    output: Output({ type: 'hold', index: MATCH }, 'children'),
    inputs: [Input({ type: 'hold-in', index: MATCH }, 'value')],
    interval: 100,
  },
  hold,
);

app.callback(
  {
    background: true,
    output: Output('handled', 'children'),
    inputs: [Input('handled-in', 'value')],
    interval: 100,
    onError: (error) => `handled: ${error.message}`,
  },
  hold,
);
