/**
 * Remote workers in the Manager contract (Manager.startRemoteWorker, what `dash-ts worker` runs):
 * a manager that has them runs jobs in a worker started through the contract alone; a manager
 * without them has no such method, and `dash-ts worker` refuses its app, naming the manager.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Manager } from '../../src/background/manager.ts';
import { consoleLogger } from '../../src/base/log.ts';
import { jobs, jobsAppModule } from '../apps/jobs-app.ts';
import { drain, submission } from './manager-contract.ts';

export interface RemoteWorkersFixture {
  manager: Manager;
  /** A module whose app uses this kind of manager: what `dash-ts worker` is given. */
  appModule: string;
  /**
   * Managers with remote workers: another started manager, on a store (or queue) of its own that
   * no worker serves yet. The fixture's cleanup() closes it.
   */
  unserved?(): Promise<Manager>;
}

export function remoteWorkersContract(fixture: () => RemoteWorkersFixture): void {
  describe('remote workers', () => {
    it('a manager offers them exactly when its fixture says it has them', () => {
      const { manager, unserved } = fixture();
      assert.equal(typeof manager.startRemoteWorker === 'function', unserved !== undefined);
    });

    it('a remote worker started through the contract runs a job that no other worker would, or `dash-ts worker` refuses the app, naming its manager', async () => {
      const { manager, appModule, unserved } = fixture();
      if (!unserved) {
        const worker = spawnSync(process.execPath, ['bin/dash-ts.js', 'worker', appModule], {
          encoding: 'utf8',
          timeout: 60_000,
        });
        assert.equal(worker.status, 2, `dash-ts worker exited ${worker.status}:\n${worker.stderr}`);
        assert.match(worker.stderr, new RegExp(`\\(${manager.kind}[^)]*\\) ha(s|ve) no remote workers`));
        assert.match(worker.stderr, /dash-ts worker runs the jobs of a manager that has them/);
        return;
      }
      const lonely = await unserved();
      const job = submission(jobs.echo, ['from a remote worker']);
      await lonely.submit(job);
      // Nobody serves this store yet: the job waits.
      await sleep(500);
      assert.equal((await lonely.takeUpdate(job.id, 0)).state, 'queued');
      const worker = await lonely.startRemoteWorker!({
        appModule: jobsAppModule,
        logger: consoleLogger,
        concurrency: 1,
      });
      try {
        assert.equal(typeof worker.id, 'string');
        const drained = await drain(lonely, job.id);
        assert.deepEqual(drained.outcome, { kind: 'result', value: 'from a remote worker' });
      } finally {
        await worker.close();
      }
    });
  });
}
