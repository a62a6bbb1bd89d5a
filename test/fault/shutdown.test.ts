/**
 * A graceful shutdown with jobs running (issue 20): SIGTERM to a `dash-ts worker --concurrency 4`,
 * and close() of a SqliteManager with four slots on one worker. Running jobs get the shutdown
 * grace period; each then either finished (its result arrives) or ends lost; none runs twice,
 * except the one whose callback asked for it (retry.onLost), which gets exactly one more try.
 * Every job appends `start <token>` to a file when it starts, so starts are counted.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BullMQManager } from '../../src/background/bullmq/index.ts';
import { DEFAULT_POLICY } from '../../src/background/job-options/policy.ts';
import type { JobSubmission, Manager } from '../../src/background/manager.ts';
import { registrar } from '../../src/background/registrar.ts';
import { SqliteManager } from '../../src/background/sqlite/index.ts';
import { consoleLogger } from '../../src/base/log.ts';
import { jobs, jobsAppModule } from '../apps/jobs-app.ts';
import { drain, runningPid, submission } from '../conformance/manager-contract.ts';
import { type DashWorker, startDashWorker } from '../support/dash-worker.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';

/** Both managers' default shutdownGraceMs. */
const GRACE_MS = 2000;

interface Mix {
  short: JobSubmission;
  long: JobSubmission;
  longOnLost: JobSubmission;
  deaf: JobSubmission;
}

/**
 * Four jobs, one per slot: one ends within the grace period, two outlast it (they work until
 * `release` exists, created after the shutdown), one ignores its signal.
 */
function mix(log: string, release: string): Mix {
  return {
    short: submission(jobs.recordSlow, [log, 'short', 500]),
    long: submission(jobs.recordUntil, [log, 'long', release]),
    longOnLost: submission(jobs.recordUntil, [log, 'on-lost', release], {
      policy: { ...DEFAULT_POLICY, retry: { attempts: 2, backoffSeconds: 0, onLost: true } },
    }),
    deaf: submission(jobs.busy, [60_000]),
  };
}

/** Submits the mix and waits until all four run. */
async function startMix(manager: Manager, jobsOf: Mix): Promise<void> {
  for (const job of Object.values(jobsOf)) await manager.submit(job);
  for (const job of Object.values(jobsOf)) await runningPid(manager, job.id, 60_000);
}

/** After the shutdown, on `next` (a manager whose workers still run): what became of each job. */
async function assertOutcomes(next: Manager, jobsOf: Mix, log: string, release: string): Promise<void> {
  writeFileSync(release, '');
  assert.deepEqual((await drain(next, jobsOf.short.id)).outcome, { kind: 'result', value: 'short' });
  for (const job of [jobsOf.long, jobsOf.deaf]) {
    const { outcome } = await drain(next, job.id);
    assert.equal(outcome?.kind, 'lost', JSON.stringify(outcome));
    assert.match(outcome?.kind === 'lost' ? outcome.message : '', /shut down/);
  }
  // Asked for: its second try runs on a live worker, from the start.
  assert.deepEqual((await drain(next, jobsOf.longOnLost.id, { timeoutMs: 30_000 })).outcome, {
    kind: 'result',
    value: 'on-lost',
  });
  // Time for a wrongly re-run job to show itself.
  await sleep(1000);
  const lines = readFileSync(log, 'utf8').trim().split('\n').sort();
  assert.deepEqual(lines, [
    'end on-lost',
    'end short',
    'start long',
    'start on-lost',
    'start on-lost',
    'start short',
  ]);
}

describe('graceful shutdown with jobs running: each finishes or ends lost, none runs twice', {
  timeout: 180_000,
}, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dash-ts-shutdown-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('BullMQManager: SIGTERM to a `dash-ts worker --concurrency 4`', async () => {
    const redis: TestRedis = await startRedis();
    const env = { DASH_TS_TEST_REDIS: redis.url, DASH_TS_TEST_QUEUE: 'shutdown' };
    const manager = new BullMQManager({ connection: redis.url, queueName: 'shutdown' });
    const workers: DashWorker[] = [];
    try {
      workers.push(await startDashWorker('test/apps/bullmq-jobs.ts', env, ['--concurrency', '4']));
      await manager.start({ appModule: undefined, logger: consoleLogger });
      const log = join(dir, 'bullmq.log');
      const release = join(dir, 'bullmq.release');
      const started = mix(log, release);
      await startMix(manager, started);
      // The survivor is started only now, so all four ran on the victim (one slot: it only has
      // the asked-for retry to run).
      workers.push(await startDashWorker('test/apps/bullmq-jobs.ts', env));
      const stoppedAt = Date.now();
      const exit = await workers[0]!.stop('SIGTERM');
      assert.equal(exit.code, 0, workers[0]!.output());
      const took = Date.now() - stoppedAt;
      assert.ok(took >= GRACE_MS - 100 && took < GRACE_MS + 5000, `the worker exited after ${took} ms`);
      await assertOutcomes(manager, started, log, release);
    } finally {
      await manager.close();
      await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
      await redis.destroy();
    }
  });

  it('SqliteManager: close() of a server with one worker of concurrency 4', async () => {
    const path = join(dir, 'background.db');
    const make = () => new SqliteManager({ path, workers: 1, concurrency: 4 });
    const environment = {
      appModule: jobsAppModule,
      logger: consoleLogger,
      jobFunctionKeys: () => registrar.keys,
    };
    const first = make();
    await first.start(environment);
    const log = join(dir, 'sqlite.log');
    const release = join(dir, 'sqlite.release');
    const started = mix(log, release);
    let next: SqliteManager | undefined;
    try {
      await startMix(first, started);
      const closingAt = Date.now();
      await first.close();
      const took = Date.now() - closingAt;
      assert.ok(took >= GRACE_MS - 100 && took < GRACE_MS + 5000, `close() took ${took} ms`);
      // Another server process on the same file: it reads the outcomes and runs the asked-for try.
      next = make();
      await next.start(environment);
      await assertOutcomes(next, started, log, release);
    } finally {
      await first.close();
      await next?.close();
    }
  });
});
