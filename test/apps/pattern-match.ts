/**
 * Each added row has its own text input and echo div with pattern ids; a MATCH callback
 * echoes each input into its own row's div only.
 */
import {
  type CallbackContext,
  type Children,
  Dash,
  dcc,
  html,
  Input,
  MATCH,
  Output,
  State,
} from '../../src/index.ts';

export const app = new Dash({ title: 'pattern MATCH' });

app.layout = html.Div({
  children: [
    html.Button({ id: 'add', children: 'add row', n_clicks: 0 }),
    html.Div({ id: 'rows', children: [] }),
  ],
});

app.callback(
  {
    output: Output('rows', 'children'),
    inputs: [Input('add', 'n_clicks')],
    state: [State('rows', 'children')],
    preventInitialCall: true,
  },
  (clicks: number, rows: Children) => {
    const existing = Array.isArray(rows) ? rows : rows == null ? [] : [rows];
    const row = html.Div({
      children: [
        dcc.Input({ id: { type: 'text', index: clicks }, type: 'text', value: '' }),
        html.Div({ id: { type: 'echo', index: clicks } }),
      ],
    });
    return [...existing, row];
  },
);

app.callback(
  {
    output: Output({ type: 'echo', index: MATCH }, 'children'),
    inputs: [Input({ type: 'text', index: MATCH }, 'value')],
  },
  (value: string | null, ctx: CallbackContext) => {
    const entry = ctx.inputsList[0];
    const id = Array.isArray(entry) ? undefined : entry?.id;
    const index = typeof id === 'object' ? id.index : '?';
    return `row ${index}: ${value ?? ''}`;
  },
);
