/**
 * A callback that sets props of a component that is not one of its outputs (ctx.setProps);
 * another callback listens to that component, so the side update must notify it.
 */
import { type CallbackContext, Dash, html, Input, Output } from '../../src/index.ts';

export const app = new Dash({ title: 'setProps' });

app.layout = html.Div({
  children: [
    html.Button({ id: 'go', children: 'go', n_clicks: 0 }),
    html.Div({ id: 'result', children: 'no result' }),
    html.Div({ id: 'side', children: 'side untouched' }),
    html.Div({ id: 'side-echo', children: 'no echo' }),
  ],
});

app.callback(
  { output: Output('result', 'children'), inputs: [Input('go', 'n_clicks')], preventInitialCall: true },
  (clicks: number, ctx: CallbackContext) => {
    ctx.setProps('side', { children: `side set by click ${clicks}`, title: `title ${clicks}` });
    return `result ${clicks}`;
  },
);

app.callback(
  { output: Output('side-echo', 'children'), inputs: [Input('side', 'children')], preventInitialCall: true },
  (side: string) => `echo of ${side}`,
);
