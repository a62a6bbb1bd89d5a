/** A layout given as a function: rebuilt for every page load. */
import { Dash, html } from '../../src/index.ts';

export const app = new Dash({ title: 'layout function' });

let loads = 0;

app.layout = () => {
  loads += 1;
  return html.Div({
    children: [
      html.H1({ children: 'layout function' }),
      html.Div({ id: 'load', children: `page load ${loads}` }),
    ],
  });
};
