/**
 * whenPageLeaves (JobPolicy.pageLeftAfterMs, Manager.pageSeen) on the Manager contract, run by
 * managerContract against every manager: a job whose page load stops being seen is cancelled
 * (its process goes idle, its signal aborts, a stream's finally runs) within 10 s with the
 * thresholds the orchestrator gives a default callback; a page that is seen keeps its jobs,
 * including one it no longer polls (the older job of a `supersede: false` callback); a job
 * without the option runs to its end whoever watches it.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pageLeftAfterMs } from '../../src/background/job-options/page-leave.ts';
import { DEFAULT_POLICY } from '../../src/background/job-options/policy.ts';
import type { JobPolicy, JobSubmission, Manager } from '../../src/background/manager.ts';
import { DEFAULT_WINDOWS } from '../../src/background/orchestrator.ts';
import { jobs } from '../apps/jobs-app.ts';
import { logLines } from '../support/log-lines.ts';
import { emptyContext } from '../support/submission.ts';
import {
  cpuFreed,
  drain,
  hasProc,
  type ManagerCapabilities,
  type ManagerFixture,
  runningPid,
  submission,
} from './manager-contract.ts';

/** What api.md promises: a job of a page that left is cancelled within 10 s. */
const CANCELLED_WITHIN_MS = 10_000;
/** The threshold the orchestrator gives a callback with the default interval (1 s) and windows. */
const DEFAULT_LEFT_AFTER_MS = pageLeftAfterMs(
  1000,
  Math.max(DEFAULT_WINDOWS.startMs, DEFAULT_WINDOWS.pollMs),
);

const leaving = (afterMs: number): JobPolicy => ({ ...DEFAULT_POLICY, pageLeftAfterMs: afterMs });

function pageJob(
  key: string,
  args: unknown[],
  page: string,
  policy?: JobPolicy,
  output?: string,
): JobSubmission {
  const job = submission(key, args, {
    ...(policy ? { policy } : {}),
    ...(output ? { context: { ...emptyContext, outputsList: { id: output, property: 'children' } } } : {}),
  });
  job.owner = { ...job.owner, endId: page };
  return job;
}

/** Reads a job's state without waiting, as a monitor would: not a poll of its page. */
async function stateOf(manager: Manager, jobId: string): Promise<string> {
  return (await manager.takeUpdate(jobId, 0)).state;
}

/**
 * Its own describe with a fixture of its own (the managerContract's fixture factory): its cases
 * wait out real thresholds (seconds each), which the contract's time budget need not carry.
 */
export function pageLeaveContract(
  name: string,
  makeManager: () => Promise<ManagerFixture>,
  capabilities: ManagerCapabilities = {},
): void {
  const inServer = capabilities.inServerProcess === true;
  describe(`whenPageLeaves: ${name}`, { timeout: 180_000 }, () => {
    let fixture: ManagerFixture;
    const manager = () => fixture.manager;
    let dir: string;
    let files = 0;
    const file = () => join(dir, `leave-${++files}.log`);
    const lines = logLines;
    // Files that let jobs end, and jobs to cancel, after each case whatever its fate: a failed
    // case must not hold the slots of the next.
    let releases: string[] = [];
    let leftovers: string[] = [];
    const releaseFile = () => {
      const path = join(dir, `release-${++files}`);
      releases.push(path);
      return path;
    };
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'dash-ts-leave-'));
      fixture = await makeManager();
    });
    afterEach(async () => {
      for (const path of releases) writeFileSync(path, '');
      for (const jobId of leftovers) await manager().cancel(jobId);
      releases = [];
      leftovers = [];
    });
    after(async () => {
      await fixture?.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    it("'cancel': a job whose page stops polling is stopped within 10 s; a 'finish' job of the same page runs on", async () => {
      const page = `page-${files}-${Date.now()}`;
      const release = releaseFile();
      const log = file();
      // In a worker process a CPU-bound job deaf to its signal: only a hard stop idles it. In the
      // server process (InProcessManager) a job that waits on its signal.
      const leaver = inServer
        ? pageJob(jobs.sleep, [60_000], page, leaving(DEFAULT_LEFT_AFTER_MS))
        : pageJob(jobs.busy, [60_000], page, leaving(DEFAULT_LEFT_AFTER_MS));
      const finisher = pageJob(jobs.recordUntil, [log, 'finisher', release], page);
      leftovers.push(leaver.id);
      const seenAt = Date.now();
      await manager().submit(leaver);
      await manager().submit(finisher);
      // Neither is seen again after its submit: the page is gone.
      const pid = await runningPid(manager(), leaver.id);
      await runningPid(manager(), finisher.id);
      const deadline = seenAt + CANCELLED_WITHIN_MS;
      for (;;) {
        const state = await stateOf(manager(), leaver.id);
        if (state === 'cancelled' || state === 'unknown') break;
        assert.ok(
          Date.now() < deadline,
          `still ${state} ${Date.now() - seenAt} ms after its page was last seen`,
        );
        await sleep(100);
      }
      assert.ok(Date.now() - seenAt >= DEFAULT_LEFT_AFTER_MS - 50, 'cancelled before its page had left');
      if (hasProc && !inServer) {
        // Its process idle (or gone) within 10 s of the page's last sign of life, give or take
        // the scheduling of a loaded machine (a second).
        await cpuFreed(pid, Math.max(1000, seenAt + CANCELLED_WITHIN_MS - Date.now()));
      }
      // The 'finish' job of the same page is not touched.
      assert.equal(await stateOf(manager(), finisher.id), 'running');
      writeFileSync(release, '');
      const drained = await drain(manager(), finisher.id);
      assert.deepEqual(drained.outcome, { kind: 'result', value: 'finisher' });
      assert.deepEqual(lines(log), ['start finisher', 'end finisher']);
    });

    it('a page that polls keeps its jobs, also one it no longer polls (per page load, not per job)', async () => {
      const page = `page-${files}-${Date.now()}`;
      const release = releaseFile();
      const log = file();
      // A short threshold, to keep the case short: the page's marks must beat it by far.
      const afterMs = 3000;
      const older = pageJob(jobs.recordUntil, [log, 'older', release], page, leaving(afterMs));
      const newer = pageJob(jobs.recordUntil, [log, 'newer', release], page, leaving(afterMs));
      await manager().submit(older);
      await manager().submit(newer);
      // The page polls only the newer job (as the renderer does after a supersede: false call),
      // for well over twice the threshold.
      const until = Date.now() + 2.5 * afterMs;
      while (Date.now() < until) {
        manager().pageSeen(page);
        await manager().takeUpdate(newer.id, 250);
      }
      // Running, or still waiting for a slot: not cancelled.
      const state = await stateOf(manager(), older.id);
      assert.ok(state === 'running' || state === 'queued', `the unpolled job of a live page is ${state}`);
      writeFileSync(release, '');
      for (const job of [older, newer]) {
        const drained = await drain(manager(), job.id);
        assert.equal(drained.outcome?.kind, 'result', `${job.id}: ${JSON.stringify(drained)}`);
      }
      assert.deepEqual(lines(log).sort(), ['end newer', 'end older', 'start newer', 'start older']);
    });

    it('a stream whose page stops polling ends: its finally runs, nothing more is delivered', async () => {
      const page = `page-${files}-${Date.now()}`;
      const log = file();
      const job = pageJob(jobs.streamEndless, [log], page, leaving(DEFAULT_LEFT_AFTER_MS), 'stream-endless');
      leftovers.push(job.id);
      const seenAt = Date.now();
      await manager().submit(job);
      await drain(manager(), job.id, { until: (d) => d.sideUpdates.length >= 3 });
      const deadline = seenAt + CANCELLED_WITHIN_MS;
      while (!lines(log).includes('finally')) {
        assert.ok(Date.now() < deadline, "the stream's finally did not run within 10 s");
        await sleep(50);
      }
      assert.ok(Date.now() - seenAt >= DEFAULT_LEFT_AFTER_MS - 50, 'ended before its page had left');
      const drained = await drain(manager(), job.id, { timeoutMs: 5000 });
      assert.equal(drained.outcome, undefined);
    });

    it('a queued job of a page that left is cancelled too, and never runs', async () => {
      const page = `page-${files}-${Date.now()}`;
      const release = releaseFile();
      const log = file();
      // Every slot busy with another page's jobs (started before it is queued: fair turns would
      // put it ahead of that page's waiting ones), so that the watched job waits in line.
      const blockers = Array.from({ length: fixture.slots }, (_, i) =>
        pageJob(jobs.recordUntil, [log, `blocker-${i}`, release], `blockers-${page}`),
      );
      for (const blocker of blockers) await manager().submit(blocker);
      for (const blocker of blockers) await runningPid(manager(), blocker.id);
      const waiting = pageJob(jobs.record, [log, 'waiting'], page, leaving(2000));
      leftovers.push(waiting.id);
      await manager().submit(waiting);
      const deadline = Date.now() + CANCELLED_WITHIN_MS;
      for (;;) {
        const state = await stateOf(manager(), waiting.id);
        if (state === 'cancelled' || state === 'unknown') break;
        assert.equal(state, 'queued');
        assert.ok(Date.now() < deadline, 'the queued job of a page that left was not cancelled');
        await sleep(100);
      }
      writeFileSync(release, '');
      for (const blocker of blockers) await drain(manager(), blocker.id);
      await sleep(300);
      assert.ok(!lines(log).includes('waiting'), 'the cancelled queued job ran');
      assert.ok(existsSync(release));
    });
  });
}
