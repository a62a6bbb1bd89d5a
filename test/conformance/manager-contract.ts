/**
 * The Manager contract, as one suite every implementation runs (SqliteManager, BullMQManager,
 * third parties). It talks to the manager only through the Manager interface, with the job
 * functions of test/apps/jobs-app.ts, which the manager's workers must load.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobOutcome, JobState, JobUpdate, Manager } from '../../src/background/manager.ts';
import { registrar } from '../../src/background/registrar.ts';
import { jobs } from '../apps/jobs-app.ts';
import { submission } from '../support/submission.ts';
import { fairTurnsByUserCases } from './fair-turns.ts';
import { jobNewsCases } from './job-news-contract.ts';
import { jobOptionsContract } from './job-options.ts';
import { jobRecordsCases } from './job-records-contract.ts';
import { perUserLimitsContract } from './per-user-limits.ts';
import { reattachContract } from './reattach.ts';
import { type RemoteWorkersFixture, remoteWorkersContract } from './remote-workers.ts';
import { startStopCases } from './start-stops-contract.ts';
import { streamingContract } from './streaming.ts';
import { userCases } from './users.ts';

export interface ManagerFixture extends RemoteWorkersFixture {
  /** A started manager whose workers import test/apps/jobs-app.ts. */
  manager: Manager;
  /** Jobs its workers run at once, in all (before any sibling is made). */
  slots: number;
  /** Another started manager on the same store, as a second server process has; cleanup() closes it too. */
  sibling(): Promise<Manager>;
  /** Closes every manager the fixture made and removes its store. */
  cleanup(): Promise<void>;
}

export { submission };

/**
 * What a manager can be held to beyond the contract every manager keeps. A case that needs a
 * capability the manager lacks is reported as skipped with the reason, never left out silently.
 */
export interface ManagerCapabilities {
  /**
   * Jobs run as tasks in the server's (here: the test's) own process (InProcessManager): there is
   * no worker process to hard-stop, kill or watch, a job that blocks its process blocks the test,
   * and the server's registrar is the workers'. Default false.
   */
  inServerProcess?: boolean;
  /** The manager keeps no jobs-monitor records (Manager.jobRecords is optional). Default false. */
  noJobRecords?: boolean;
}

/** node:test options that skip, with the reason, a case that needs worker processes. */
export function needsWorkerProcesses(capabilities: ManagerCapabilities, what: string): { skip?: string } {
  return capabilities.inServerProcess
    ? { skip: `not applicable: jobs run in the server process, so ${what}` }
    : {};
}

export interface Drained {
  /** The last state seen: 'finished' once an outcome arrived. */
  state: JobState;
  states: JobState[];
  progress: unknown[][];
  sideUpdates: JobUpdate['sideUpdates'];
  outcome: JobOutcome | undefined;
}

/** Reads a job's updates until it ends (an outcome, 'cancelled' or 'unknown') or `until` holds. */
export async function drain(
  manager: Manager,
  jobId: string,
  options: { timeoutMs?: number; until?: (drained: Drained) => boolean } = {},
): Promise<Drained> {
  const drained: Drained = {
    state: 'unknown',
    states: [],
    progress: [],
    sideUpdates: [],
    outcome: undefined,
  };
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    const update = await manager.takeUpdate(jobId, 250);
    drained.state = update.state;
    drained.states.push(update.state);
    drained.progress.push(...update.progress);
    drained.sideUpdates.push(...update.sideUpdates);
    if (update.outcome) {
      drained.outcome = update.outcome;
      return drained;
    }
    if (options.until?.(drained)) return drained;
    if (update.state === 'cancelled' || update.state === 'unknown') return drained;
    if (Date.now() > deadline)
      assert.fail(`job ${jobId} still ${update.state} after ${options.timeoutMs ?? 20_000} ms`);
  }
}

/** Submits a job and returns its outcome. */
async function run(
  manager: Manager,
  functionKey: string,
  args: unknown[] = [],
): Promise<JobOutcome | undefined> {
  const job = submission(functionKey, args);
  await manager.submit(job);
  return (await drain(manager, job.id)).outcome;
}

/** The pid a job from jobs-app reports (via setProps) once it runs. */
export async function runningPid(manager: Manager, jobId: string, timeoutMs?: number): Promise<number> {
  const drained = await drain(manager, jobId, {
    timeoutMs,
    until: (d) => d.sideUpdates.some((u) => u.id === 'pid'),
  });
  const pid = drained.sideUpdates.find((u) => u.id === 'pid')?.props.children;
  assert.equal(typeof pid, 'number', `the job never reported its pid (${JSON.stringify(drained)})`);
  return pid as number;
}

/** CPU time (clock ticks) a process used so far; undefined once it is gone or a zombie. */
function cpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/**
 * How long a cancelled or timed-out job's process may take to stop before a test fails. Generous on
 * purpose: these tests prove that it stops, under CI load with other test files running beside it;
 * how fast it stops is measured in `npm run bench` (cancel -> CPU idle).
 */
export const STOP_WITHIN_MS = 5000;

/** Waits until a process has stopped using CPU (or is gone); fails after `withinMs`. */
export async function cpuFreed(pid: number, withinMs = STOP_WITHIN_MS): Promise<'gone' | 'idle'> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const before = cpuTicks(pid);
    if (before === undefined) return 'gone';
    await sleep(100);
    const after = cpuTicks(pid);
    if (after === undefined) return 'gone';
    // At most 2 ticks (20 ms at the usual 100 Hz) of CPU in 100 ms: idle.
    if (after - before <= 2) return 'idle';
    if (Date.now() > deadline) assert.fail(`process ${pid} still busy ${withinMs} ms after cancel`);
  }
}

/**
 * Waits until a process is gone (exited or a zombie); fails after `withinMs`. For a hard stop:
 * cpuFreed's 'idle' cannot tell a stopped process from a busy one the loaded machine starved.
 */
export async function processGone(pid: number, withinMs = STOP_WITHIN_MS): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (cpuTicks(pid) !== undefined) {
    if (Date.now() > deadline) assert.fail(`process ${pid} still there ${withinMs} ms after its hard stop`);
    await sleep(50);
  }
}

export const hasProc = existsSync('/proc/self/stat');

export function managerContract(
  name: string,
  makeManager: () => Promise<ManagerFixture>,
  capabilities: ManagerCapabilities = {},
): void {
  // The pid a job reports is a worker's only where jobs run in worker processes.
  const watchPids = hasProc && !capabilities.inServerProcess;
  // The whole suite's limit, not a case's: BullMQManager's run of it took 160 s at load 20 (about
  // 120 s before, and the suite grew with users); what a case waits for has its own deadline.
  describe(`Manager contract: ${name}`, { timeout: 300_000 }, () => {
    let fixture: ManagerFixture;
    let manager: Manager;

    before(async () => {
      fixture = await makeManager();
      manager = fixture.manager;
    });
    after(() => fixture?.cleanup());

    // First: they count on the fixture's own slots, before `sibling()` adds workers.
    jobOptionsContract(() => fixture, capabilities);
    fairTurnsByUserCases(() => fixture);
    perUserLimitsContract(() => fixture);
    remoteWorkersContract(() => fixture);
    streamingContract(() => manager, capabilities);
    reattachContract(() => fixture, capabilities);

    it('delivers a result once, then forgets the job', async () => {
      const job = submission(jobs.echo, ['hello']);
      await manager.submit(job);
      const drained = await drain(manager, job.id);
      assert.deepEqual(drained.outcome, { kind: 'result', value: 'hello' });
      assert.equal(drained.state, 'finished');
      const again = await manager.takeUpdate(job.id, 0);
      assert.equal(again.state, 'unknown');
      assert.equal(again.outcome, undefined);
    });

    it('runs sync and async job functions', async () => {
      const value = { a: [1, 'x', null], b: { c: true } };
      assert.deepEqual(await run(manager, jobs.echo, [value]), { kind: 'result', value });
      assert.deepEqual(await run(manager, jobs.asyncEcho, [value]), { kind: 'result', value });
    });

    it('delivers every progress value once, in order, before the result', async () => {
      const job = submission(jobs.progress, [20]);
      await manager.submit(job);
      const drained = await drain(manager, job.id);
      assert.deepEqual(
        drained.progress,
        Array.from({ length: 20 }, (_, i) => [i + 1]),
      );
      assert.deepEqual(drained.outcome, { kind: 'result', value: 20 });
    });

    it('coalesces progress reported in a tight loop, keeping order and the last value', async () => {
      const n = 100_000;
      const job = submission(jobs.progressFlood, [n]);
      await manager.submit(job);
      const drained = await drain(manager, job.id);
      assert.deepEqual(drained.outcome, { kind: 'result', value: n });
      const values = drained.progress.map((p) => p[0] as number);
      assert.deepEqual(values.at(-1), n);
      for (let i = 1; i < values.length; i++) assert.ok(values[i]! > values[i - 1]!, 'progress out of order');
      assert.ok(values.length <= 1000, `stored ${values.length} progress values of one tight loop`);
    });

    it('delivers every setProps call, in order', async () => {
      const job = submission(jobs.setProps, []);
      await manager.submit(job);
      const drained = await drain(manager, job.id);
      assert.deepEqual(drained.sideUpdates, [
        { id: 'a', props: { children: 'a1' } },
        { id: 'b', props: { value: 1 } },
        { id: 'a', props: { title: 'ta' } },
        { id: '{"index":2,"type":"item"}', props: { value: 'x' } },
      ]);
      assert.deepEqual(drained.outcome, { kind: 'result', value: 'done' });
    });

    it("carries Patches in setProps calls and results as Dash's patch JSON, every call in order", async () => {
      const job = submission(jobs.patch, []);
      await manager.submit(job);
      const drained = await drain(manager, job.id);
      const append = (text: string) => ({
        __dash_patch_update: '__dash_patch_update',
        operations: [
          {
            operation: 'Append',
            location: [],
            params: { value: { props: { children: text }, type: 'Li', namespace: 'dash_html_components' } },
          },
        ],
      });
      assert.deepEqual(drained.sideUpdates, [
        { id: 'list', props: { children: append('one') } },
        { id: 'list', props: { children: append('two') } },
      ]);
      assert.deepEqual(drained.outcome, {
        kind: 'result',
        value: {
          __dash_patch_update: '__dash_patch_update',
          operations: [
            { operation: 'Assign', location: ['rows', 0], params: { value: 'first' } },
            { operation: 'Delete', location: ['rows', 0], params: {} },
          ],
        },
      });
    });

    it(
      'delivers what a sync job reported while it still blocks its process',
      needsWorkerProcesses(capabilities, 'a blocking job blocks the server (and this test) too'),
      async () => {
        const job = submission(jobs.blocking, [1500]);
        await manager.submit(job);
        const early = await drain(manager, job.id, {
          until: (d) => d.sideUpdates.length > 0 && d.progress.length > 0,
        });
        assert.equal(early.outcome, undefined, 'the updates only arrived with the result');
        assert.deepEqual(early.sideUpdates, [{ id: 'blocking-status', props: { children: 'first' } }]);
        assert.deepEqual(early.progress, [['working']]);
        assert.deepEqual((await drain(manager, job.id)).outcome, { kind: 'result', value: 'unblocked' });
      },
    );

    it('reports a thrown error with its message and stack', async () => {
      const outcome = await run(manager, jobs.throws);
      assert.equal(outcome?.kind, 'error');
      assert.equal(outcome.kind === 'error' && outcome.message, 'job exploded');
      assert.match((outcome.kind === 'error' && outcome.stack) || '', /job exploded/);
    });

    it('reports PreventUpdate as prevent-update', async () => {
      assert.deepEqual(await run(manager, jobs.prevent), { kind: 'prevent-update' });
    });

    it('reports a result that is not JSON (BigInt, circular) as an error', async () => {
      for (const key of [jobs.bigint, jobs.circular]) {
        const outcome = await run(manager, key);
        assert.equal(outcome?.kind, 'error');
        assert.match(outcome.kind === 'error' ? outcome.message : '', /serialis/i);
      }
    });

    it('cancels a cooperative job: its signal aborts, no result is ever delivered', async () => {
      const job = submission(jobs.sleep, [30_000]);
      await manager.submit(job);
      const pid = await runningPid(manager, job.id);
      await manager.cancel(job.id);
      if (watchPids) await cpuFreed(pid);
      const drained = await drain(manager, job.id, { timeoutMs: 5000 });
      assert.equal(drained.outcome, undefined);
      for (const state of drained.states) assert.ok(state === 'cancelled' || state === 'unknown', state);
      await waitUntilUnknown(manager, job.id);
    });

    it(
      'cancels a job that ignores its signal (busy loop): it is hard-stopped, later jobs run',
      needsWorkerProcesses(capabilities, 'a busy loop blocks the server and nothing can hard-stop it'),
      async () => {
        const job = submission(jobs.busy, [30_000]);
        await manager.submit(job);
        const pid = await runningPid(manager, job.id);
        await manager.cancel(job.id);
        if (hasProc) await cpuFreed(pid);
        const drained = await drain(manager, job.id, { timeoutMs: 5000 });
        assert.equal(drained.outcome, undefined);
        for (const state of drained.states) assert.ok(state === 'cancelled' || state === 'unknown', state);
        await waitUntilUnknown(manager, job.id);
        assert.deepEqual(await run(manager, jobs.echo, ['after cancel']), {
          kind: 'result',
          value: 'after cancel',
        });
      },
    );

    it('never delivers the result of a job cancelled right after submit', async () => {
      const job = submission(jobs.echo, ['too late']);
      await manager.submit(job);
      await manager.cancel(job.id);
      const drained = await drain(manager, job.id, { timeoutMs: 5000 });
      assert.equal(drained.outcome, undefined);
      await waitUntilUnknown(manager, job.id);
    });

    it('ignores unknown job ids', async () => {
      await manager.cancel('no-such-job');
      assert.equal((await manager.takeUpdate('no-such-job', 0)).state, 'unknown');
      assert.equal(await manager.owner('no-such-job'), undefined);
      assert.deepEqual(await run(manager, jobs.echo, [1]), { kind: 'result', value: 1 });
    });

    it('records the owner until the outcome is delivered', async () => {
      const job = submission(jobs.echo, ['owned']);
      await manager.submit(job);
      assert.deepEqual(await manager.owner(job.id), job.owner);
      await drain(manager, job.id);
      assert.equal(await manager.owner(job.id), undefined);
    });

    it('caches successful results under the cache key, with expire counted from the last read', async () => {
      const key = `cache-${randomBytes(8).toString('hex')}`;
      const job = submission(jobs.echo, ['cached'], { cache: { key, expireSeconds: 1 } });
      await manager.submit(job);
      assert.deepEqual((await drain(manager, job.id)).outcome, { kind: 'result', value: 'cached' });
      const stored = Date.now();
      assert.deepEqual(await manager.cachedOutcome(key), { kind: 'result', value: 'cached' });
      await sleep(stored + 600 - Date.now());
      // Read with expire: the entry now lives until ~1.6 s.
      assert.deepEqual(await manager.cachedOutcome(key, 1), { kind: 'result', value: 'cached' });
      await sleep(stored + 1200 - Date.now());
      assert.deepEqual(await manager.cachedOutcome(key), { kind: 'result', value: 'cached' });
      await sleep(stored + 2400 - Date.now());
      assert.equal(await manager.cachedOutcome(key), undefined);
      assert.equal(await manager.cachedOutcome(`never-${key}`), undefined);
    });

    it('does not cache errors', async () => {
      const key = `cache-${randomBytes(8).toString('hex')}`;
      const job = submission(jobs.throws, [], { cache: { key } });
      await manager.submit(job);
      assert.equal((await drain(manager, job.id)).outcome?.kind, 'error');
      assert.equal(await manager.cachedOutcome(key), undefined);
    });

    it('shares one secret, and the jobs, among managers on the same store', async () => {
      const secret = await manager.sharedSecret();
      assert.ok(Buffer.isBuffer(secret) && secret.length >= 32);
      assert.deepEqual(await manager.sharedSecret(), secret);
      const other = await fixture.sibling();
      assert.deepEqual(await other.sharedSecret(), secret);
      const job = submission(jobs.echo, ['across']);
      await manager.submit(job);
      assert.deepEqual(await other.owner(job.id), job.owner);
      assert.deepEqual((await drain(other, job.id)).outcome, { kind: 'result', value: 'across' });
      assert.equal((await manager.takeUpdate(job.id, 0)).state, 'unknown');
    });

    it('runs 200 jobs submitted at once, each with its own result', async () => {
      const submitted = Array.from({ length: 200 }, (_, i) => submission(jobs.echo, [i]));
      await Promise.all(submitted.map((job) => manager.submit(job)));
      const outcomes = await Promise.all(
        submitted.map(async (job) => (await drain(manager, job.id, { timeoutMs: 60_000 })).outcome),
      );
      assert.deepEqual(
        outcomes,
        submitted.map((_, i) => ({ kind: 'result', value: i })),
      );
    });

    it(
      'ends a job whose worker is killed as lost, with a message, and keeps running jobs',
      needsWorkerProcesses(capabilities, 'there is no worker to kill (the job would kill the server)'),
      async () => {
        const outcome = await run(manager, jobs.suicide);
        assert.equal(outcome?.kind, 'lost');
        assert.match(outcome.kind === 'lost' ? outcome.message : '', /SIGKILL|killed|died/i);
        assert.deepEqual(await run(manager, jobs.echo, ['next']), { kind: 'result', value: 'next' });
      },
    );

    it(
      'ends a job whose function the workers do not define as an error saying so, within seconds',
      needsWorkerProcesses(capabilities, "the server's registrar is the workers' (they cannot differ)"),
      async () => {
        // Registered in this (server) process only: the workers' import of jobs-app.ts has no such function.
        const serverOnly = registrar.register({
          callbackId: 'server-only.children',
          fn: () => 'never runs',
          definedIn: undefined,
          progressCount: 0,
          recordStyle: false,
        });
        const started = performance.now();
        const job = submission(serverOnly.key, []);
        await manager.submit(job);
        const drained = await drain(manager, job.id, { timeoutMs: 10_000 });
        assert.equal(drained.outcome?.kind, 'error', JSON.stringify(drained.outcome));
        assert.match(drained.outcome?.message ?? '', /app module/);
        assert.ok(performance.now() - started < 10_000);
        // The workers still run the functions they do define.
        assert.deepEqual(await run(manager, jobs.echo, ['still fine']), {
          kind: 'result',
          value: 'still fine',
        });
      },
    );

    it("load counts a page load's unfinished jobs and the jobs waiting for a worker (backgroundLimits)", async () => {
      const page = `page-${randomBytes(6).toString('hex')}`;
      const other = `page-${randomBytes(6).toString('hex')}`;
      const before = await manager.load(page);
      assert.deepEqual(before.pageUnfinished, 0);
      // Every slot busy, and two more waiting.
      const held = Array.from({ length: fixture.slots + 2 }, () => {
        const job = submission(jobs.sleep, [60_000]);
        job.owner = { ...job.owner, endId: page };
        return job;
      });
      for (const job of held) await manager.submit(job);
      const done = submission(jobs.echo, ['done']);
      done.owner = { ...done.owner, endId: page };
      await manager.submit(done);
      const loaded = await manager.load(page);
      assert.ok(loaded.queued >= 2, `queued ${loaded.queued}`);
      assert.ok(loaded.pageUnfinished >= held.length, `unfinished ${loaded.pageUnfinished}`);
      assert.equal((await manager.load(other)).pageUnfinished, 0);
      for (const job of held) await manager.cancel(job.id);
      // Finished (even unread) and cancelled jobs no longer count.
      const deadline = Date.now() + 10_000;
      while ((await manager.load(page)).pageUnfinished > 0) {
        assert.ok(Date.now() < deadline, JSON.stringify(await manager.load(page)));
        await sleep(50);
      }
      assert.deepEqual((await drain(manager, done.id)).outcome, { kind: 'result', value: 'done' });
    });

    it("pageJobs lists a page load's unfinished jobs with their owners, from every server process on the store", async () => {
      const page = `page-${randomBytes(6).toString('hex')}`;
      const sibling = await fixture.sibling();
      assert.deepEqual(await manager.pageJobs(page), []);
      // One running (or about to), one queued behind the busy slots, one queued by another server process.
      const running = submission(jobs.sleep, [60_000]);
      running.owner = { endId: page, callbackId: 'a.children', outputsKey: '"a"' };
      const queued = submission(jobs.sleep, [60_000]);
      queued.owner = { endId: page, callbackId: 'b.children', outputsKey: '"b"' };
      const elsewhere = submission(jobs.sleep, [60_000]);
      elsewhere.owner = { endId: page, callbackId: 'a.children', outputsKey: '"a2"' };
      const other = submission(jobs.sleep, [60_000]);
      await manager.submit(running);
      await manager.submit(queued);
      await sibling.submit(elsewhere);
      await manager.submit(other);
      const listed = (await sibling.pageJobs(page)).sort((x, y) => x.id.localeCompare(y.id));
      const expected = [running, queued, elsewhere]
        .map((job) => ({ id: job.id, owner: job.owner }))
        .sort((x, y) => x.id.localeCompare(y.id));
      assert.deepEqual(listed, expected);
      // Ended jobs are no longer listed.
      for (const job of [running, queued, elsewhere, other]) await manager.cancel(job.id);
      assert.deepEqual(await manager.pageJobs(page), []);
      const done = submission(jobs.echo, ['done']);
      done.owner = { ...done.owner, endId: page };
      await manager.submit(done);
      await drain(manager, done.id);
      assert.deepEqual(await manager.pageJobs(page), []);
    });

    it('takeUpdate waits up to waitMs for news, and returns as soon as some arrives', async () => {
      const job = submission(jobs.sleep, [800]);
      await manager.submit(job);
      await runningPid(manager, job.id);
      let started = performance.now();
      const quiet = await manager.takeUpdate(job.id, 200);
      const waited = performance.now() - started;
      assert.ok(waited >= 180, `returned after ${waited.toFixed(0)} ms with nothing new`);
      assert.equal(quiet.outcome, undefined);
      assert.deepEqual([quiet.progress, quiet.sideUpdates], [[], []]);
      started = performance.now();
      const done = await manager.takeUpdate(job.id, 20_000);
      assert.deepEqual(done.outcome, { kind: 'result', value: 'slept' });
      assert.ok(performance.now() - started < 10_000, 'takeUpdate did not wake when the job finished');
    });

    jobNewsCases(
      () => manager,
      () => fixture.sibling(),
      capabilities,
    );

    userCases(
      () => manager,
      () => fixture.sibling(),
      drain,
    );

    startStopCases(
      () => manager,
      () => fixture.sibling(),
    );

    if (capabilities.noJobRecords) {
      it('keeps jobs-monitor records', {
        skip: `not applicable: ${name} keeps no jobs-monitor records (Manager.jobRecords is optional)`,
      }, () => {});
    } else {
      jobRecordsCases(
        () => manager,
        () => fixture.sibling(),
        capabilities,
      );
    }
  });
}

/** After a cancel, the job goes away (its worker stopped) within a few seconds. */
async function waitUntilUnknown(manager: Manager, jobId: string): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const update = await manager.takeUpdate(jobId, 100);
    assert.equal(update.outcome, undefined);
    if (update.state === 'unknown') return;
    assert.equal(update.state, 'cancelled');
    if (Date.now() > deadline) assert.fail(`cancelled job ${jobId} is still known`);
    await sleep(20);
  }
}
