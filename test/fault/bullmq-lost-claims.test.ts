/**
 * BullMQManager: a job whose worker died before it began still runs (issue 8, item 1).
 *
 * Cause found: a `dash-ts worker` SIGKILLed after BullMQ moved a job (now: a ticket) to active
 * for it but before our `dashBegin` ran leaves it active in BullMQ and `queued` in ours. With
 * maxStalledCount 0, BullMQ's stalled checker moved it back with a deferred failure ("job stalled
 * more than allowable limit"), and the next worker that took it failed it without calling our
 * processor (Worker.getUnrecoverableErrorMessage); removeOnFail deleted it. Ours stayed `queued`
 * while workers were alive, so the page polled forever.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { BullMQManager } from '../../src/background/bullmq/index.ts';
import { consoleLogger } from '../../src/base/log.ts';
import { jobs } from '../apps/jobs-app.ts';
import { drain, submission } from '../conformance/manager-contract.ts';
import { type DashWorker, startDashWorker } from '../support/dash-worker.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';

const APP = 'test/apps/bullmq-jobs.ts';

describe('BullMQManager: jobs BullMQ gave up on', { timeout: 120_000 }, () => {
  let redis: TestRedis;
  const managers: BullMQManager[] = [];
  const workers: DashWorker[] = [];
  const children: ChildProcess[] = [];

  const manager = async (queueName: string) => {
    const made = new BullMQManager({ connection: redis.url, queueName });
    managers.push(made);
    await made.start({ appModule: undefined, logger: consoleLogger });
    return made;
  };
  const worker = async (queueName: string) => {
    const started = await startDashWorker(APP, {
      DASH_TS_TEST_REDIS: redis.url,
      DASH_TS_TEST_QUEUE: queueName,
    });
    workers.push(started);
    return started;
  };

  before(async () => {
    redis = await startRedis();
    process.env.DASH_TS_TEST_REDIS = redis.url;
  });

  after(async () => {
    await Promise.all(managers.map((m) => m.close()));
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    for (const child of children) child.kill('SIGKILL');
    await redis?.destroy();
  });

  it('a worker killed after BullMQ handed it a job, before the job began: the job runs on another worker', async () => {
    const queueName = 'claimed-then-killed';
    const m = await manager(queueName);
    const claimer = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/fixtures/claim-and-hang.ts', redis.url, queueName],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(claimer);
    let said = '';
    claimer.stdout!.on('data', (chunk: Buffer) => {
      said += chunk.toString();
    });
    const heard = async (text: string) => {
      while (!said.includes(text)) await sleep(20);
    };
    await heard('ready');
    const job = submission(jobs.echo, ['ran once']);
    await m.submit(job);
    await heard(`took ${job.id}`);
    claimer.kill('SIGKILL');
    await worker(queueName);
    // BullMQ's stalled checker needs two rounds (5 s apart) to move the job; then it runs.
    const admin = new Redis(redis.url);
    const failures = async () => {
      const stream = await admin.xrange(`bull:${queueName}:events`, '-', '+');
      return stream.map(([, fields]) => fields).filter((fields) => fields[1] === 'failed');
    };
    const drained = await drain(m, job.id, { timeoutMs: 30_000 }).catch(async (error: Error) => {
      throw new Error(`${error.message}; BullMQ's failures: ${JSON.stringify(await failures())}`);
    });
    assert.deepEqual(drained.outcome, { kind: 'result', value: 'ran once' });
    // BullMQ no longer fails a job for stalling: whether it may run again is our decision.
    assert.deepEqual(await failures(), []);
    admin.disconnect();
  });
});
