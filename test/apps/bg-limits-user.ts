/**
 * backgroundLimits.perUser (test/protocol/background-limits-user.test.ts): a user (the X-User
 * header, through identify) may hold 2 unfinished jobs from all their page loads; a page 10. A
 * refused start of `hold` is a 429; `handled` has its own onError, which gets the refusal. Its
 * workers import this module too, so the store path comes from the environment.
 */
import { Dash, html, Input, MATCH, Output, SqliteManager } from '../../src/index.ts';

export const app = new Dash({
  backgroundManager: new SqliteManager({ path: process.env.DASH_TS_TEST_DB_USER, workers: 2 }),
  backgroundLimits: { perPage: 10, perUser: 2 },
  identify: (request) => request.headers.get('X-User') ?? undefined,
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
