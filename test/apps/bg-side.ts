/**
 * What a background job sends besides its result (Dash's background_callback app_side_update,
 * app_progress_delete, app_arbitrary, app_arbitrary_async, app_ctx_cookies): progress that drives
 * a normal callback; progress from a job that blocks its worker; progress counted exactly; ctx.setProps from sync and async jobs, and from a
 * job with no outputs; request cookies in the job's context.
 */
import { type CallbackContext, Dash, html, Input, Output, State } from '../../src/index.ts';
import { blockFor, fixtureManager, sleep } from './bg-support.ts';

const manager = fixtureManager('side');

export const app = new Dash({ title: 'bg side updates', backgroundManager: manager });

app.layout = html.Div({
  children: [
    // 10: the progress output is an Input of a normal callback.
    html.Button({ id: 'run-side', children: 'Run' }),
    html.Div({ id: 'status-side', children: 'Finished' }),
    html.Div({ id: 'side-status' }),
    html.Div({ id: 'result-side', children: 'No results' }),
    // Progress from a synchronous job that blocks its worker between reports.
    html.Button({ id: 'run-sync-progress', children: 'Run' }),
    html.Div({ id: 'status-sync-progress', children: 'idle' }),
    html.Div({ id: 'result-sync-progress', children: 'No results' }),
    // 14: each progress value is delivered once.
    html.Button({ id: 'start-counted', children: 'Start' }),
    html.Div({ id: 'output-counted' }),
    html.Div({ id: 'progress-output' }),
    html.Div({ id: 'progress-counter', children: '0' }),
    // 17: setProps from a sync job; a job with no outputs.
    html.Button({ id: 'start', children: 'Start' }),
    html.Div({ id: 'secondary', children: 'secondary' }),
    html.Div({ id: 'output', children: 'initial' }),
    html.Button({ id: 'start-no-output', children: 'Start no output' }),
    html.Div({ id: 'no-output', children: 'nothing' }),
    // 20: the same from async jobs.
    html.Button({ id: 'start-async', children: 'Start async' }),
    html.Div({ id: 'secondary-async', children: 'secondary' }),
    html.Div({ id: 'output-async', children: 'initial' }),
    html.Button({ id: 'start-no-output-async', children: 'Start no output async' }),
    html.Div({ id: 'no-output-async', children: 'nothing' }),
    // 19: a cookie of the page, read in the job.
    html.Button({ id: 'read-cookie', children: 'Read the cookie' }),
    html.Div({ id: 'cookie-output', children: 'no cookie read' }),
  ],
});

app.callback(
  {
    background: true,
    output: Output('result-side', 'children'),
    inputs: [Input('run-side', 'n_clicks')],
    progress: Output('status-side', 'children'),
    progressDefault: 'Finished',
    preventInitialCall: true,
    interval: 100,
  },
  async (clicks: number, ctx: CallbackContext) => {
    for (let i = 0; i < 4; i++) {
      ctx.setProgress(`Progress ${i}/4`);
      await sleep(300);
    }
    return `Clicked '${clicks}'`;
  },
);

app.callback(
  { output: Output('side-status', 'children'), inputs: [Input('status-side', 'children')] },
  (progress: string) => `Side ${progress}`,
);

app.callback(
  {
    background: true,
    output: Output('result-sync-progress', 'children'),
    inputs: [Input('run-sync-progress', 'n_clicks')],
    progress: Output('status-sync-progress', 'children'),
    progressDefault: 'idle',
    preventInitialCall: true,
    interval: 100,
  },
  (clicks: number, ctx: CallbackContext) => {
    for (let i = 0; i < 3; i++) {
      ctx.setProgress(`Step ${i}/3`);
      blockFor(400);
    }
    return `sync done ${clicks}`;
  },
);

app.callback(
  {
    background: true,
    output: Output('output-counted', 'children'),
    inputs: [Input('start-counted', 'n_clicks')],
    progress: Output('progress-output', 'children'),
    preventInitialCall: true,
    interval: 200,
  },
  async (_clicks: number, ctx: CallbackContext) => {
    ctx.setProgress('start');
    await sleep(1000);
    ctx.setProgress('stop');
    return 'done';
  },
);

app.callback(
  {
    output: Output('progress-counter', 'children'),
    inputs: [Input('progress-output', 'children')],
    state: [State('progress-counter', 'children')],
    preventInitialCall: true,
  },
  (_progress: string, previous: string) => String(Number(previous) + 1),
);

app.callback(
  {
    background: true,
    output: Output('output', 'children'),
    inputs: [Input('start', 'n_clicks')],
    preventInitialCall: true,
    interval: 100,
  },
  (_clicks: number, ctx: CallbackContext) => {
    ctx.setProps('secondary', { children: 'first' });
    ctx.setProps('secondary', { style: { background: 'red' } });
    blockFor(1000);
    ctx.setProps('secondary', { children: 'second' });
    blockFor(1000);
    return 'completed';
  },
);

app.callback(
  {
    background: true,
    inputs: [Input('start-no-output', 'n_clicks')],
    preventInitialCall: true,
    interval: 100,
  },
  (_clicks: number, ctx: CallbackContext) => {
    ctx.setProps('no-output', { children: 'started' });
    blockFor(1000);
    ctx.setProps('no-output', { children: 'completed' });
  },
);

app.callback(
  {
    background: true,
    output: Output('output-async', 'children'),
    inputs: [Input('start-async', 'n_clicks')],
    preventInitialCall: true,
    interval: 100,
  },
  async (_clicks: number, ctx: CallbackContext) => {
    ctx.setProps('secondary-async', { children: 'first' });
    ctx.setProps('secondary-async', { style: { background: 'red' } });
    await sleep(1000);
    ctx.setProps('secondary-async', { children: 'second' });
    await sleep(1000);
    return 'completed';
  },
);

app.callback(
  {
    background: true,
    inputs: [Input('start-no-output-async', 'n_clicks')],
    preventInitialCall: true,
    interval: 100,
  },
  async (_clicks: number, ctx: CallbackContext) => {
    ctx.setProps('no-output-async', { children: 'started' });
    await sleep(1000);
    ctx.setProps('no-output-async', { children: 'completed' });
  },
);

app.callback(
  {
    background: true,
    output: Output('cookie-output', 'children'),
    inputs: [Input('read-cookie', 'n_clicks')],
    preventInitialCall: true,
    interval: 100,
  },
  (_clicks: number, ctx: CallbackContext) => `cookie: ${ctx.cookies['bg-cookie'] ?? 'missing'}`,
);
