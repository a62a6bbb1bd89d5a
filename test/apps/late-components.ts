/**
 * Components that appear later: a callback whose input and output live in content that another
 * callback adds. Needs suppressCallbackExceptions, as in Dash.
 */
import { Dash, dcc, html, Input, Output } from '../../src/index.ts';

export const app = new Dash({ title: 'late components', suppressCallbackExceptions: true });

app.layout = html.Div({
  children: [
    html.Button({ id: 'reveal', children: 'reveal', n_clicks: 0 }),
    html.Div({ id: 'slot', children: 'nothing here yet' }),
  ],
});

app.callback(
  { output: Output('slot', 'children'), inputs: [Input('reveal', 'n_clicks')], preventInitialCall: true },
  () => [dcc.Input({ id: 'late-input', type: 'text', value: '' }), html.Div({ id: 'late-output' })],
);

app.callback(
  { output: Output('late-output', 'children'), inputs: [Input('late-input', 'value')] },
  (value: string | null) => `late: ${value ?? ''}`,
);
