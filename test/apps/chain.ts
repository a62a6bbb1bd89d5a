/** A callback chain: typing into an input updates div A, and A's change updates div B. */
import { Dash, dcc, html, Input, Output } from '../../src/index.ts';

export const app = new Dash({ title: 'chain' });

app.layout = html.Div({
  children: [
    dcc.Input({ id: 'text', type: 'text', value: '' }),
    html.Div({ id: 'a' }),
    html.Div({ id: 'b' }),
  ],
});

app.callback(
  { output: Output('a', 'children'), inputs: [Input('text', 'value')] },
  (text: string | null) => `A:${text ?? ''}`,
);

app.callback(
  { output: Output('b', 'children'), inputs: [Input('a', 'children')] },
  (a: string | null) => `B:${a ?? ''}`,
);
