/**
 * Identity (issue 18, item 1; test/protocol/identity.test.ts): `app` keeps the default anonymous
 * session (signed with its SqliteManager's shared secret); an ordinary and a background callback
 * answer with ctx.user (test/e2e/identity.test.ts shows them in Chromium: both run at page load).
 * `identified` names its users from the X-User header. Its workers import this module too, so the
 * store path comes from the environment.
 */

import type { CallbackContext } from '../../src/index.ts';
import { Dash, html, Input, Output, SqliteManager } from '../../src/index.ts';

const who = (_clicks: unknown, ctx: CallbackContext) => ctx.user ?? 'nobody';

export const app = new Dash({
  backgroundManager: new SqliteManager({ path: process.env.DASH_TS_TEST_DB, workers: 1 }),
  trustProxy: true,
});
app.layout = html.Div({
  id: 'root',
  children: [
    html.Button({ id: 'ask', children: 'Who am I?' }),
    html.Div({ id: 'who' }),
    html.Button({ id: 'bg-ask', children: 'Who am I, in a job?' }),
    html.Div({ id: 'bg-who' }),
  ],
});
app.callback({ output: Output('who', 'children'), inputs: [Input('ask', 'n_clicks')] }, who);
app.callback(
  {
    background: true,
    output: Output('bg-who', 'children'),
    inputs: [Input('bg-ask', 'n_clicks')],
    interval: 100,
  },
  who,
);

export const identified = new Dash({
  identify: (request) => request.headers.get('X-User') ?? undefined,
  secret: 'identity test secret',
});
identified.layout = html.Div({ id: 'root' });
identified.callback({ output: Output('who', 'children'), inputs: [Input('ask', 'n_clicks')] }, who);
