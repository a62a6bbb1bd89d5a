/**
 * Served by several `dash-ts run` processes at once in test/fault: they share the SQLite store
 * named by DASH_TS_TEST_DB (and so the signing secret and the job queue).
 */
import { type CallbackContext, Dash, html, Input, Output, SqliteManager } from '../../src/index.ts';

export const app = new Dash({
  backgroundManager: new SqliteManager({ path: process.env.DASH_TS_TEST_DB, workers: 1 }),
});

app.layout = html.Div({ id: 'root' });

app.callback(
  {
    background: true,
    output: Output('slow', 'children'),
    inputs: [Input('slow-in', 'value')],
    progress: Output('slow-progress', 'children'),
    cancel: Input('slow-cancel', 'n_clicks'),
    interval: 100,
    // A started job whose server died runs again only when asked (test: "a server restarted mid-job").
    retry: { attempts: 2, backoff: 0, onLost: true },
  },
  async (ms: number, ctx: CallbackContext) => {
    const steps = 10;
    for (let i = 1; i <= steps; i++) {
      await new Promise((r) => setTimeout(r, ms / steps));
      ctx.setProgress(`${i}/${steps} in ${process.pid}`);
    }
    return `slept ${ms} ms`;
  },
);
