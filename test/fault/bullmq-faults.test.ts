/**
 * BullMQManager under faults, with real parts only: a private redis-server (with an append-only
 * file, so it can be restarted), real `dash-ts worker` processes, two server-side managers.
 *
 * - a cancel from one server process reaches the worker running the job: its signal aborts, a
 *   busy loop is hard-stopped, the CPU is freed, nothing is stored; even when the worker missed
 *   the cancel message;
 * - a job past timeoutMs ends timed out and is stopped; --concurrency runs jobs side by side;
 * - a worker SIGKILLed mid-job: the job ends lost within the documented bound, others keep serving;
 *   with retry.onLost it runs its next try on another worker instead;
 * - Redis restarted mid-run: every job completes, none runs twice;
 * - SIGTERM: a worker finishes a short job, ends a long one lost after shutdownGraceMs (it never
 *   runs again unasked), exits within a few seconds, and leaves nothing active in BullMQ; its job
 *   process ignores the signal when it reaches the whole process group;
 * - no worker at all: a queued job ends lost after noWorkerTimeoutMs instead of spinning forever.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { BullMQManager } from '../../src/background/bullmq/index.ts';
import { STALE_AFTER_MS } from '../../src/background/bullmq/liveness.ts';
import { DEFAULT_POLICY } from '../../src/background/job-options/policy.ts';
import type { Manager } from '../../src/background/manager.ts';
import { consoleLogger } from '../../src/base/log.ts';
import { jobs } from '../apps/jobs-app.ts';
import {
  cpuFreed,
  drain,
  hasProc,
  runningPid,
  STOP_WITHIN_MS,
  submission,
} from '../conformance/manager-contract.ts';
import { type DashWorker, startDashWorker } from '../support/dash-worker.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';

const QUEUE = 'faults';
const APP = 'test/apps/bullmq-jobs.ts';

describe('BullMQManager faults', { timeout: 180_000 }, () => {
  let redis: TestRedis;
  let env: Record<string, string>;
  let dir: string;
  let faultJobs: { abortable: string; slowRecord: string; sleepyFirstTry: string };
  /** The workers of QUEUE. */
  const workers: DashWorker[] = [];
  /** Workers of other queues. */
  const others: DashWorker[] = [];
  const managers: BullMQManager[] = [];
  let a: BullMQManager;
  let b: BullMQManager;
  let lonely: BullMQManager;
  let queue: Queue;
  let admin: Redis;

  const manager = async (options: ConstructorParameters<typeof BullMQManager>[0] = {}) => {
    const made = new BullMQManager({ connection: redis.url, queueName: QUEUE, ...options });
    managers.push(made);
    await made.start({ appModule: undefined, logger: consoleLogger });
    return made;
  };
  const worker = async () => {
    const started = await startDashWorker(APP, env);
    workers.push(started);
    return started;
  };
  /** Keeps two live workers (tests kill some). */
  const twoWorkers = async () => {
    while (workers.filter((w) => !w.exited).length < 2) await worker();
  };
  const workerRunning = (childPid: number) => {
    const parent = parentPid(childPid);
    const found = workers.find((w) => w.pid === parent);
    assert.ok(found, `no test worker is the parent of job process ${childPid}`);
    return found;
  };

  before(async () => {
    redis = await startRedis({ persistent: true });
    env = { DASH_TS_TEST_REDIS: redis.url, DASH_TS_TEST_QUEUE: QUEUE };
    process.env.DASH_TS_TEST_REDIS = redis.url;
    ({ faultJobs } = await import('../apps/bullmq-jobs.ts'));
    dir = mkdtempSync(join(tmpdir(), 'dash-ts-bullmq-faults-'));
    [a, b, lonely] = await Promise.all([
      manager(),
      manager(),
      manager({ queueName: 'nobody-serves-this', noWorkerTimeoutMs: 300 }),
    ]);
    queue = new Queue(QUEUE, { connection: { host: '127.0.0.1', port: redis.port } });
    admin = new Redis(redis.url);
    // It is cut off while Redis restarts; it reconnects like everyone else.
    admin.on('error', () => {});
    await twoWorkers();
  });

  afterEach((t) => {
    // What the workers said is the first thing to read when a fault test fails.
    if ((t as { passed?: boolean }).passed !== false) return;
    for (const w of [...workers, ...others]) console.error(`--- dash-ts worker ${w.pid}:\n${w.output()}`);
  });

  after(async () => {
    await queue?.close();
    admin?.disconnect();
    await Promise.all(managers.map((m) => m.close()));
    await Promise.all([...workers, ...others].map((w) => w.stop('SIGKILL')));
    await redis?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a cancel from another server process aborts the job in its worker and stores nothing', async () => {
    const file = join(dir, 'aborts.log');
    const token = randomBytes(4).toString('hex');
    const job = submission(faultJobs.abortable, [file, token]);
    await a.submit(job);
    const pid = await runningPid(a, job.id);
    await b.cancel(job.id);
    await until(
      () => existsSync(file) && readFileSync(file, 'utf8').includes(`aborted ${token}`),
      STOP_WITHIN_MS,
    );
    // The job returned on abort: its process is idle, not killed.
    if (hasProc) assert.equal(await cpuFreed(pid), 'idle');
    await assertNothingDelivered(a, job.id);
  });

  it('a cancel from another server process hard-stops a busy loop and frees the CPU', async () => {
    const job = submission(jobs.busy, [30_000]);
    await a.submit(job);
    const pid = await runningPid(a, job.id);
    await b.cancel(job.id);
    if (hasProc) await processGone(pid, STOP_WITHIN_MS);
    await assertNothingDelivered(a, job.id);
    assert.deepEqual(await outcomeOf(b, jobs.echo, ['after']), { kind: 'result', value: 'after' });
  });

  it('a cancel published while the worker is not subscribed still stops the job (the heartbeat finds it)', async () => {
    const job = submission(jobs.busy, [30_000]);
    await a.submit(job);
    const pid = await runningPid(a, job.id);
    // Drops every subscriber connection: the cancel below is published to nobody.
    await admin.client('KILL', 'TYPE', 'pubsub');
    await b.cancel(job.id);
    if (hasProc) await processGone(pid, STOP_WITHIN_MS);
    await assertNothingDelivered(a, job.id);
  });

  it('a job running past timeoutMs ends timed out and is stopped; --concurrency runs jobs side by side', async () => {
    const queueName = 'timeouts';
    const timed = await manager({ queueName });
    others.push(
      await startDashWorker(APP, { ...env, DASH_TS_TEST_QUEUE: queueName, DASH_TS_TEST_TIMEOUT_MS: '1200' }, [
        '--concurrency',
        '2',
      ]),
    );
    const started = Date.now();
    const pair = await Promise.all([0, 1].map(() => outcomeOf(timed, jobs.sleep, [500])));
    assert.deepEqual(pair, [
      { kind: 'result', value: 'slept' },
      { kind: 'result', value: 'slept' },
    ]);
    assert.ok(
      Date.now() - started < 950,
      `two 500 ms jobs took ${Date.now() - started} ms: not side by side`,
    );
    const job = submission(jobs.busy, [30_000]);
    await timed.submit(job);
    const drained = await drain(timed, job.id, { timeoutMs: 5000 });
    assert.equal(drained.outcome?.kind, 'timed-out');
    assert.match(
      drained.outcome?.kind === 'timed-out' ? drained.outcome.message : '',
      /timed out after 1.2 s/,
    );
    const pid = drained.sideUpdates.find((u) => u.id === 'pid')?.props.children as number;
    if (hasProc) await processGone(pid, STOP_WITHIN_MS);
  });

  it(`a worker SIGKILLed mid-job: the job ends lost within ${STALE_AFTER_MS / 1000} s plus a poll; the other worker keeps serving`, async () => {
    await twoWorkers();
    const job = submission(jobs.sleep, [60_000]);
    await a.submit(job);
    const pid = await runningPid(a, job.id);
    const victim = workerRunning(pid);
    const killedAt = Date.now();
    await victim.stop('SIGKILL');
    const drained = await drain(a, job.id, { timeoutMs: STALE_AFTER_MS + 5000 });
    const took = Date.now() - killedAt;
    assert.equal(drained.outcome?.kind, 'lost', JSON.stringify(drained));
    assert.match(drained.outcome?.kind === 'lost' ? drained.outcome.message : '', /heartbeat/);
    assert.ok(took <= STALE_AFTER_MS + 2000, `lost only after ${took} ms`);
    // Its job process went with it.
    if (hasProc) await processGone(pid, 2000);
    const outcomes = await Promise.all([1, 2, 3].map((i) => outcomeOf(b, jobs.echo, [i])));
    assert.deepEqual(
      outcomes,
      [1, 2, 3].map((value) => ({ kind: 'result', value })),
    );
  });

  it('a worker SIGKILLed mid-job with retry.onLost: the job runs its next try on another worker', async () => {
    await twoWorkers();
    const job = submission(faultJobs.sleepyFirstTry, [], {
      policy: { ...DEFAULT_POLICY, retry: { attempts: 2, backoffSeconds: 0.2, onLost: true } },
    });
    await a.submit(job);
    const pid = await runningPid(a, job.id);
    await workerRunning(pid).stop('SIGKILL');
    const drained = await drain(a, job.id, { timeoutMs: STALE_AFTER_MS + 10_000 });
    assert.deepEqual(drained.outcome, { kind: 'result', value: 2 }, JSON.stringify(drained));
    const pids = drained.sideUpdates.filter((u) => u.id === 'pid').map((u) => u.props.children);
    assert.equal(pids.length, 1, 'the second try reports its own (other) job process');
    assert.notEqual(pids[0], pid);
  });

  it('Redis restarted mid-run: every job completes once, and the servers and workers reconnect', async () => {
    await twoWorkers();
    const file = join(dir, 'restart.log');
    const tokens = Array.from({ length: 6 }, (_, i) => `r${i}-${randomBytes(3).toString('hex')}`);
    const submitted = tokens.map((token) => submission(faultJobs.slowRecord, [file, token, 1200]));
    for (const job of submitted) await a.submit(job);
    await until(
      () => existsSync(file) && lines(file).filter((l) => l.startsWith('start')).length >= 2,
      10_000,
    );
    await redis.stop('SIGKILL');
    // Submitted while Redis is down: queued once it is back.
    const lateToken = `late-${randomBytes(3).toString('hex')}`;
    const late = submission(faultJobs.slowRecord, [file, lateToken, 100]);
    const lateSubmit = b.submit(late);
    await sleep(1000);
    await redis.start();
    await lateSubmit;
    const all = [...submitted, late];
    const outcomes = await Promise.all(
      all.map(async (job, i) => (await drain(i % 2 ? a : b, job.id, { timeoutMs: 30_000 })).outcome),
    );
    assert.deepEqual(
      outcomes,
      [...tokens, lateToken].map((value) => ({ kind: 'result', value })),
    );
    const log = lines(file);
    for (const token of [...tokens, lateToken]) {
      assert.equal(
        log.filter((l) => l === `start ${token}`).length,
        1,
        `${token} started twice:\n${log.join('\n')}`,
      );
      assert.equal(log.filter((l) => l === `end ${token}`).length, 1, `${token} ended twice`);
    }
  });

  it('SIGTERM: a worker finishes a short job, then exits within a few seconds', async () => {
    await twoWorkers();
    const file = join(dir, 'sigterm-short.log');
    const job = submission(faultJobs.slowRecord, [file, 'short', 700]);
    await a.submit(job);
    const pid = await runningPid(a, job.id);
    const victim = workerRunning(pid);
    const stoppedAt = Date.now();
    const exit = await victim.stop('SIGTERM');
    assert.ok(Date.now() - stoppedAt < 4000, `the worker took ${Date.now() - stoppedAt} ms to exit`);
    assert.equal(exit.code, 0, victim.output());
    assert.deepEqual((await drain(a, job.id)).outcome, { kind: 'result', value: 'short' });
    assert.deepEqual(lines(file), ['start short', 'end short']);
  });

  it('SIGTERM: a long job still running after shutdownGraceMs ends lost and never runs again; nothing stays active', async () => {
    await twoWorkers();
    const file = join(dir, 'sigterm-long.log');
    const job = submission(faultJobs.slowRecord, [file, 'long', 4000]);
    await a.submit(job);
    const pid = await runningPid(a, job.id);
    const victim = workerRunning(pid);
    const stoppedAt = Date.now();
    const exit = await victim.stop('SIGTERM');
    assert.ok(Date.now() - stoppedAt < 4000, `the worker took ${Date.now() - stoppedAt} ms to exit`);
    assert.equal(exit.code, 0, victim.output());
    const drained = await drain(a, job.id, { timeoutMs: 15_000 });
    assert.equal(drained.outcome?.kind, 'lost', JSON.stringify(drained.outcome));
    assert.match(drained.outcome?.kind === 'lost' ? drained.outcome.message : '', /shut down/);
    // Not run again anywhere (the other worker is idle and would take it at once).
    await sleep(1500);
    assert.deepEqual(lines(file), ['start long']);
    assert.equal(hasProc ? existsSync(`/proc/${pid}`) : false, false, 'its job process still runs');
    // BullMQ finishes the job just after our outcome is stored; then it is gone (not left active).
    await untilAsync(async () => (await queue.getJob(job.id)) === undefined, 2000);
    const active = await queue.getActive();
    assert.ok(!active.some((j) => j.id === job.id), 'the job lost at shutdown is still active in BullMQ');
  });

  it('SIGTERM to a worker and its job process together (Ctrl-C, systemd): the job finishes within the grace period, once', async () => {
    await twoWorkers();
    const file = join(dir, 'sigterm-group.log');
    const job = submission(faultJobs.slowRecord, [file, 'group', 1000]);
    await a.submit(job);
    const pid = await runningPid(a, job.id);
    const victim = workerRunning(pid);
    process.kill(pid, 'SIGTERM');
    const exit = await victim.stop('SIGTERM');
    assert.equal(exit.code, 0, victim.output());
    const drained = await drain(a, job.id, { timeoutMs: 15_000 });
    assert.deepEqual(drained.outcome, { kind: 'result', value: 'group' });
    assert.deepEqual(lines(file), ['start group', 'end group']);
  });

  it('with no worker at all, a queued job ends lost after noWorkerTimeoutMs rather than spinning forever', async () => {
    const job = submission(jobs.echo, ['nobody']);
    await lonely.submit(job);
    const drained = await drain(lonely, job.id, { timeoutMs: STALE_AFTER_MS + 3000 });
    assert.equal(drained.outcome?.kind, 'lost');
    assert.match(drained.outcome?.kind === 'lost' ? drained.outcome.message : '', /no dash-ts worker/);
  });
});

/** After a cancel: no outcome ever, and the job is forgotten within a few seconds. */
async function assertNothingDelivered(manager: Manager, jobId: string): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const update = await manager.takeUpdate(jobId, 100);
    assert.equal(update.outcome, undefined);
    assert.deepEqual(update.progress, []);
    if (update.state === 'unknown') return;
    assert.equal(update.state, 'cancelled');
    if (Date.now() > deadline) assert.fail(`cancelled job ${jobId} is still known`);
  }
}

async function outcomeOf(manager: Manager, key: string, args: unknown[]) {
  const job = submission(key, args);
  await manager.submit(job);
  return (await drain(manager, job.id)).outcome;
}

async function until(condition: () => boolean, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`condition not met within ${withinMs} ms`);
    await sleep(20);
  }
}

async function untilAsync(condition: () => Promise<boolean>, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`condition not met within ${withinMs} ms`);
    await sleep(20);
  }
}

function lines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

/**
 * Waits until a process has exited (or is a zombie): proof that it was hard-stopped. (An idle
 * reading of its CPU time would not do: a busy process starved of CPU can look idle.)
 */
async function processGone(pid: number, withinMs: number): Promise<void> {
  await until(() => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      return state === 'Z' || state === 'X';
    } catch {
      return true;
    }
  }, withinMs);
}

function parentPid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}
