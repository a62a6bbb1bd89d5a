/**
 * The job options in the browser (test/e2e/checklist/job-options.ts): a job past its `timeout`,
 * a flaky job with `retry`, a job that waits in line with `queueStatus`, and eight jobs of one
 * page against one job of another (fair turns). Both backends run two jobs at once (two
 * SqliteManager workers, or two `dash-ts worker` processes), so `blocker` fills both slots.
 */
import { setTimeout as wait } from 'node:timers/promises';
import { ALL, type CallbackContext, Dash, html, Input, MATCH, Output } from '../../src/index.ts';
import { fixtureManager, sleep } from './bg-support.ts';

export const SLOTS = 2;
export const MANY = 8;

export const app = new Dash({ title: 'bg job options', backgroundManager: fixtureManager('jobops') });

const indexed = <T>(count: number, make: (index: number) => T): T[] =>
  Array.from({ length: count }, (_, index) => make(index));

app.layout = () =>
  html.Div({
    children: [
      html.Button({ id: 'slow-button', children: 'Run past the time limit' }),
      html.Div({ id: 'slow-output', children: 'not run' }),
      html.Button({ id: 'flaky-button', children: 'Run a flaky job' }),
      html.Div({ id: 'flaky-try', children: 'no try yet' }),
      html.Div({ id: 'flaky-output', children: 'not run' }),
      ...indexed(SLOTS, (index) => html.Button({ id: { type: 'block', index }, children: `Block ${index}` })),
      ...indexed(SLOTS, (index) => html.Div({ id: { type: 'block-out', index }, children: 'idle' })),
      html.Button({ id: 'unblock', children: 'Cancel the blockers' }),
      html.Button({ id: 'wait-button', children: 'Wait in line' }),
      html.Div({ id: 'wait-status', children: '' }),
      html.Div({ id: 'wait-output', children: 'not run' }),
      ...indexed(MANY, (index) => html.Button({ id: { type: 'many', index }, children: `Job ${index}` })),
      ...indexed(MANY, (index) => html.Div({ id: { type: 'many-out', index }, children: 'idle' })),
      html.Div({ id: 'many-done', children: '0' }),
      html.Button({ id: 'single-button', children: 'One job' }),
      html.Div({ id: 'single-output', children: 'not run' }),
    ],
  });

app.callback(
  {
    background: true,
    output: Output('slow-output', 'children'),
    inputs: [Input('slow-button', 'n_clicks')],
    running: [[Output('slow-button', 'disabled'), true, false]],
    preventInitialCall: true,
    interval: 100,
    timeout: 1,
    onError: (error: Error) => `error: ${error.message}`,
  },
  () => {
    // Deaf to its signal: only the hard stop ends it.
    const until = Date.now() + 60_000;
    while (Date.now() < until) {}
    return 'finished';
  },
);

app.callback(
  {
    background: true,
    output: Output('flaky-output', 'children'),
    inputs: [Input('flaky-button', 'n_clicks')],
    running: [[Output('flaky-button', 'disabled'), true, false]],
    preventInitialCall: true,
    interval: 100,
    retry: { attempts: 3, backoff: 0.2 },
  },
  async (_clicks: number, ctx: CallbackContext) => {
    ctx.setProps('flaky-try', { children: `try ${ctx.attempt}` });
    await sleep(300);
    if (ctx.attempt < 3) throw new Error(`try ${ctx.attempt} failed`);
    return `succeeded on try ${ctx.attempt}`;
  },
);

app.callback(
  {
    background: true,
    output: Output({ type: 'block-out', index: MATCH }, 'children'),
    inputs: [Input({ type: 'block', index: MATCH }, 'n_clicks')],
    cancel: Input('unblock', 'n_clicks'),
    preventInitialCall: true,
    interval: 100,
  },
  async (_clicks: number, ctx: CallbackContext) => {
    const { index } = ctx.triggeredId as { index: number };
    ctx.setProps({ type: 'block-out', index }, { title: 'running' });
    await wait(60_000, undefined, { signal: ctx.signal });
    return 'unblocked by itself';
  },
);

app.callback(
  {
    background: true,
    output: Output('wait-output', 'children'),
    inputs: [Input('wait-button', 'n_clicks')],
    preventInitialCall: true,
    interval: 100,
    queueStatus: Output('wait-status', 'children'),
  },
  async () => {
    await sleep(200);
    return 'ran';
  },
);

app.callback(
  {
    background: true,
    output: Output({ type: 'many-out', index: MATCH }, 'children'),
    inputs: [Input({ type: 'many', index: MATCH }, 'n_clicks')],
    preventInitialCall: true,
    interval: 100,
  },
  async () => {
    await sleep(1200);
    return 'done';
  },
);

app.callback(
  {
    output: Output('many-done', 'children'),
    inputs: [Input({ type: 'many-out', index: ALL }, 'children')],
  },
  (outputs: string[]) => String(outputs.filter((text) => text === 'done').length),
);

app.callback(
  {
    background: true,
    output: Output('single-output', 'children'),
    inputs: [Input('single-button', 'n_clicks')],
    preventInitialCall: true,
    interval: 100,
  },
  async () => {
    await sleep(700);
    return 'done';
  },
);
