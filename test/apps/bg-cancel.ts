/**
 * Progress and cancel (Dash's background_callback app3, app4, app_short_interval, app_page_cancel):
 * running + cancel with a State; progress with a default, a progress bar and cancel; interval 0;
 * one cancel button shared by two callbacks.
 */
import { type CallbackContext, Dash, dcc, html, Input, Output, State } from '../../src/index.ts';
import { fixtureManager, sleep } from './bg-support.ts';

const manager = fixtureManager('cancel');

export const app = new Dash({ title: 'bg cancel', backgroundManager: manager });

app.layout = html.Div({
  children: [
    // 3: running + cancel; the input is a State.
    html.Div({
      children: [
        dcc.Input({ id: 'input-3', type: 'text', value: 'initial value' }),
        html.Button({ id: 'run-button-3', children: 'Run' }),
        html.Button({ id: 'cancel-button-3', children: 'Cancel' }),
        html.Div({ id: 'status-3', children: 'Finished' }),
        html.Div({ id: 'result-3', children: 'No results' }),
      ],
    }),
    // 4: progress (text and bar) with defaults, and cancel.
    html.Div({
      children: [
        dcc.Input({ id: 'input-4', type: 'text', value: 'hello, world' }),
        html.Button({ id: 'run-button-4', children: 'Run' }),
        html.Button({ id: 'cancel-button-4', children: 'Cancel' }),
        html.Div({ id: 'status-4', children: 'Finished' }),
        html.Progress({ id: 'bar-4', value: '0', max: '4' }),
        html.Div({ id: 'result-4', children: 'No results' }),
      ],
    }),
    // 9: interval 0.
    html.Div({
      children: [
        html.Button({ id: 'run-button-9', children: 'Run' }),
        html.Div({ id: 'status-9', children: 'Finished' }),
        html.Div({ id: 'result-9', children: 'No results' }),
      ],
    }),
    // 16: a cancel button shared by two callbacks, and one of each's own.
    html.Div({
      children: [
        html.Button({ id: 'shared-cancel', children: 'Cancel any' }),
        html.Button({ id: 'start1', children: 'Start 1' }),
        html.Button({ id: 'cancel1', children: 'Cancel 1' }),
        html.Div({ id: 'progress1', children: 'idle' }),
        html.Div({ id: 'output1', children: 'initial' }),
        html.Button({ id: 'start2', children: 'Start 2' }),
        html.Button({ id: 'cancel2', children: 'Cancel 2' }),
        html.Div({ id: 'progress2', children: 'idle' }),
        html.Div({ id: 'output2', children: 'initial' }),
      ],
    }),
  ],
});

app.callback(
  {
    background: true,
    output: Output('result-3', 'children'),
    inputs: [Input('run-button-3', 'n_clicks'), State('input-3', 'value')],
    running: [[Output('status-3', 'children'), 'Running', 'Finished']],
    cancel: [Input('cancel-button-3', 'n_clicks')],
    interval: 100,
  },
  async (_clicks: number | null, value: string) => {
    await sleep(1000);
    return `Processed '${value}'`;
  },
);

app.callback(
  {
    background: true,
    output: Output('result-4', 'children'),
    inputs: [Input('run-button-4', 'n_clicks'), State('input-4', 'value')],
    progress: [Output('status-4', 'children'), Output('bar-4', 'value')],
    progressDefault: ['Finished', '0'],
    cancel: [Input('cancel-button-4', 'n_clicks')],
    preventInitialCall: true,
    interval: 100,
  },
  async (_clicks: number, value: string, ctx: CallbackContext) => {
    for (let i = 0; i < 4; i++) {
      ctx.setProgress([`Progress ${i}/4`, String(i)]);
      await sleep(400);
    }
    return `Processed '${value}'`;
  },
);

app.callback(
  {
    background: true,
    output: Output('result-9', 'children'),
    inputs: [Input('run-button-9', 'n_clicks')],
    progress: Output('status-9', 'children'),
    progressDefault: 'Finished',
    preventInitialCall: true,
    interval: 0,
  },
  async (clicks: number, ctx: CallbackContext) => {
    for (let i = 0; i < 4; i++) {
      ctx.setProgress(`Progress ${i}/4`);
      await sleep(200);
    }
    return `Clicked '${clicks}'`;
  },
);

/** 16: runs until cancelled (a minute is "forever" here; the test cancels within seconds). */
async function untilCancelled(ctx: CallbackContext): Promise<string> {
  for (let waited = 0; waited < 60_000 && !ctx.signal.aborted; waited += 100) await sleep(100);
  return ctx.signal.aborted ? 'aborted' : 'completed';
}

app.callback(
  {
    background: true,
    output: Output('output1', 'children'),
    inputs: [Input('start1', 'n_clicks')],
    running: [[Output('progress1', 'children'), 'running', 'idle']],
    cancel: [Input('shared-cancel', 'n_clicks'), Input('cancel1', 'n_clicks')],
    preventInitialCall: true,
    interval: 100,
  },
  (_clicks: number, ctx: CallbackContext) => untilCancelled(ctx),
);

app.callback(
  {
    background: true,
    output: Output('output2', 'children'),
    inputs: [Input('start2', 'n_clicks')],
    running: [[Output('progress2', 'children'), 'running', 'idle']],
    cancel: [Input('shared-cancel', 'n_clicks'), Input('cancel2', 'n_clicks')],
    preventInitialCall: true,
    interval: 100,
  },
  (_clicks: number, ctx: CallbackContext) => untilCancelled(ctx),
);
