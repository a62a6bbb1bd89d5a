/** A slow async callback whose `running` option disables its button while it runs. */
import { Dash, html, Input, Output } from '../../src/index.ts';

export const SLOW_MS = 1500;

export const app = new Dash({ title: 'running' });

app.layout = html.Div({
  children: [
    html.Button({ id: 'run', children: 'run', n_clicks: 0 }),
    html.Div({ id: 'status', children: 'idle' }),
  ],
});

app.callback(
  {
    output: Output('status', 'children'),
    inputs: [Input('run', 'n_clicks')],
    preventInitialCall: true,
    running: [[Output('run', 'disabled'), true, false]],
  },
  async (clicks: number) => {
    await new Promise((resolve) => setTimeout(resolve, SLOW_MS));
    return `done ${clicks}`;
  },
);
