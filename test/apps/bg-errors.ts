/**
 * Background errors that reach an onError handler (Dash's background_callback app_bg_on_error):
 * a callback-level and an app-level handler, both writing with setProps; and a job whose worker
 * process dies, which must end in an error the user sees, never in an endless spinner.
 */
import { type CallbackContext, Dash, html, Input, Output } from '../../src/index.ts';
import { fixtureManager, sleep } from './bg-support.ts';

/** How many jobs were lost so far (onError runs in the server process). */
let lost = 0;

const manager = fixtureManager('errors');

export const app = new Dash({
  title: 'bg errors',
  backgroundManager: manager,
  onError: (error: Error, ctx: CallbackContext) => {
    ctx.setProps('global-output', { children: `global error: ${error.message}` });
  },
});

app.layout = html.Div({
  children: [
    html.Button({ id: 'cb-button', children: 'Callback onError' }),
    html.Div({ id: 'cb-output', children: 'no error' }),
    html.Button({ id: 'global-button', children: 'App onError' }),
    html.Div({ id: 'global-output', children: 'no error' }),
    html.Button({ id: 'crash-button', children: 'Kill the worker' }),
    html.Div({ id: 'crash-status', children: 'idle' }),
    html.Div({ id: 'crash-output', children: 'not crashed' }),
    html.Button({ id: 'ok-button', children: 'Still working?' }),
    html.Div({ id: 'ok-output', children: 'not run' }),
  ],
});

app.callback(
  {
    background: true,
    output: Output('cb-output', 'children'),
    inputs: [Input('cb-button', 'n_clicks')],
    preventInitialCall: true,
    interval: 100,
    onError: (error: Error, ctx: CallbackContext) => {
      ctx.setProps('cb-output', { children: `callback error: ${error.message}` });
    },
  },
  async (clicks: number) => {
    await sleep(100);
    throw new Error(`callback boom ${clicks}`);
  },
);

app.callback(
  {
    background: true,
    output: Output('global-output', 'children'),
    inputs: [Input('global-button', 'n_clicks')],
    preventInitialCall: true,
    interval: 100,
  },
  async (clicks: number) => {
    await sleep(100);
    throw new Error(`global boom ${clicks}`);
  },
);

app.callback(
  {
    background: true,
    output: Output('crash-output', 'children'),
    inputs: [Input('crash-button', 'n_clicks')],
    running: [
      [Output('crash-status', 'children'), 'running', 'idle'],
      [Output('crash-button', 'disabled'), true, false],
    ],
    preventInitialCall: true,
    interval: 200,
    onError: (error: Error) => `lost ${++lost}: ${error.message}`,
  },
  async () => {
    await sleep(300);
    process.kill(process.pid, 'SIGKILL');
    await sleep(10_000);
    return 'survived';
  },
);

app.callback(
  {
    background: true,
    output: Output('ok-output', 'children'),
    inputs: [Input('ok-button', 'n_clicks')],
    preventInitialCall: true,
    interval: 100,
  },
  (clicks: number) => `ran ${clicks}`,
);
