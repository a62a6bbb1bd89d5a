/**
 * SqliteManager faults beyond the shared contract: an app module that cannot load, several
 * server processes on one file, a server process that died mid-job, timeouts, shutdown.
 * Everything is real: SQLite files in a temp folder, worker processes.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { JobOutcome } from '../../src/background/manager.ts';
import type { EventRecord } from '../../src/background/process/ipc.ts';
import { SqliteManager, type SqliteManagerOptions } from '../../src/background/sqlite/index.ts';
import { Store } from '../../src/background/sqlite/store.ts';
import type { Logger } from '../../src/base/log.ts';
import { jobs, jobsAppModule } from '../apps/jobs-app.ts';
import { drain, hasProc, processGone, runningPid, submission } from '../conformance/manager-contract.ts';

/** Every job function of the jobs app, as the claim filter takes them. */
const ANY_JOB = JSON.stringify(Object.values(jobs));

const brokenAppModule = fileURLToPath(new URL('../apps/broken-app.ts', import.meta.url));
const serverScript = fileURLToPath(new URL('../apps/sqlite-server.ts', import.meta.url));

function assertLostAfterStart(outcome: JobOutcome | undefined, message: RegExp): void {
  assert.equal(outcome?.kind, 'lost', JSON.stringify(outcome));
  assert.match(outcome.kind === 'lost' ? outcome.message : '', message);
}

/** This process's child processes (the pool's workers), from /proc. */
function childPids(): number[] {
  return readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8')
    .split(' ')
    .filter(Boolean)
    .map(Number);
}

function recordingLogger(): Logger & { errors: string[] } {
  const errors: string[] = [];
  return { info: () => {}, warn: () => {}, error: (message) => errors.push(message), errors };
}

describe('SqliteManager faults', { timeout: 120_000 }, () => {
  let dir: string;
  let opened: SqliteManager[] = [];
  let stores: Store[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dash-ts-faults-'));
  });
  afterEach(async () => {
    await Promise.all(opened.map((manager) => manager.close()));
    for (const store of stores) store.close();
    opened = [];
    stores = [];
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  let files = 0;
  const freshPath = () => join(dir, `store-${++files}.db`);

  async function started(
    path: string,
    options: SqliteManagerOptions = {},
    appModule = jobsAppModule,
    logger: Logger = recordingLogger(),
  ): Promise<SqliteManager> {
    const manager = new SqliteManager({ path, workers: 1, ...options });
    opened.push(manager);
    await manager.start({ appModule, logger });
    return manager;
  }

  function openStore(path: string): Store {
    const store = new Store(path);
    stores.push(store);
    return store;
  }

  it('refuses to start without an app module', async () => {
    const manager = new SqliteManager({ path: freshPath(), workers: 1 });
    opened.push(manager);
    await assert.rejects(manager.start({ appModule: undefined, logger: recordingLogger() }), /app module/);
  });

  it('ends jobs as lost, with the import error, when the app module cannot load', async () => {
    const logger = recordingLogger();
    const manager = await started(freshPath(), {}, brokenAppModule, logger);
    for (let i = 0; i < 2; i++) {
      const job = submission(jobs.echo, [i]);
      await manager.submit(job);
      const { outcome } = await drain(manager, job.id, { timeoutMs: 5000 });
      assert.equal(outcome?.kind, 'lost');
      assert.match(outcome.kind === 'lost' ? outcome.message : '', /broken-app: this module fails on import/);
    }
    assert.ok(logger.errors.some((message) => message.includes('broken-app')));
  });

  it('a worker killed from outside while it starts fails no queued job: they run once a worker is up', async () => {
    const manager = await started(freshPath(), { workers: 1 });
    const [ready] = childPids();
    assert.ok(ready, 'no worker process');
    process.kill(ready, 'SIGKILL');
    // Its replacement, killed before its app module has loaded.
    let starting: number | undefined;
    for (const deadline = Date.now() + 5000; starting === undefined; await sleep(5)) {
      assert.ok(Date.now() < deadline, 'no replacement worker started');
      starting = childPids().find((pid) => pid !== ready);
    }
    process.kill(starting, 'SIGKILL');
    const queued = Array.from({ length: 3 }, (_, i) => submission(jobs.echo, [`queued ${i}`]));
    for (const job of queued) await manager.submit(job);
    for (const [i, job] of queued.entries()) {
      const { outcome } = await drain(manager, job.id, { timeoutMs: 15_000 });
      assert.deepEqual(outcome, { kind: 'result', value: `queued ${i}` });
    }
  });

  it('two apps sharing one store file each run only their own jobs', async () => {
    const path = freshPath();
    const other = await import('../apps/shared-store.ts');
    const otherKey = other.app.registry.get('slow.children')!.background!.functionKey;
    const jobsManager = await started(path);
    const otherManager = await started(
      path,
      {},
      fileURLToPath(new URL('../apps/shared-store.ts', import.meta.url)),
    );
    const mine = Array.from({ length: 4 }, (_, i) => submission(jobs.echo, [`mine ${i}`]));
    const theirs = Array.from({ length: 4 }, () => ({
      ...submission(jobs.echo, []),
      functionKey: otherKey,
      args: [20],
    }));
    // All submitted through one manager: the other app's pool must still be the one that runs theirs.
    for (const job of [...mine, ...theirs]) await jobsManager.submit(job);
    for (const [i, job] of mine.entries()) {
      assert.deepEqual((await drain(jobsManager, job.id)).outcome, { kind: 'result', value: `mine ${i}` });
    }
    for (const job of theirs) {
      assert.deepEqual((await drain(otherManager, job.id)).outcome, { kind: 'result', value: 'slept 20 ms' });
    }
  });

  it('answers a job function the workers do not know with an error', async () => {
    const manager = await started(freshPath());
    const job = submission('no-such-function-key', []);
    await manager.submit(job);
    const { outcome } = await drain(manager, job.id);
    assert.equal(outcome?.kind, 'error');
    assert.match(outcome.kind === 'error' ? outcome.message : '', /does not define this job function/);
  });

  it('runs each job of a worker in a process of its own: a hard stop kills no neighbour', async () => {
    const manager = await started(freshPath(), { workers: 1, concurrency: 2 });
    const neighbour = submission(jobs.sleep, [500]);
    const busy = submission(jobs.busy, [30_000]);
    await manager.submit(neighbour);
    await manager.submit(busy);
    const [neighbourPid, busyPid] = await Promise.all([
      runningPid(manager, neighbour.id),
      runningPid(manager, busy.id),
    ]);
    assert.notEqual(neighbourPid, busyPid, 'two jobs of one worker share a process');
    await manager.cancel(busy.id);
    const drained = await drain(manager, neighbour.id);
    assert.deepEqual(drained.outcome, { kind: 'result', value: 'slept' });
    // Run once: a second start would have reported its pid again.
    assert.deepEqual(
      drained.sideUpdates.filter((update) => update.id === 'pid'),
      [],
    );
  });

  it('shares one file between two server processes: each job runs exactly once', async () => {
    const path = freshPath();
    const [a, b] = [await started(path), await started(path)];
    const runs = join(dir, 'runs.txt');
    writeFileSync(runs, '');
    const submitted = Array.from({ length: 40 }, (_, i) => submission(jobs.record, [runs, `token-${i}`]));
    await Promise.all(submitted.map((job, i) => (i % 2 ? a : b).submit(job)));
    // Each job is read through the manager that did not submit it.
    const outcomes = await Promise.all(
      submitted.map(async (job, i) => (await drain(i % 2 ? b : a, job.id)).outcome),
    );
    assert.deepEqual(
      outcomes,
      submitted.map((_, i) => ({ kind: 'result', value: `token-${i}` })),
    );
    const lines = readFileSync(runs, 'utf8').trim().split('\n').sort();
    assert.deepEqual(lines, submitted.map((_, i) => `token-${i}`).sort());
  });

  it('cancels through one server process a job that runs in another', async () => {
    const path = freshPath();
    const [a, b] = [await started(path), await started(path)];
    const job = submission(jobs.busy, [30_000]);
    await a.submit(job);
    const pid = await runningPid(b, job.id);
    await b.cancel(job.id);
    if (hasProc) await processGone(pid);
    const drained = await drain(a, job.id, { timeoutMs: 5000 });
    assert.equal(drained.outcome, undefined);
    assert.ok(['cancelled', 'unknown'].includes(drained.state));
  });

  it('a job that had started under a server process that is gone ends lost, and is not run again', async () => {
    const path = freshPath();
    const store = openStore(path);
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    const job = submission(jobs.echo, ['would run twice']);
    const now = Date.now();
    store.insertJob(job, now);
    store.heartbeat('dead-server', deadPid, hostname(), [job.id], now);
    assert.deepEqual(
      store.claim('dead-server', 1, ANY_JOB, now).map((claimed) => claimed.id),
      [job.id],
    );
    const manager = await started(path);
    assertLostAfterStart((await drain(manager, job.id)).outcome, /server process running this job stopped/);
  });

  it('a job only queued by a server process that is gone just runs', async () => {
    const path = freshPath();
    const store = openStore(path);
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    const job = submission(jobs.echo, ['never started']);
    const now = Date.now();
    store.heartbeat('dead-server', deadPid, hostname(), [], now);
    store.insertJob(job, now);
    const manager = await started(path);
    assert.deepEqual((await drain(manager, job.id)).outcome, { kind: 'result', value: 'never started' });
  });

  it('a server process SIGKILLed mid-job: its job ends lost in the next one and runs only once', async () => {
    const path = freshPath();
    const file = join(dir, `killed-mid-job-${Date.now()}.log`);
    const server = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), serverScript, path], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, DASH_TS_LOG: 'silent' },
    });
    const exited = once(server, 'exit');
    try {
      const [line] = await Promise.race([
        once(server.stdout, 'data'),
        exited.then(() => assert.fail('the server process exited before it was ready')),
      ]);
      assert.match(String(line), /ready/);
      const store = openStore(path);
      const job = submission(jobs.recordSlow, [file, 'once', 1500]);
      store.insertJob(job, Date.now());
      let workerPid: number | undefined;
      for (const deadline = Date.now() + 10_000; workerPid === undefined; await sleep(10)) {
        assert.ok(Date.now() < deadline, 'the server process never ran the job');
        const pid = store.take(job.id).update.sideUpdates.find((u) => u.id === 'pid')?.props.children;
        if (typeof pid === 'number') workerPid = pid;
      }
      server.kill('SIGKILL');
      await exited;
      // Its worker notices the lost channel and exits (it is between awaits, not in a busy loop).
      if (hasProc) await processGone(workerPid);
      const manager = await started(path);
      assertLostAfterStart((await drain(manager, job.id)).outcome, /server process running this job stopped/);
      await sleep(1700);
      assert.deepEqual(readFileSync(file, 'utf8').split('\n').filter(Boolean), ['start once']);
    } finally {
      server.kill('SIGKILL');
    }
  });

  it('a running job whose pool stopped heartbeating (hung or cut off) ends lost', async () => {
    const path = freshPath();
    const manager = await started(path);
    const store = openStore(path);
    const job = submission(jobs.echo, ['stale']);
    const longAgo = Date.now() - 10_000;
    // A live pid (ours) but a heartbeat from 10 s ago: a hung or partitioned server.
    store.insertJob(job, longAgo);
    store.heartbeat('hung-server', process.pid, hostname(), [job.id], longAgo);
    store.claim('hung-server', 1, ANY_JOB, longAgo);
    assertLostAfterStart((await drain(manager, job.id)).outcome, /server process running this job stopped/);
  });

  it('ends a job that runs past timeoutMs as timed out, and stops it', async () => {
    const manager = await started(freshPath(), { timeoutMs: 300 });
    const job = submission(jobs.busy, [30_000]);
    await manager.submit(job);
    const pid = await runningPid(manager, job.id);
    const { outcome } = await drain(manager, job.id);
    assert.equal(outcome?.kind, 'timed-out');
    assert.match(outcome.kind === 'timed-out' ? outcome.message : '', /timed out after 0.3 s/);
    if (hasProc) await processGone(pid);
    const next = submission(jobs.echo, ['next']);
    await manager.submit(next);
    assert.deepEqual((await drain(manager, next.id)).outcome, { kind: 'result', value: 'next' });
  });

  it('lets a job running at close() finish within shutdownGraceMs; its result is there for another server process', async () => {
    const path = freshPath();
    const first = await started(path);
    const job = submission(jobs.sleep, [300]);
    await first.submit(job);
    await runningPid(first, job.id);
    await first.close();
    const second = await started(path);
    assert.deepEqual((await drain(second, job.id)).outcome, { kind: 'result', value: 'slept' });
  });

  it('keeps only the newest unread progress values of a job nobody polls, and every setProps', () => {
    const store = openStore(freshPath());
    const job = submission(jobs.progress, [0]);
    store.insertJob(job, Date.now());
    store.claim('pool', 1, JSON.stringify([jobs.progress]), Date.now());
    for (let i = 0; i < 250; i++) {
      const events: EventRecord[] = [{ kind: 'progress', body: JSON.stringify([i]) }];
      if (i % 50 === 0) events.push({ kind: 'props', body: JSON.stringify(['x', { i }]) });
      store.pump('pool', [{ op: 'events', jobId: job.id, events }], 0, '[]', Date.now());
    }
    const { update } = store.take(job.id);
    assert.deepEqual(
      update.progress,
      Array.from({ length: 100 }, (_, i) => [150 + i]),
    );
    assert.deepEqual(
      update.sideUpdates.map((u) => u.props.i),
      [0, 50, 100, 150, 200],
    );
  });

  it('deletes finished jobs that nobody reads after finishedTtlMs', async () => {
    const path = freshPath();
    const manager = await started(path, { finishedTtlMs: 100 });
    const store = openStore(path);
    const job = submission(jobs.echo, ['unread']);
    await manager.submit(job);
    // Watch through a second connection, so that nothing is read (and so deleted) on the way.
    const deadline = Date.now() + 5000;
    while (store.owner(job.id) !== undefined) {
      assert.ok(Date.now() < deadline, 'the unread job was never deleted');
      await sleep(50);
    }
    assert.equal((await manager.takeUpdate(job.id, 0)).state, 'unknown');
  });
});
