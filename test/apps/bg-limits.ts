/**
 * backgroundLimits over HTTP (test/protocol/background-limits.test.ts): a page may hold 3
 * unfinished jobs, the store 4 waiting ones. The callback's outputs are a MATCH pattern: a page
 * holds several jobs of it only for different items (a newer call of the same item supersedes). Its workers import this module too, so the store
 * path comes from the environment.
 */
import { Dash, html, Input, MATCH, Output, SqliteManager } from '../../src/index.ts';

export const app = new Dash({
  backgroundManager: new SqliteManager({ path: process.env.DASH_TS_TEST_DB, workers: 2 }),
  backgroundLimits: { perPage: 3, queued: 4 },
  onError: (error) => `refused: ${error.message}`,
});
app.layout = html.Div({ id: 'root' });

/** Works for `ms`, then answers. */
app.callback(
  {
    background: true,
    output: Output({ type: 'hold', index: MATCH }, 'children'),
    inputs: [Input({ type: 'hold-in', index: MATCH }, 'value')],
    interval: 100,
  },
  async (ms: number) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return `held ${ms}`;
  },
);
