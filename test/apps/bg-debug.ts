/**
 * A debug app (Dash's background_callback app_error): `running` disables the button; the job
 * throws on the second click (no onError: the poll answers 500 with Dash's error page, which the
 * dev tools show), raises PreventUpdate on the fourth; a multi-output job returns noUpdate for
 * the outputs it leaves alone.
 */
import { Dash, html, Input, noUpdate, Output, PreventUpdate } from '../../src/index.ts';
import { fixtureManager, sleep } from './bg-support.ts';

const manager = fixtureManager('debug');

export const app = new Dash({ title: 'bg debug', backgroundManager: manager, debug: true });

export const MULTI_OUTPUTS = 5;

app.layout = html.Div({
  children: [
    html.Button({ id: 'button', children: 'Click me' }),
    html.Div({ id: 'output' }),
    html.Button({ id: 'multi-output', children: 'Multi output' }),
    html.Div({ id: 'output-status' }),
    ...Array.from({ length: MULTI_OUTPUTS }, (_, i) => html.Div({ id: `output${i + 1}` })),
  ],
});

app.callback(
  {
    background: true,
    output: Output('output', 'children'),
    inputs: [Input('button', 'n_clicks')],
    running: [[Output('button', 'disabled'), true, false]],
    preventInitialCall: true,
    interval: 100,
  },
  async (clicks: number) => {
    await sleep(300);
    if (clicks === 2) throw new Error('An error happened');
    if (clicks === 4) throw new PreventUpdate();
    return `Clicked ${clicks} times`;
  },
);

app.callback(
  {
    background: true,
    output: [
      Output('output-status', 'children'),
      ...Array.from({ length: MULTI_OUTPUTS }, (_, i) => Output(`output${i + 1}`, 'children')),
    ],
    inputs: [Input('multi-output', 'n_clicks')],
    running: [[Output('multi-output', 'disabled'), true, false]],
    preventInitialCall: true,
    interval: 100,
  },
  async (clicks: number) => {
    await sleep(200);
    return [
      `Updated: ${clicks}`,
      ...Array.from({ length: MULTI_OUTPUTS }, (_, i) => (i < clicks ? i + 1 : noUpdate)),
    ];
  },
);
