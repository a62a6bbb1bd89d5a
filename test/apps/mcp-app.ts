/**
 * The MCP server's fixture (test/protocol/mcp*.test.ts): its tools are `double` (ordinary),
 * `square` (background, with progress), `wait` (background, cancellable; writes `<label> aborted`
 * to DASH_TS_TEST_RUNS when its signal fires) and `count` (a background stream); `hidden` has no
 * description, so it is no tool. One job slot, so a job that still held it would keep the next
 * from starting. The manager is a BullMQManager when DASH_TS_TEST_REDIS is set (its `dash-ts
 * worker` imports this module too), else an SqliteManager on DASH_TS_TEST_DB.
 */
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { BullMQManager } from '../../src/background/bullmq/index.ts';
import {
  type CallbackContext,
  Dash,
  dcc,
  html,
  Input,
  Output,
  SqliteManager,
  State,
} from '../../src/index.ts';

const redis = process.env.DASH_TS_TEST_REDIS;

export const app = new Dash({
  name: 'mcp-app',
  backgroundManager: redis
    ? new BullMQManager({ connection: redis, queueName: process.env.DASH_TS_TEST_QUEUE ?? 'mcp-app' })
    : new SqliteManager({ path: process.env.DASH_TS_TEST_DB, workers: 1 }),
  backgroundLimits: { perPage: 3, queued: 100 },
  mcp: { token: 'mcp-token' },
  jobsMonitor: { token: 'monitor-token' },
});

app.layout = html.Div({
  children: [
    dcc.Input({ id: 'n', type: 'number', value: 2 }),
    dcc.Input({ id: 'offset', type: 'number' }),
    dcc.Dropdown({ id: 'unit', options: ['m', 'km'], value: 'm' }),
    html.Div({ id: 'double-out' }),
    html.Div({ id: 'square-out' }),
    html.Div({ id: 'square-progress' }),
    html.Div({ id: 'wait-out' }),
    html.Div({ id: 'count-out' }),
    html.Div({ id: 'hidden-out' }),
  ],
});

app.callback(
  {
    description: 'Doubles n and names the unit',
    output: [Output('double-out', 'children'), Output('unit', 'value')],
    inputs: [Input('n', 'value')],
    state: [State('unit', 'value')],
  },
  function double(n: number, unit: string | null) {
    return [`${n * 2} ${unit ?? 'm'}`, unit ?? 'm'];
  },
);

app.callback(
  {
    description: 'Squares n plus offset, reporting each step as progress',
    background: true,
    output: Output('square-out', 'children'),
    inputs: [Input('n', 'value')],
    state: [State('offset', 'value')],
    progress: Output('square-progress', 'children'),
  },
  async function square(n: number, offset: number | null, ctx: CallbackContext) {
    for (let step = 1; step <= 3; step++) {
      ctx.setProgress(`step ${step}`);
      await sleep(300);
    }
    if (typeof n !== 'number') throw new Error(`n must be a number, got ${JSON.stringify(n)}`);
    return n * n + (offset ?? 0);
  },
);

app.callback(
  {
    name: 'wait',
    description: 'Waits ms milliseconds',
    background: true,
    output: Output('wait-out', 'children'),
    inputs: { ms: Input('n', 'value'), label: Input('unit', 'value') },
  },
  async ({ ms, label }: { ms: number; label: string }, ctx: CallbackContext) => {
    ctx.signal.addEventListener('abort', () =>
      appendFileSync(process.env.DASH_TS_TEST_RUNS!, `${label} aborted\n`),
    );
    await sleep(ms, undefined, { signal: ctx.signal });
    return `waited ${ms}`;
  },
);

app.callback(
  {
    description: 'Counts to n, one yield at a time',
    background: true,
    output: Output('count-out', 'children'),
    inputs: [Input('n', 'value')],
  },
  async function* count(n: number) {
    for (let i = 1; i <= n; i++) {
      yield `counted ${i}`;
      await sleep(300);
    }
  },
);

/** No description: not a tool. */
app.callback(
  { output: Output('hidden-out', 'children'), inputs: [Input('n', 'value')] },
  function hidden(n: number) {
    return n;
  },
);
