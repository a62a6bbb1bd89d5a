/**
 * An "add item" button appends numeric inputs with pattern ids `{type: 'item', index: n}`;
 * an ALL callback shows the sum of their values.
 */
import { ALL, type Children, Dash, dcc, html, Input, Output, State } from '../../src/index.ts';

export const app = new Dash({ title: 'pattern ALL' });

app.layout = html.Div({
  children: [
    html.Button({ id: 'add', children: 'add item', n_clicks: 0 }),
    html.Div({ id: 'items', children: [] }),
    html.Div({ id: 'sum' }),
  ],
});

app.callback(
  {
    output: Output('items', 'children'),
    inputs: [Input('add', 'n_clicks')],
    state: [State('items', 'children')],
    preventInitialCall: true,
  },
  (clicks: number, items: Children) => {
    const existing = Array.isArray(items) ? items : items == null ? [] : [items];
    return [...existing, dcc.Input({ id: { type: 'item', index: clicks }, type: 'number', value: clicks })];
  },
);

app.callback(
  { output: Output('sum', 'children'), inputs: [Input({ type: 'item', index: ALL }, 'value')] },
  (values: unknown[]) => {
    const total = values.reduce<number>((sum, v) => sum + (typeof v === 'number' ? v : 0), 0);
    return `sum: ${total} of ${values.length}`;
  },
);
