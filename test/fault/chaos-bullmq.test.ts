/**
 * Chaos for BullMQManager (issue 8): a few hundred jobs with unique inputs while `dash-ts worker`
 * processes are SIGKILLed at random intervals (each replaced), and Redis is killed and restarted
 * once on its append-only file. The ledger (chaos-ledger.ts) proves every job ended exactly once
 * with its own result or a visible error, none hung, none ran twice; then the workers serve.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BullMQManager } from '../../src/background/bullmq/index.ts';
import { consoleLogger } from '../../src/base/log.ts';
import { jobs } from '../apps/jobs-app.ts';
import { drain, submission } from '../conformance/manager-contract.ts';
import { type DashWorker, startDashWorker } from '../support/dash-worker.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { chaosJobs, randomPause, settleAndCheck } from './chaos-ledger.ts';

const JOBS = 240;
const WORKERS = 3;
const QUEUE = 'chaos';

describe('chaos: BullMQManager', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'dash-ts-chaos-bullmq-'));
  let redis: TestRedis | undefined;
  let manager: BullMQManager | undefined;
  const workers: DashWorker[] = [];
  after(async () => {
    await manager?.close();
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    await redis?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`${JOBS} jobs while workers are SIGKILLed and Redis restarts: each ends once, with its result or an error`, async () => {
    redis = await startRedis({ persistent: true });
    const env = { DASH_TS_TEST_REDIS: redis.url, DASH_TS_TEST_QUEUE: QUEUE };
    const startWorker = async () => workers.push(await startDashWorker('test/apps/bullmq-jobs.ts', env));
    const alive = () => workers.filter((w) => !w.exited);
    await Promise.all(Array.from({ length: WORKERS }, startWorker));
    manager = new BullMQManager({ connection: redis.url, queueName: QUEUE });
    await manager.start({
      appModule: undefined,
      logger: { ...consoleLogger, warn: () => {}, info: () => {} },
    });
    const file = join(dir, 'ledger.log');
    writeFileSync(file, '');
    const submitted = chaosJobs(file, JOBS);
    let submitting = true;
    let kills = 0;
    const replacements: Promise<unknown>[] = [];
    const killer = (async () => {
      while (submitting) {
        await randomPause(1500, 3500);
        const running = alive();
        const victim = running[Math.floor(Math.random() * running.length)];
        if (!victim) continue;
        await victim.stop('SIGKILL');
        kills++;
        // Replaced, as a process supervisor would; the kills go on meanwhile.
        replacements.push(startWorker());
      }
    })();
    for (let i = 0; i < submitted.length; i += 20) {
      await Promise.all(submitted.slice(i, i + 20).map(({ job }) => manager!.submit(job)));
      if (i === 100) {
        // Redis dies (a crash, not a shutdown) and comes back on its append-only file.
        await redis.stop('SIGKILL');
        await randomPause(500, 1000);
        await redis.start();
      }
      await randomPause(1000, 2000);
    }
    const settling = settleAndCheck(manager, submitted, file, 90_000);
    await randomPause(3000, 4000);
    submitting = false;
    await killer;
    const summary = await settling;
    await Promise.all(replacements);
    console.log(`chaos bullmq: ${kills} worker kills, 1 Redis restart; ${JSON.stringify(summary)}`);
    assert.ok(kills >= 3, `only ${kills} kills`);
    assert.ok(summary.results > JOBS / 2, `only ${summary.results} results`);
    for (let i = 0; i < 5; i++) {
      const job = submission(jobs.echo, [`after ${i}`]);
      await manager.submit(job);
      assert.deepEqual((await drain(manager, job.id)).outcome, { kind: 'result', value: `after ${i}` });
    }
  });
});
