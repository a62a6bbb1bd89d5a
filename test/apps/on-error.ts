/** An app-level onError handler: its return value becomes the output of the callback that threw. */
import { type CallbackContext, Dash, html, Input, Output } from '../../src/index.ts';

export const app = new Dash({
  title: 'onError',
  onError: (error: Error, ctx: CallbackContext) => {
    ctx.setProps('log', { children: `logged: ${error.message}` });
    return `handled: ${error.message}`;
  },
});

app.layout = html.Div({
  children: [
    html.Button({ id: 'boom', children: 'boom', n_clicks: 0 }),
    html.Div({ id: 'out', children: 'nothing yet' }),
    html.Div({ id: 'log', children: 'no log' }),
  ],
});

app.callback(
  { output: Output('out', 'children'), inputs: [Input('boom', 'n_clicks')], preventInitialCall: true },
  (clicks: number) => {
    throw new Error(`kaboom ${clicks}`);
  },
);
