/** A callback that raises PreventUpdate on odd clicks and updates its output on even ones. */
import { Dash, html, Input, Output, PreventUpdate } from '../../src/index.ts';

export const app = new Dash({ title: 'prevent-update' });

app.layout = html.Div({
  children: [
    html.Button({ id: 'btn', children: 'click', n_clicks: 0 }),
    html.Div({ id: 'out', children: 'not called yet' }),
    html.Div({ id: 'clicks', children: 'clicks: 0' }),
  ],
});

app.callback({ output: Output('out', 'children'), inputs: [Input('btn', 'n_clicks')] }, (clicks: number) => {
  if (clicks % 2 === 1) throw new PreventUpdate();
  return `even click ${clicks}`;
});

// Counts every click, so a test can tell that an odd click did reach the server.
app.callback(
  { output: Output('clicks', 'children'), inputs: [Input('btn', 'n_clicks')], preventInitialCall: true },
  (clicks: number) => `clicks: ${clicks}`,
);
