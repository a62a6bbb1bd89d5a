/** A three-output callback that updates the first and last outputs and returns noUpdate for the middle one. */
import { Dash, html, Input, noUpdate, Output } from '../../src/index.ts';

export const app = new Dash({ title: 'no-update' });

app.layout = html.Div({
  children: [
    html.Button({ id: 'go', children: 'go', n_clicks: 0 }),
    html.Div({ id: 'first', children: 'first: initial' }),
    html.Div({ id: 'second', children: 'second: initial' }),
    html.Div({ id: 'third', children: 'third: initial' }),
  ],
});

app.callback(
  {
    output: [Output('first', 'children'), Output('second', 'children'), Output('third', 'children')],
    inputs: [Input('go', 'n_clicks')],
    preventInitialCall: true,
  },
  (clicks: number) => [`first: ${clicks}`, noUpdate, `third: ${clicks}`],
);
