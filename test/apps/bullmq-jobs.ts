/**
 * The jobs of jobs-app.ts (imported for their job functions: the registrar is per process) on a
 * BullMQManager whose Redis comes from DASH_TS_TEST_REDIS (queue from DASH_TS_TEST_QUEUE, job
 * timeout from DASH_TS_TEST_TIMEOUT_MS),
 * plus jobs for the BullMQ fault tests. `dash-ts worker test/apps/bullmq-jobs.ts` runs them.
 */
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { BullMQManager } from '../../src/background/bullmq/index.ts';
import { type CallbackContext, Dash, html, Input, Output } from '../../src/index.ts';
import './jobs-app.ts';

const connection = process.env.DASH_TS_TEST_REDIS;
if (!connection) throw new Error('bullmq-jobs.ts needs DASH_TS_TEST_REDIS (the test Redis URL)');

export const queueName = process.env.DASH_TS_TEST_QUEUE ?? 'dash-ts-test';

const timeout = process.env.DASH_TS_TEST_TIMEOUT_MS;

export const app = new Dash({
  title: 'jobs on BullMQ',
  backgroundManager: new BullMQManager({
    connection,
    queueName,
    timeoutMs: timeout ? Number(timeout) : undefined,
  }),
});
app.layout = html.Div({ children: 'background jobs on BullMQ, for tests' });

function job(name: string, inputs: number, fn: (...args: never[]) => unknown): void {
  app.callback(
    {
      background: true,
      output: Output(name, 'children'),
      inputs: Array.from({ length: inputs }, (_, i) => Input(`${name}-in-${i}`, 'value')),
    },
    fn as (...args: unknown[]) => unknown,
  );
}

/** Reports its pid, then waits for its signal and writes `aborted <token>` to `file` when it fires. */
job('abortable', 2, async (file: string, token: string, ctx: CallbackContext) => {
  ctx.signal.addEventListener('abort', () => appendFileSync(file, `aborted ${token}\n`));
  ctx.setProps('pid', { children: process.pid });
  await sleep(60_000, undefined, { signal: ctx.signal });
  return 'not aborted';
});

/** Writes `start <token>`, reports its pid, works for `ms`, writes `end <token>`: counts runs. */
job('slow-record', 3, async (file: string, token: string, ms: number, ctx: CallbackContext) => {
  appendFileSync(file, `start ${token}\n`);
  ctx.setProps('pid', { children: process.pid });
  await sleep(ms);
  appendFileSync(file, `end ${token}\n`);
  return token;
});

/** Reports its pid; its first try sleeps a minute (time to kill its worker), a later one returns its number. */
job('sleepy-first-try', 0, async (ctx: CallbackContext) => {
  ctx.setProps('pid', { children: process.pid });
  if (ctx.attempt === 1) await sleep(60_000);
  return ctx.attempt;
});

function keyOf(name: string): string {
  const key = app.registry.get(`${name}.children`)?.background?.functionKey;
  if (!key) throw new Error(`bullmq-jobs: no background callback ${name}`);
  return key;
}

export const faultJobs = {
  abortable: keyOf('abortable'),
  slowRecord: keyOf('slow-record'),
  sleepyFirstTry: keyOf('sleepy-first-try'),
};
