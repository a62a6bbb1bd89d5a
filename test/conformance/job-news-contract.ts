/**
 * The Manager contract's news seam (Manager.subscribe): a subscriber is woken when a job has
 * news, so it reads the job only then, never polling. The job (jobs-app's news-steps) moves on
 * only when the test says so, so each read shows exactly one step: progress, then a side update
 * (made in the worker process, where there is one), then the outcome, each found because the
 * subscriber was woken.
 * Runs inside managerContract.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import type { JobUpdate, Manager } from '../../src/background/manager.ts';
import { jobs } from '../apps/jobs-app.ts';
import { drain, type ManagerCapabilities, needsWorkerProcesses, submission } from './manager-contract.ts';

/** How long a step may take to wake the subscriber before the test fails. */
const WAKE_WITHIN_MS = 10_000;

/** Counts a subscriber's calls, and lets the test wait for the next one. */
class Woken {
  calls = 0;
  #pending = false;
  #resolve: (() => void) | undefined;

  readonly onNews = (): void => {
    this.calls++;
    this.#pending = true;
    this.#resolve?.();
  };

  async next(what: string): Promise<void> {
    if (!this.#pending) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve, reject) => {
        this.#resolve = resolve;
        timer = setTimeout(
          () => reject(new Error(`the subscriber was not woken for ${what} within ${WAKE_WITHIN_MS} ms`)),
          WAKE_WITHIN_MS,
        );
      }).finally(() => clearTimeout(timer));
    }
    this.#pending = false;
  }
}

/** Reads (without waiting) each time `woken` is called, until `done` holds for what was read. */
async function readWhenWoken(
  manager: Manager,
  jobId: string,
  woken: Woken,
  what: string,
  done: (update: JobUpdate) => boolean,
): Promise<JobUpdate> {
  for (;;) {
    await woken.next(what);
    const update = await manager.takeUpdate(jobId, 0);
    // Several wake-ups may come for one change (and some for none): an empty read waits again.
    if (update.progress.length === 0 && update.sideUpdates.length === 0 && !update.outcome) continue;
    assert.ok(done(update), `reading for ${what}, got ${JSON.stringify(update)}`);
    return update;
  }
}

/**
 * Follows a news-steps job submitted on `submitter` through a subscription on `reader`, with a
 * second subscription that ends after the first step and must not be called after that.
 */
async function followByNews(reader: Manager, submitter: Manager, inServerProcess: boolean): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dash-ts-news-'));
  const job = submission(jobs.newsSteps, [dir]);
  const woken = new Woken();
  const early = new Woken();
  // Before the submit: a job may be subscribed to before it exists.
  const unsubscribe = reader.subscribe(job.id, woken.onNews);
  const unsubscribeEarly = reader.subscribe(job.id, early.onNews);
  try {
    await submitter.submit(job);
    const first = await readWhenWoken(reader, job.id, woken, 'progress', (u) => u.progress.length > 0);
    assert.deepEqual([first.progress, first.sideUpdates, first.outcome], [[['first']], [], undefined]);

    unsubscribeEarly();
    unsubscribeEarly();
    const earlyCalls = early.calls;
    assert.ok(earlyCalls >= 1, 'the second subscriber was not woken by the progress');

    writeFileSync(join(dir, 'side'), '');
    const second = await readWhenWoken(
      reader,
      job.id,
      woken,
      'a side update',
      (u) => u.sideUpdates.length > 0,
    );
    assert.deepEqual([second.progress, second.outcome], [[], undefined]);
    const [side] = second.sideUpdates;
    assert.equal(side?.id, 'step');
    const workerPid = side?.props.children;
    assert.equal(typeof workerPid, 'number');
    if (!inServerProcess)
      assert.notEqual(workerPid, process.pid, 'the side update came from the server process');

    writeFileSync(join(dir, 'finish'), '');
    const third = await readWhenWoken(reader, job.id, woken, 'the finish', (u) => u.outcome !== undefined);
    assert.deepEqual(third.outcome, { kind: 'result', value: 'done' });

    assert.equal(early.calls, earlyCalls, 'a subscriber was called after it unsubscribed');
  } finally {
    unsubscribe();
    unsubscribeEarly();
    await submitter.cancel(job.id).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

export function jobNewsCases(
  manager: () => Manager,
  sibling: () => Promise<Manager>,
  capabilities: ManagerCapabilities,
): void {
  const inServerProcess = capabilities.inServerProcess === true;
  it('subscribe: woken on progress, a side update and the finish; unsubscribe stops the calls', async () => {
    await followByNews(manager(), manager(), inServerProcess);
  });

  it(
    "subscribe: news from a worker process reaches another server's subscriber",
    needsWorkerProcesses(capabilities, 'there is no worker process, nor another server on the same store'),
    async () => {
      await followByNews(await sibling(), manager(), inServerProcess);
    },
  );

  it('subscribe: a subscription to an unknown job does no harm', async () => {
    const woken = new Woken();
    const unsubscribe = manager().subscribe('no-such-job', woken.onNews);
    const job = submission(jobs.echo, ['unharmed']);
    await manager().submit(job);
    assert.deepEqual((await drain(manager(), job.id)).outcome, { kind: 'result', value: 'unharmed' });
    assert.equal((await manager().takeUpdate('no-such-job', 0)).state, 'unknown');
    unsubscribe();
    unsubscribe();
  });
}
