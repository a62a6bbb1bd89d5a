/**
 * Background callbacks exercised over HTTP by test/protocol/background.test.ts. Its workers
 * import this module too, so the store path comes from the environment they inherit.
 */
import { appendFileSync } from 'node:fs';
import {
  type CallbackContext,
  Dash,
  html,
  Input,
  MATCH,
  noUpdate,
  Output,
  PreventUpdate,
  SqliteManager,
  State,
} from '../../src/index.ts';

const manager = new SqliteManager({ path: process.env.DASH_TS_TEST_DB, workers: 2 });
let cacheGeneration = 'one';
const cachedManager = new SqliteManager({
  path: process.env.DASH_TS_TEST_DB,
  workers: 1,
  cacheBy: [() => cacheGeneration],
  expire: 60,
});

export function setCacheGeneration(value: string): void {
  cacheGeneration = value;
}

export const app = new Dash({
  backgroundManager: manager,
  onError: (error) => `app onError: ${error.message}`,
});

app.layout = html.Div({ id: 'root' });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Each run appends a line, so a test can count how often a job function really ran. */
function recordRun(name: string): void {
  if (process.env.DASH_TS_TEST_RUNS) appendFileSync(process.env.DASH_TS_TEST_RUNS, `${name}\n`);
}

app.callback(
  {
    background: true,
    output: Output('quick', 'children'),
    inputs: [Input('quick-in', 'value')],
    interval: 100,
  },
  (value: string) => `quick ${value}`,
);

app.callback(
  {
    background: true,
    output: Output('slow', 'children'),
    inputs: [Input('slow-in', 'value')],
    progress: Output('slow-progress', 'children'),
    progressDefault: 0,
    cancel: Input('slow-cancel', 'n_clicks'),
    interval: 100,
  },
  async (steps: number, ctx: CallbackContext) => {
    for (let i = 1; i <= steps; i++) {
      await sleep(120);
      if (ctx.signal.aborted) return 'aborted';
      ctx.setProgress(`${i}/${steps}`);
    }
    return `done ${steps}`;
  },
);

app.callback(
  {
    background: true,
    output: Output('side', 'children'),
    inputs: [Input('side-in', 'value')],
    interval: 100,
  },
  (_value: unknown, ctx: CallbackContext) => {
    ctx.setProps('a', { children: 'first' });
    ctx.setProps('b', { children: 'other' });
    ctx.setProps('a', { style: { color: 'red' } });
    return 'side done';
  },
);

app.callback(
  {
    background: true,
    output: Output('fails', 'children'),
    inputs: [Input('fails-in', 'value')],
    interval: 100,
  },
  () => {
    throw new Error('the job broke');
  },
);

app.callback(
  {
    background: true,
    output: Output('fails-handled', 'children'),
    inputs: [Input('fails-handled-in', 'value')],
    interval: 100,
    onError: (error, ctx) => {
      ctx.setProps('error-note', { children: `handled at ${ctx.path.split('?')[0]}` });
      return `callback onError: ${error.message}`;
    },
  },
  () => {
    throw new Error('handled break');
  },
);

app.callback(
  {
    background: true,
    output: [Output('multi-a', 'children'), Output('multi-b', 'children')],
    inputs: [Input('multi-in', 'value')],
    interval: 100,
  },
  (value: string) => [value, noUpdate],
);

app.callback(
  {
    background: true,
    output: Output('prevented', 'children'),
    inputs: [Input('prevented-in', 'value')],
    interval: 100,
  },
  () => {
    throw new PreventUpdate();
  },
);

app.callback(
  {
    background: true,
    manager: cachedManager,
    output: Output('cached', 'children'),
    inputs: [Input('cached-in', 'value'), State('cached-ignored', 'value')],
    cacheArgsToIgnore: [1],
    interval: 100,
  },
  (value: string) => {
    recordRun(`cached:${value}`);
    return `computed ${value}`;
  },
);

app.callback(
  {
    background: true,
    output: Output('crash', 'children'),
    inputs: [Input('crash-in', 'value')],
    interval: 100,
  },
  () => {
    process.kill(process.pid, 'SIGKILL');
  },
);

app.callback(
  {
    background: true,
    output: Output({ type: 'm-out', index: MATCH }, 'children'),
    inputs: [Input({ type: 'm-in', index: MATCH }, 'value')],
    interval: 100,
  },
  async (ms: number) => {
    await sleep(ms);
    return `slept ${ms}`;
  },
);
