/**
 * Basic background callbacks (Dash's background_callback app1, app1_async, app2, app_unordered):
 * an initial run and superseding while typing, sync and async; `running` status; State before Input.
 */
import { Dash, dcc, html, Input, Output, State } from '../../src/index.ts';
import { blockFor, fixtureManager, sleep } from './bg-support.ts';

const manager = fixtureManager('basic');

export const app = new Dash({ title: 'bg basic', backgroundManager: manager });

app.layout = html.Div({
  children: [
    // 1: no preventInitialCall, so the page load runs the job; typing supersedes it.
    dcc.Input({ id: 'input', type: 'text', value: 'initial value' }),
    html.Div({ children: html.Div({ children: [1.5, null, 'string', html.Div({ id: 'output-1' })] }) }),
    // 21: the same with an async function.
    dcc.Input({ id: 'input-async', type: 'text', value: 'initial async value' }),
    html.Div({ id: 'output-async' }),
    // 2: running shows Running, then Finished.
    html.Button({ id: 'button-1', children: 'Click me' }),
    html.Div({ id: 'status', children: 'Finished' }),
    html.Div({ id: 'result', children: 'Not clicked' }),
    // 13: a State declared before the Input.
    dcc.Store({ id: 'stored', data: { a: 'stored' } }),
    html.Button({ id: 'unordered-button', children: 'click' }),
    html.Div({ id: 'unordered-output' }),
  ],
});

app.callback(
  {
    background: true,
    output: Output('output-1', 'children'),
    inputs: [Input('input', 'value')],
    interval: 100,
  },
  (value: string) => {
    blockFor(100);
    return value;
  },
);

app.callback(
  {
    background: true,
    output: Output('output-async', 'children'),
    inputs: [Input('input-async', 'value')],
    interval: 100,
  },
  async (value: string) => {
    await sleep(100);
    return value;
  },
);

app.callback(
  {
    background: true,
    output: Output('result', 'children'),
    inputs: [Input('button-1', 'n_clicks')],
    running: [[Output('status', 'children'), 'Running', 'Finished']],
    preventInitialCall: true,
    interval: 100,
  },
  async (clicks: number) => {
    await sleep(500);
    return `Clicked ${clicks} time(s)`;
  },
);

app.callback(
  {
    background: true,
    output: Output('unordered-output', 'children'),
    inputs: [State('stored', 'data'), Input('unordered-button', 'n_clicks')],
    preventInitialCall: true,
    interval: 100,
  },
  (stored: { a: string }, clicks: number) => `${stored.a} (${clicks})`,
);
