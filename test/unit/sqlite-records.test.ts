/**
 * SqliteManager's job records on a real file, with two stores open on it as two server processes
 * would: each buffers its changes and writes them in batches, so one job's changes can reach the
 * file out of order (the claiming process first); the record still comes out whole and in order,
 * counted once. A transaction that rolls back records nothing; while recording is off nothing is
 * written.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import type { RecordsSnapshot } from '../../src/background/records.ts';
import { Store } from '../../src/background/sqlite/store.ts';
import { submission } from '../support/submission.ts';

const KEYS = JSON.stringify(['job-key']);
const dir = mkdtempSync(join(tmpdir(), 'dash-ts-records-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let stores: Store[] = [];
let fileNumber = 0;
/** Stores open on one new file. */
function openFile(count: number): Store[] {
  const path = join(dir, `records${++fileNumber}.db`);
  const opened = Array.from({ length: count }, () => new Store(path));
  stores.push(...opened);
  return opened;
}
afterEach(() => {
  for (const store of stores) store.close();
  stores = [];
});

function counted(snapshot: RecordsSnapshot, metric: 'run' | 'wait'): number {
  const entry = snapshot.totals.durations.find(
    (d) => d.callbackId === 'test.children' && d.metric === metric,
  );
  return entry ? entry.buckets.reduce((a, b) => a + b, 0) : 0;
}

describe('SqliteManager job records', () => {
  it('merges one job changed by two processes whose batches arrive out of order', () => {
    const [queuing, running] = openFile(2) as [Store, Store];
    queuing.records.enable(3_600_000);
    const job = submission('job-key', []);
    const t0 = Date.now();
    queuing.insertJob(job, t0);
    assert.equal(running.claim('pool-b', 1, KEYS, t0 + 5)[0]?.id, job.id);
    const outcome = JSON.stringify({ kind: 'error', message: 'boom', stack: 'Error: boom\n    at job' });
    running.pump(
      'pool-b',
      [
        { op: 'worker', jobId: job.id, workerId: 'host-b:42' },
        { op: 'finish', jobId: job.id, outcome, cacheable: false },
      ],
      0,
      KEYS,
      t0 + 20,
    );
    // The claiming process writes first: its record lacks the queueing until the other's batch.
    running.records.flush();
    queuing.records.flush();

    const snapshot = running.records.read(t0 + 30);
    assert.equal(snapshot.jobs.length, 1);
    const [record] = snapshot.jobs;
    assert.deepEqual(record, {
      id: job.id,
      callbackId: 'test.children',
      page: job.owner.endId,
      state: 'finished',
      outcome: 'failed',
      attempts: 1,
      worker: 'host-b:42',
      error: { message: 'boom', stack: 'Error: boom\n    at job' },
      queuedAt: t0,
      startedAt: t0 + 5,
      finishedAt: t0 + 20,
      transitions: [
        { state: 'queued', at: t0 },
        { state: 'running', at: t0 + 5 },
        { state: 'finished', at: t0 + 20 },
      ],
    });
    assert.deepEqual(snapshot.totals.finished, [
      { callbackId: 'test.children', outcome: 'failed', count: 1 },
    ]);
    assert.deepEqual([counted(snapshot, 'wait'), counted(snapshot, 'run')], [1, 1]);
  });

  it('keeps every try of a retried job, written in several batches', () => {
    const [store] = openFile(1) as [Store];
    store.records.enable(3_600_000);
    const job = submission('job-key', []);
    const t0 = Date.now();
    store.insertJob(job, t0);
    store.claim('pool', 1, KEYS, t0 + 1);
    store.records.flush();
    store.pump('pool', [{ op: 'retry', jobId: job.id, delayMs: 0 }], 0, KEYS, t0 + 2);
    store.records.flush();
    store.claim('pool', 1, KEYS, t0 + 3);
    store.pump(
      'pool',
      [
        {
          op: 'finish',
          jobId: job.id,
          outcome: JSON.stringify({ kind: 'result', value: 'x'.repeat(10_000) }),
          cacheable: false,
        },
      ],
      0,
      KEYS,
      t0 + 4,
    );

    const snapshot = store.records.read(t0 + 5);
    const [record] = snapshot.jobs;
    assert.deepEqual(
      record?.transitions.map((t) => [t.state, t.at - t0]),
      [
        ['queued', 0],
        ['running', 1],
        ['queued', 2],
        ['running', 3],
        ['finished', 4],
      ],
    );
    assert.deepEqual(
      [record?.state, record?.outcome, record?.attempts, record?.startedAt],
      ['finished', 'succeeded', 2, t0 + 3],
    );
    assert.equal(record?.error, undefined);
    assert.deepEqual(snapshot.totals.finished, [
      { callbackId: 'test.children', outcome: 'succeeded', count: 1 },
    ]);
    // The wait counts once (to the first try), the run once (the try that ended).
    assert.deepEqual([counted(snapshot, 'wait'), counted(snapshot, 'run')], [1, 1]);
  });

  it('records nothing of a transaction that rolled back', () => {
    const [store] = openFile(1) as [Store];
    store.records.enable(3_600_000);
    const job = submission('job-key', []);
    store.insertJob(job, Date.now());
    assert.throws(() => store.insertJob(job, Date.now()), /UNIQUE/);
    const [record] = store.records.read(Date.now()).jobs;
    assert.deepEqual(
      record?.transitions.map((t) => t.state),
      ['queued'],
    );
  });

  it('writes nothing while recording is off, and records a cancel once it is on', () => {
    const [store, other] = openFile(2) as [Store, Store];
    const before = submission('job-key', []);
    store.insertJob(before, Date.now());
    store.records.flush();
    // Another process turns recording on: this one's later changes are written.
    other.records.enable(3_600_000);
    const job = submission('job-key', [], { owner: { ...before.owner, callbackId: 'test.children' } });
    const t0 = Date.now();
    store.insertJob(job, t0);
    store.cancel(job.id, t0 + 1, 'supersede');
    const snapshot = other.records.read(t0 + 2);
    assert.deepEqual(
      snapshot.jobs.map((r) => [r.id, r.outcome, r.transitions.map((t) => t.state)]),
      [[job.id, 'superseded', ['queued', 'finished']]],
    );
    assert.deepEqual(snapshot.totals.finished, [
      { callbackId: 'test.children', outcome: 'superseded', count: 1 },
    ]);
    // Cancelled while queued: it never ran, so no run time.
    assert.equal(counted(snapshot, 'run'), 0);
  });
});
