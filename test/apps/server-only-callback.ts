/**
 * An app whose background callback is registered in the server only, never in a worker (its
 * registration sits behind a check of the runtime mode): the server and its pool workers disagree
 * on the job functions, as they would with different versions of the app module.
 */
import { runtimeMode } from '../../src/app-module/runtime.ts';
import { Dash, html, Input, Output } from '../../src/index.ts';

export const app = new Dash({ title: 'server-only callback' });
app.layout = html.Div({ children: [html.Button({ id: 'go', n_clicks: 0 }), html.Div({ id: 'out' })] });

if (runtimeMode().kind !== 'worker') {
  app.callback(
    { background: true, output: Output('out', 'children'), inputs: [Input('go', 'n_clicks')] },
    (clicks: number) => `clicked ${clicks}`,
  );
}
