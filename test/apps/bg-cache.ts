/**
 * Cached background callbacks (Dash's background_callback app5 and app6): a manager with
 * `cacheBy`, whose value a normal callback changes; a positional callback ignoring its button
 * (cacheArgsToIgnore [0]) and a record-style one ignoring `button`. Each result carries a random
 * run id, so a test tells a cached answer (same id) from a recomputed one.
 */
import { randomBytes } from 'node:crypto';
import { type CallbackContext, Dash, dcc, html, Input, Output } from '../../src/index.ts';
import { fixtureManager, sleep } from './bg-support.ts';

/** The cacheBy value. It lives in the server process, where cache keys are built. */
let cacheToken = 'one';

const manager = fixtureManager('cache');
const cachedManager = fixtureManager('cache', { workers: 1, cacheBy: [() => cacheToken] });

export const app = new Dash({ title: 'bg cache', backgroundManager: manager });

app.layout = html.Div({
  children: [
    dcc.Input({ id: 'token', type: 'text', value: 'one' }),
    html.Div({ id: 'token-status' }),
    dcc.Input({ id: 'input1', type: 'text', value: 'AAA' }),
    html.Button({ id: 'run-button1', children: 'Run 1' }),
    html.Div({ id: 'status1', children: 'Finished' }),
    html.Div({ id: 'result1', children: 'No results' }),
    dcc.Input({ id: 'input2', type: 'text', value: 'AAA' }),
    html.Button({ id: 'run-button2', children: 'Run 2' }),
    html.Div({ id: 'status2', children: 'Finished' }),
    html.Div({ id: 'result2', children: 'No results' }),
  ],
});

app.callback(
  { output: Output('token-status', 'children'), inputs: [Input('token', 'value')] },
  (value: string) => {
    cacheToken = value;
    return `token: ${value}`;
  },
);

const runId = () => randomBytes(4).toString('hex');

app.callback(
  {
    background: true,
    manager: cachedManager,
    output: Output('result1', 'children'),
    inputs: [Input('run-button1', 'n_clicks'), Input('input1', 'value')],
    progress: Output('status1', 'children'),
    progressDefault: 'Finished',
    cacheArgsToIgnore: [0],
    interval: 100,
  },
  async (_clicks: number | null, value: string, ctx: CallbackContext) => {
    for (let i = 0; i < 3; i++) {
      ctx.setProgress(`Progress ${i}/3`);
      await sleep(200);
    }
    return `Result 1 for '${value}' #${runId()}`;
  },
);

app.callback(
  {
    background: true,
    manager: cachedManager,
    output: Output('result2', 'children'),
    inputs: { button: Input('run-button2', 'n_clicks'), value: Input('input2', 'value') },
    progress: Output('status2', 'children'),
    progressDefault: 'Finished',
    cacheArgsToIgnore: ['button'],
    preventInitialCall: true,
    interval: 100,
  },
  async ({ value }: { button: number; value: string }, ctx: CallbackContext) => {
    for (let i = 0; i < 3; i++) {
      ctx.setProgress(`Progress ${i}/3`);
      await sleep(200);
    }
    return `Result 2 for '${value}' #${runId()}`;
  },
);
