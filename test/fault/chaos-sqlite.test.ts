/**
 * Chaos for SqliteManager (issue 8): a few hundred jobs with unique inputs while worker processes
 * are SIGKILLed at random intervals. The ledger (chaos-ledger.ts) proves every job ended exactly
 * once with its own result or a visible error, none hung, none ran twice; then the pool serves.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { registrar } from '../../src/background/registrar.ts';
import { SqliteManager } from '../../src/background/sqlite/index.ts';
import { consoleLogger } from '../../src/base/log.ts';
import { jobs, jobsAppModule } from '../apps/jobs-app.ts';
import { drain, submission } from '../conformance/manager-contract.ts';
import { chaosJobs, randomPause, settleAndCheck } from './chaos-ledger.ts';

const JOBS = 300;

/** This process's child processes: the pool's workers. */
function workerPids(): number[] {
  return readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8')
    .split(' ')
    .filter(Boolean)
    .map(Number);
}

describe('chaos: SqliteManager', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'dash-ts-chaos-sqlite-'));
  const manager = new SqliteManager({ path: join(dir, 'bg.db'), workers: 2 });
  after(async () => {
    await manager.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`${JOBS} jobs while workers are SIGKILLed at random: each ends once, with its result or an error`, async () => {
    await manager.start({
      appModule: jobsAppModule,
      logger: { ...consoleLogger, warn: () => {}, info: () => {} },
      jobFunctionKeys: () => registrar.keys,
    });
    const file = join(dir, 'ledger.log');
    writeFileSync(file, '');
    const submitted = chaosJobs(file, JOBS);
    let submitting = true;
    let kills = 0;
    const killer = (async () => {
      while (submitting) {
        await randomPause(300, 1500);
        const pids = workerPids();
        const victim = pids[Math.floor(Math.random() * pids.length)];
        if (victim === undefined) continue;
        try {
          process.kill(victim, 'SIGKILL');
          kills++;
        } catch {
          // It exited meanwhile.
        }
      }
    })();
    // Submitted in bursts, as pages would, while the killer runs.
    for (let i = 0; i < submitted.length; i += 30) {
      await Promise.all(submitted.slice(i, i + 30).map(({ job }) => manager.submit(job)));
      await randomPause(200, 800);
    }
    const settling = settleAndCheck(manager, submitted, file, 45_000);
    // Kills go on until the last job is in a worker's hands.
    await randomPause(2000, 3000);
    submitting = false;
    await killer;
    const summary = await settling;
    console.log(`chaos sqlite: ${kills} kills; ${JSON.stringify(summary)}`);
    assert.ok(kills >= 5, `only ${kills} kills`);
    assert.ok(summary.results > JOBS / 2, `only ${summary.results} results`);
    // Afterwards the pool serves.
    for (let i = 0; i < 5; i++) {
      const job = submission(jobs.echo, [`after ${i}`]);
      await manager.submit(job);
      assert.deepEqual((await drain(manager, job.id)).outcome, { kind: 'result', value: `after ${i}` });
    }
  });
});
