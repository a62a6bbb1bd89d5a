/**
 * The job options of the Manager contract (JobPolicy: timeout, retry, priority, queue reporting,
 * fair turns across page loads), run by managerContract against every manager. Each case talks
 * to the manager only through the Manager interface, with jobs of test/apps/jobs-app.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_POLICY } from '../../src/background/job-options/policy.ts';
import type { JobPolicy, JobSubmission, Manager } from '../../src/background/manager.ts';
import { jobs } from '../apps/jobs-app.ts';
import { logLines } from '../support/log-lines.ts';
import {
  cpuFreed,
  drain,
  hasProc,
  type ManagerCapabilities,
  needsWorkerProcesses,
  runningPid,
  submission,
} from './manager-contract.ts';

export interface JobOptionsFixture {
  manager: Manager;
  /** Jobs the fixture's workers run at once, in all. */
  slots: number;
}

function policy(
  changes: Partial<Omit<JobPolicy, 'retry'>> & { retry?: Partial<JobPolicy['retry']> },
): JobPolicy {
  return { ...DEFAULT_POLICY, ...changes, retry: { ...DEFAULT_POLICY.retry, ...changes.retry } };
}

/** A job of page load `page` (its own page load when omitted). */
function pageJob(key: string, args: unknown[], page?: string, jobPolicy?: JobPolicy): JobSubmission {
  const job = submission(key, args, jobPolicy ? { policy: jobPolicy } : {});
  if (page) job.owner = { ...job.owner, endId: page };
  return job;
}

export function jobOptionsContract(
  fixture: () => JobOptionsFixture,
  capabilities: ManagerCapabilities = {},
): void {
  const inServer = capabilities.inServerProcess === true;
  describe('job options', () => {
    let manager: Manager;
    let slots: number;
    let dir: string;
    let files = 0;
    const file = () => join(dir, `${++files}.log`);
    const lines = logLines;

    before(() => {
      ({ manager, slots } = fixture());
      dir = mkdtempSync(join(tmpdir(), 'dash-ts-job-options-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    /** Fills every slot with a long job; returns them, running. */
    async function occupyAllSlots(): Promise<JobSubmission[]> {
      const blockers = Array.from({ length: slots }, () => submission(jobs.sleep, [60_000]));
      for (const blocker of blockers) await manager.submit(blocker);
      for (const blocker of blockers) await runningPid(manager, blocker.id);
      return blockers;
    }

    // Where jobs run in the server process nothing can stop a job deaf to its signal (it would
    // block the server): there the try that times out is a cooperative one.
    const timeoutTitle = inServer
      ? 'stops a try past its timeout like a cancel (its signal aborts) and frees its slot'
      : 'stops a try past its timeout like a cancel (even a job deaf to its signal) and frees its slot';
    it(timeoutTitle, async (t) => {
      const job = submission(inServer ? jobs.sleep : jobs.busy, [60_000], {
        policy: policy({ timeoutSeconds: 1 }),
      });
      const started = Date.now();
      await manager.submit(job);
      const pid = await runningPid(manager, job.id);
      const drained = await drain(manager, job.id);
      assert.deepEqual(drained.outcome, {
        kind: 'timed-out',
        seconds: 1,
        message: 'the job timed out after 1 s and was stopped',
      });
      const took = Date.now() - started;
      assert.ok(took >= 1000 && took < 6000, `timed out after ${took} ms`);
      t.diagnostic(`timed-out outcome ${took} ms after submit (timeout 1 s)`);
      if (hasProc && !inServer) await cpuFreed(pid);
      const next = submission(jobs.echo, ['slot free']);
      await manager.submit(next);
      assert.deepEqual((await drain(manager, next.id)).outcome, { kind: 'result', value: 'slot free' });
    });

    it('retries a failing job with doubling backoff; ctx.attempt counts the tries; began reports each', async () => {
      const log = file();
      const job = submission(jobs.flaky, [log, 3], {
        policy: policy({ retry: { attempts: 4, backoffSeconds: 0.3 } }),
      });
      await manager.submit(job);
      const drained = await drain(manager, job.id);
      assert.deepEqual(drained.outcome, { kind: 'result', value: 3 });
      const tries = lines(log).map((line) => line.split(' ').map(Number));
      assert.deepEqual(
        tries.map(([attempt]) => attempt),
        [1, 2, 3],
      );
      const gaps = [tries[1]![1]! - tries[0]![1]!, tries[2]![1]! - tries[1]![1]!];
      assert.ok(gaps[0]! >= 300, `second try ${gaps[0]} ms after the first (backoff 0.3 s)`);
      assert.ok(gaps[1]! >= 600, `third try ${gaps[1]} ms after the second (backoff doubled: 0.6 s)`);
      // Side updates of failed tries are delivered too, in order.
      assert.deepEqual(
        drained.sideUpdates.map((u) => u.props.children),
        [1, 2, 3],
      );
    });

    it('a retry starts from no progress: unread progress of a failed try is dropped, its setProps kept', async () => {
      const log = file();
      const job = submission(jobs.progressThenFail, [log], {
        policy: policy({ retry: { attempts: 2, backoffSeconds: 0.2 } }),
      });
      await manager.submit(job);
      // Nothing is read until the second try has begun.
      const deadline = Date.now() + 20_000;
      while (lines(log).length === 0) {
        assert.ok(Date.now() < deadline, 'the second try never began');
        await sleep(50);
      }
      const update = await manager.takeUpdate(job.id, 0);
      assert.equal(update.began, 2);
      assert.deepEqual(update.progress, []);
      assert.deepEqual(update.sideUpdates, [{ id: 'try', props: { children: 1 } }]);
      assert.deepEqual((await drain(manager, job.id)).outcome, { kind: 'result', value: 2 });
    });

    it('gives up after retry.attempts tries with the last error', async () => {
      const log = file();
      const job = submission(jobs.flaky, [log, 99], {
        policy: policy({ retry: { attempts: 2, backoffSeconds: 0 } }),
      });
      await manager.submit(job);
      const { outcome } = await drain(manager, job.id);
      assert.equal(outcome?.kind, 'error');
      assert.equal(outcome.kind === 'error' && outcome.message, 'try 2 failed');
      assert.equal(lines(log).length, 2);
    });

    it('never retries NonRetryableError or PreventUpdate', async () => {
      const log = file();
      const retrying = policy({ retry: { attempts: 3, backoffSeconds: 0 } });
      const job = submission(jobs.nonRetryable, [log], { policy: retrying });
      await manager.submit(job);
      const { outcome } = await drain(manager, job.id);
      assert.equal(outcome?.kind, 'error');
      assert.equal(outcome.kind === 'error' && outcome.message, 'this input can never work');
      assert.deepEqual(lines(log), ['1']);
      const prevent = submission(jobs.prevent, [], { policy: retrying });
      await manager.submit(prevent);
      assert.deepEqual((await drain(manager, prevent.id)).outcome, { kind: 'prevent-update' });
    });

    it(
      'retries a try whose worker was SIGKILLed only with retry.onLost',
      needsWorkerProcesses(capabilities, 'there is no worker to kill (the job would kill the server)'),
      async () => {
        const log = file();
        const job = submission(jobs.suicideOnce, [log], {
          policy: policy({ retry: { attempts: 2, backoffSeconds: 0, onLost: true } }),
        });
        await manager.submit(job);
        assert.deepEqual((await drain(manager, job.id)).outcome, { kind: 'result', value: 2 });
        assert.deepEqual(lines(log), ['1', '2']);

        const strict = file();
        const lost = submission(jobs.suicideOnce, [strict], {
          policy: policy({ retry: { attempts: 2, backoffSeconds: 0 } }),
        });
        await manager.submit(lost);
        assert.equal((await drain(manager, lost.id)).outcome?.kind, 'lost');
        assert.deepEqual(lines(strict), ['1']);
      },
    );

    it('cancel during a retry backoff: no further try runs', async () => {
      const log = file();
      const job = submission(jobs.flaky, [log, 99], {
        policy: policy({ retry: { attempts: 3, backoffSeconds: 1.5 } }),
      });
      await manager.submit(job);
      await drain(manager, job.id, { until: (d) => d.sideUpdates.length > 0 });
      // The first try has failed (it reported, then threw); its next one is 1.5 s away.
      await sleep(300);
      await manager.cancel(job.id);
      const drained = await drain(manager, job.id, { timeoutMs: 5000 });
      assert.equal(drained.outcome, undefined);
      await sleep(2500);
      assert.deepEqual(
        lines(log).map((l) => l.split(' ')[0]),
        ['1'],
      );
      assert.equal((await manager.takeUpdate(job.id, 0)).state, 'unknown');
    });

    it('reports each waiting job its place in line, and moves it up as jobs start', async () => {
      const blockers = await occupyAllSlots();
      const waiting = Array.from({ length: 3 }, () =>
        submission(jobs.sleep, [60_000], { policy: policy({ reportQueue: true }) }),
      );
      for (const job of waiting) await manager.submit(job);
      const places = async () =>
        Promise.all(waiting.map(async (job) => (await manager.takeUpdate(job.id, 0)).queue?.position));
      assert.deepEqual(await places(), [1, 2, 3]);
      await manager.cancel(blockers[0]!.id);
      await runningPid(manager, waiting[0]!.id);
      const moved = await places();
      assert.deepEqual(moved.slice(1), [1, 2]);
      for (const job of [...blockers, ...waiting]) await manager.cancel(job.id);
    });

    it('starts waiting jobs of three page loads in turn with one slot free', async () => {
      const blockers = await occupyAllSlots();
      const log = file();
      const queued: string[] = [];
      for (const page of ['A', 'B', 'C']) {
        for (let n = 1; n <= 3; n++) {
          const job = pageJob(jobs.record, [log, `${page}${n}`], `page-${page}-${files}`);
          await manager.submit(job);
          queued.push(job.id);
        }
      }
      // Every slot is busy, so nothing started yet; free one slot.
      assert.deepEqual(lines(log), []);
      await manager.cancel(blockers[0]!.id);
      await Promise.all(queued.map((id) => drain(manager, id)));
      assert.deepEqual(lines(log), ['A1', 'B1', 'C1', 'A2', 'B2', 'C2', 'A3', 'B3', 'C3']);
      for (const blocker of blockers) await manager.cancel(blocker.id);
    });

    it('starts higher priority first among waiting jobs', async () => {
      const blockers = await occupyAllSlots();
      const log = file();
      const queued: string[] = [];
      for (const [token, priority] of [
        ['low', 0],
        ['high', 5],
        ['lowest', -1],
        ['mid', 1],
        ['high-2', 5],
      ] as const) {
        const job = pageJob(jobs.record, [log, token], 'one-page', policy({ priority }));
        await manager.submit(job);
        queued.push(job.id);
      }
      await manager.cancel(blockers[0]!.id);
      await Promise.all(queued.map((id) => drain(manager, id)));
      assert.deepEqual(lines(log), ['high', 'high-2', 'mid', 'low', 'lowest']);
      for (const blocker of blockers) await manager.cancel(blocker.id);
    });
  });
}
