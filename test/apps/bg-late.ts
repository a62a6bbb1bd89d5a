/**
 * A background callback on components that a normal callback creates later (Dash's
 * background_callback app7): the app lists them in `validationLayout`. Progress and cancel as in
 * bg-cancel's item 4.
 */
import { type CallbackContext, Dash, dcc, html, Input, Output, State } from '../../src/index.ts';
import { fixtureManager, sleep } from './bg-support.ts';

const manager = fixtureManager('late');

const staticLayout = html.Div({
  children: [html.Button({ id: 'show-layout-button', children: 'Show' }), html.Div({ id: 'dynamic-layout' })],
});

const dynamicLayout = () =>
  html.Div({
    children: [
      dcc.Input({ id: 'input', type: 'text', value: 'hello, world' }),
      html.Button({ id: 'run-button', children: 'Run' }),
      html.Button({ id: 'cancel-button', children: 'Cancel' }),
      html.Div({ id: 'status', children: 'Finished' }),
      html.Div({ id: 'result', children: 'No results' }),
    ],
  });

export const app = new Dash({
  title: 'bg late components',
  backgroundManager: manager,
  validationLayout: html.Div({ children: [staticLayout, dynamicLayout()] }),
});

app.layout = staticLayout;

app.callback(
  {
    output: Output('dynamic-layout', 'children'),
    inputs: [Input('show-layout-button', 'n_clicks')],
    preventInitialCall: true,
  },
  () => dynamicLayout(),
);

app.callback(
  {
    background: true,
    output: Output('result', 'children'),
    inputs: [Input('run-button', 'n_clicks'), State('input', 'value')],
    progress: Output('status', 'children'),
    progressDefault: 'Finished',
    cancel: [Input('cancel-button', 'n_clicks')],
    preventInitialCall: true,
    interval: 100,
  },
  async (_clicks: number, value: string, ctx: CallbackContext) => {
    for (let i = 0; i < 4; i++) {
      ctx.setProgress(`Progress ${i}/4`);
      await sleep(400);
    }
    return `Processed '${value}'`;
  },
);
