/**
 * Fair turns at scale, in the Manager contract: on several workers each running several jobs at
 * once (S slots in all), with S of page A's jobs running and more of them waiting, page B's first
 * job starts within the next S starts; a higher priority likewise. (Issue 16: with 2 workers ×
 * concurrency 4, B's job used to start after all 16 of A's.) Run by sqlite.test.ts and
 * bullmq.test.ts with a fixture of that shape; talks to the manager only through the Manager
 * interface, with jobs of test/apps/jobs-app.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_POLICY } from '../../src/background/job-options/policy.ts';
import type { JobSubmission, Manager } from '../../src/background/manager.ts';
import { jobs } from '../apps/jobs-app.ts';
import { drain, submission } from './manager-contract.ts';

export interface ScaleFixture {
  /** A started manager whose several workers each run more than one job at once. */
  manager: Manager;
  /** Jobs its workers run at once, in all. */
  slots: number;
  workers: number;
  concurrency: number;
  cleanup(): Promise<void>;
}

export function fairTurnsAtScaleContract(name: string, makeFixture: () => Promise<ScaleFixture>): void {
  describe(`fair turns at scale: ${name}`, { timeout: 120_000 }, () => {
    let fixture: ScaleFixture;
    let dir: string;
    let runs = 0;

    before(async () => {
      fixture = await makeFixture();
      assert.ok(fixture.workers > 1 && fixture.concurrency > 1, 'several workers × concurrency > 1');
      dir = mkdtempSync(join(tmpdir(), 'dash-ts-fair-scale-'));
    });
    after(async () => {
      await fixture?.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    function starts(log: string): string[] {
      try {
        const text = readFileSync(log, 'utf8');
        return text
          .split('\n')
          .filter((line) => line.startsWith('start '))
          .map((line) => line.slice('start '.length));
      } catch {
        return [];
      }
    }

    async function waitForStarts(log: string, count: number): Promise<void> {
      const deadline = Date.now() + 20_000;
      while (starts(log).length < count) {
        assert.ok(Date.now() < deadline, `only ${starts(log).length} of ${count} jobs started`);
        await sleep(10);
      }
    }

    /**
     * Page A queues 2S + 2 jobs of 600 ms at once; once S of them run, B queues one. Returns how
     * many starts after B's submit it took for B's job to start (1: it was next).
     */
    async function placeOfLateJob(
      late: Partial<JobSubmission>,
      functionKey: string = jobs.recordSlow,
    ): Promise<{ place: number; order: string[] }> {
      const { manager, slots } = fixture;
      const log = join(dir, `${++runs}.log`);
      const pageA = `page-A-${runs}`;
      const queued: string[] = [];
      const many = Array.from({ length: 2 * slots + 2 }, (_, n) => {
        const job = submission(functionKey, [log, `A${n + 1}`, 600]);
        job.owner = { ...job.owner, endId: pageA };
        return job;
      });
      await Promise.all(many.map((job) => manager.submit(job)));
      queued.push(...many.map((job) => job.id));
      await waitForStarts(log, slots);
      const before = starts(log).length;
      const lateJob = submission(functionKey, [log, 'B1', 600], late);
      lateJob.owner = { ...lateJob.owner, endId: `page-B-${runs}` };
      await manager.submit(lateJob);
      queued.push(lateJob.id);
      await Promise.all(queued.map((id) => drain(manager, id, { timeoutMs: 60_000 })));
      const order = starts(log);
      return { place: order.indexOf('B1') - before + 1, order };
    }

    it("another page's first job starts within the next S starts while one page's jobs wait", async () => {
      const { place, order } = await placeOfLateJob({});
      assert.ok(
        place >= 1 && place <= fixture.slots,
        `B started ${place}th after its submit: ${order.join(' ')}`,
      );
    });

    it('likewise when the jobs block their process (sync, CPU-bound)', async () => {
      const { place, order } = await placeOfLateJob({}, jobs.recordBlocking);
      assert.ok(
        place >= 1 && place <= fixture.slots,
        `B started ${place}th after its submit: ${order.join(' ')}`,
      );
    });

    it('a higher-priority job starts within the next S starts', async () => {
      const { place, order } = await placeOfLateJob({ policy: { ...DEFAULT_POLICY, priority: 5 } });
      assert.ok(
        place >= 1 && place <= fixture.slots,
        `B started ${place}th after its submit: ${order.join(' ')}`,
      );
    });
  });
}
