/**
 * `reattach` (issue 18, item 2): the protocol test (test/protocol/reattach.test.ts) and the
 * Chromium test (test/e2e/reattach.test.ts). `report` reports progress every 150 ms until
 * `<DASH_TS_TEST_REATTACH_DIR>/release-<n_clicks>` exists, then answers; `chat` streams a Patch
 * append per token (onto the list of strings it yielded first) until `<dir>/chat-release` exists. Its workers import this module too, so the
 * store and the folder come from the environment. The manager is a BullMQManager when
 * DASH_TS_TEST_REDIS is set, else an SqliteManager on DASH_TS_TEST_DB.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BullMQManager } from '../../src/background/bullmq/index.ts';
import { type CallbackContext, Dash, html, Input, Output, Patch, SqliteManager } from '../../src/index.ts';

const redis = process.env.DASH_TS_TEST_REDIS;
const dir = () => process.env.DASH_TS_TEST_REATTACH_DIR ?? '.';

export const app = new Dash({
  backgroundManager: redis
    ? new BullMQManager({ connection: redis, queueName: process.env.DASH_TS_TEST_QUEUE ?? 'reattach' })
    : new SqliteManager({ path: process.env.DASH_TS_TEST_DB, workers: 2 }),
});

app.layout = html.Div({
  children: [
    html.Button({ id: 'run', children: 'Run report', n_clicks: 0 }),
    html.Progress({ id: 'bar', value: '0', max: '1000' }),
    html.Div({ id: 'status', children: 'idle' }),
    html.Div({ id: 'result', children: 'no report' }),
    html.Button({ id: 'ask', children: 'Ask', n_clicks: 0 }),
    html.Div({ id: 'answer', children: '' }),
  ],
});

app.callback(
  {
    background: true,
    reattach: true,
    preventInitialCall: true,
    output: Output('result', 'children'),
    inputs: [Input('run', 'n_clicks')],
    progress: [Output('bar', 'value'), Output('status', 'children')],
    running: [[Output('run', 'disabled'), true, false]],
    interval: 200,
  },
  async (clicks: number, ctx: CallbackContext) => {
    let step = 0;
    while (!existsSync(join(dir(), `release-${clicks}`))) {
      step++;
      ctx.setProgress([String(step), `step ${step}`]);
      await sleep(150, undefined, { signal: ctx.signal });
    }
    return `report ${clicks} done after ${step} steps`;
  },
);

app.callback(
  {
    background: true,
    reattach: true,
    preventInitialCall: true,
    output: Output('answer', 'children'),
    inputs: [Input('ask', 'n_clicks')],
    interval: 100,
  },
  async function* (_clicks: number, ctx: CallbackContext) {
    // A whole value, then Patches that apply to it: a page that reattaches is shown both.
    yield ['Answer:'];
    for (let i = 1; !existsSync(join(dir(), 'chat-release')); i++) {
      yield new Patch().append(` t${i}`);
      await sleep(100, undefined, { signal: ctx.signal });
    }
    yield new Patch().append(' end');
  },
);
