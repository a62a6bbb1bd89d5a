/** An app module that imports a sibling TypeScript module (for the CLI tests). */
import { Dash, html } from '../../src/index.ts';
import { FRUITS, SIBLING_TITLE } from './sibling-data.ts';

export const app = new Dash({ title: SIBLING_TITLE });

app.layout = html.Div({
  children: [
    html.H1({ id: 'heading', children: SIBLING_TITLE }),
    html.Ul({ id: 'fruits', children: FRUITS.map((f) => html.Li({ children: `${f.name} (${f.colour})` })) }),
  ],
});
