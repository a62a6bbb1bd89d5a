/**
 * An app for the host features around callbacks: `ctx.response` (ordinary and background) and
 * the health endpoint. Its workers import this module too, so the store path comes from the
 * environment they inherit.
 */
import { Dash, html, Input, Output, PreventUpdate, SqliteManager } from '../../src/index.ts';

export const app = new Dash({
  backgroundManager: new SqliteManager({ path: process.env.DASH_TS_TEST_DB, workers: 1 }),
});

app.layout = html.Div({ id: 'root' });

app.callback(
  { output: Output('login', 'children'), inputs: [Input('user', 'value')] },
  (user: string, ctx) => {
    ctx.response.setCookie('session', `user=${user}`, { httpOnly: true, sameSite: 'Lax', maxAge: 3600 });
    ctx.response.setCookie('theme', 'dark');
    ctx.response.setHeader('Cache-Control', 'private, no-store');
    ctx.response.appendHeader('X-Trace', 'a');
    ctx.response.appendHeader('X-Trace', 'b');
    const before = ctx.cookies.session;
    return before ? `hello ${user} (was ${before})` : `hello ${user}`;
  },
);

app.callback(
  { output: Output('logout', 'children'), inputs: [Input('bye', 'n_clicks')] },
  (_n: number, ctx) => {
    ctx.response.deleteCookie('session');
    throw new PreventUpdate();
  },
);

app.callback({ output: Output('broken', 'children'), inputs: [Input('b', 'value')] }, (_v: unknown, ctx) => {
  ctx.response.setCookie('lost', 'yes');
  throw new Error('the callback failed after setting a cookie');
});

app.callback({ output: Output('injected', 'children'), inputs: [Input('i', 'value')] }, (v: string, ctx) => {
  ctx.response.setHeader('X-Echo', v);
  return 'unreachable when v holds a newline';
});

app.callback(
  {
    output: Output('recovered', 'children'),
    inputs: [Input('r', 'value')],
    onError: (error, ctx) => {
      ctx.response.setCookie('recovered', 'yes');
      return `recovered from ${error.message}`;
    },
  },
  () => {
    throw new Error('boom');
  },
);

app.callback(
  {
    output: Output('bg-out', 'children'),
    inputs: [Input('bg-in', 'value')],
    background: true,
    onError: (error) => `${error.message}`,
  },
  (_v: unknown, ctx) => {
    ctx.response.setCookie('from-job', 'no');
    return 'unreachable';
  },
);
