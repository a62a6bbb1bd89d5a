/**
 * Fair turns by user, in the Manager contract (every manager, fairTurnsByUserCases): a user's
 * jobs from several page loads (tabs) take one user's turns, not one per tab.
 *
 * Fair turns at scale, in the Manager contract: on several workers each running several jobs at
 * once (S slots in all), with S of page A's jobs running and more of them waiting, page B's first
 * job starts within the next S starts; a higher priority likewise. (Issue 16: with 2 workers ×
 * concurrency 4, B's job used to start after all 16 of A's.) Run by sqlite.test.ts and
 * bullmq.test.ts with a fixture of that shape; talks to the manager only through the Manager
 * interface, with jobs of test/apps/jobs-app.ts.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_POLICY } from '../../src/background/job-options/policy.ts';
import type { JobSubmission, Manager } from '../../src/background/manager.ts';
import { jobs } from '../apps/jobs-app.ts';
import { logLines } from '../support/log-lines.ts';
import { drain, runningPid, submission } from './manager-contract.ts';
import { perUserAtScale } from './per-user-limits.ts';

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

    it("maxConcurrent.perUser 2: two of each user's jobs run, the others wait in line and start as those end", async () => {
      const caseDir = join(dir, 'per-user');
      mkdirSync(caseDir);
      await perUserAtScale({ manager: fixture.manager, slots: fixture.slots, dir: caseDir });
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

/**
 * With every slot busy, user ada queues two jobs from each of three tabs, user bob three from one
 * tab, and a page load without a user two; then one slot frees. Each of them gets one turn per
 * round, whatever the number of ada's tabs (per page load, ada's three tabs would start first).
 */
export function fairTurnsByUserCases(fixture: () => { manager: Manager; slots: number }): void {
  describe('fair turns by user', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'dash-ts-fair-user-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("takes turns by user, not by page load: one user's three tabs are one share", async () => {
      const { manager, slots } = fixture();
      const blockers = Array.from({ length: slots }, () => submission(jobs.sleep, [60_000]));
      for (const blocker of blockers) await manager.submit(blocker);
      for (const blocker of blockers) await runningPid(manager, blocker.id);
      const log = join(dir, 'order.log');
      const run = Date.now().toString(36);
      const queue = async (token: string, endId: string, user?: string) => {
        const job = submission(jobs.record, [log, token]);
        job.owner = user === undefined ? { ...job.owner, endId } : { ...job.owner, endId, user };
        await manager.submit(job);
        return job.id;
      };
      const queued: string[] = [];
      for (const [tab, tokens] of [
        ['1', ['a1', 'a2']],
        ['2', ['a3', 'a4']],
        ['3', ['a5', 'a6']],
      ] as const) {
        for (const token of tokens) queued.push(await queue(token, `ada-tab-${tab}-${run}`, `ada-${run}`));
      }
      for (const token of ['b1', 'b2', 'b3']) queued.push(await queue(token, `bob-tab-${run}`, `bob-${run}`));
      for (const token of ['c1', 'c2']) queued.push(await queue(token, `anonymous-page-${run}`));
      assert.deepEqual(logLines(log), []);
      await manager.cancel(blockers[0]!.id);
      await Promise.all(queued.map((id) => drain(manager, id)));
      assert.deepEqual(logLines(log), ['a1', 'b1', 'c1', 'a2', 'b2', 'c2', 'a3', 'b3', 'a4', 'a5', 'a6']);
      for (const blocker of blockers) await manager.cancel(blocker.id);
    });
  });
}
