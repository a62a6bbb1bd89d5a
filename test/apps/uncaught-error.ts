/** A callback that throws with no onError handler anywhere, next to one that works. */
import { Dash, html, Input, Output } from '../../src/index.ts';

export const app = new Dash({ title: 'uncaught error' });

app.layout = html.Div({
  children: [
    html.Button({ id: 'boom', children: 'boom', n_clicks: 0 }),
    html.Div({ id: 'boom-out', children: 'boom not clicked' }),
    html.Button({ id: 'ok', children: 'ok', n_clicks: 0 }),
    html.Div({ id: 'ok-out', children: 'ok not clicked' }),
  ],
});

app.callback(
  { output: Output('boom-out', 'children'), inputs: [Input('boom', 'n_clicks')], preventInitialCall: true },
  (clicks: number) => {
    throw new Error(`uncaught kaboom ${clicks}`);
  },
);

app.callback(
  { output: Output('ok-out', 'children'), inputs: [Input('ok', 'n_clicks')], preventInitialCall: true },
  (clicks: number) => `ok ${clicks}`,
);
