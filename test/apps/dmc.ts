/** dash_mantine_components: components inside its MantineProvider, a callback, and a lazily loaded chunk. */
import { Dash, Input, Output } from '../../src/index.ts';
import * as dmc from './components/dash_mantine_components.ts';

export const app = new Dash({ title: 'dmc' });

app.layout = dmc.MantineProvider({
  children: dmc.Container({
    children: [
      dmc.Title({ id: 'title', order: 2, children: 'Mantine in dash-ts' }),
      dmc.TextInput({ id: 'name', label: 'Name', value: 'Ada' }),
      dmc.Button({ id: 'greet', children: 'Greet', n_clicks: 0 }),
      dmc.Text({ id: 'greeting', children: 'not yet' }),
      // CodeHighlight lives in the async-CodeHighlight chunk, fetched only when rendered.
      dmc.CodeHighlight({ id: 'code', code: 'const answer = 42;', language: 'tsx' }),
    ],
  }),
});

app.callback(
  {
    output: Output('greeting', 'children'),
    inputs: [Input('greet', 'n_clicks'), Input('name', 'value')],
    preventInitialCall: true,
  },
  (clicks: number, name: string) => `Hello ${name} (${clicks})`,
);
