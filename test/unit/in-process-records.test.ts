/**
 * InProcessManager's monitor records stay bounded in memory: beyond MAX_RECORDS the oldest
 * finished records go first (unfinished ones stay), records that left the window go, and the
 * totals keep counting every job. Nothing is kept before the monitor turns recording on.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { InProcessManager } from '../../src/background/in-process/index.ts';
import { MAX_RECORDS, MemoryRecords } from '../../src/background/in-process/records.ts';
import { consoleLogger } from '../../src/base/log.ts';
import { jobs } from '../apps/jobs-app.ts';
import { submission } from '../support/submission.ts';

const result = { outcome: { kind: 'result', value: 1 } } as const;

describe('InProcessManager records', () => {
  it('keeps nothing until recording is turned on', async () => {
    const records = new MemoryRecords();
    records.queued('a', 'cb.children', 'page');
    records.started('a', 1);
    records.finished('a', result, true);
    await records.enable(60_000);
    const snapshot = await records.read();
    assert.deepEqual(snapshot.jobs, []);
    assert.deepEqual(snapshot.totals.finished, []);
  });

  it(`keeps at most ${MAX_RECORDS} records, dropping the oldest finished ones first`, async () => {
    const records = new MemoryRecords();
    await records.enable(60 * 60 * 1000);
    records.queued('unfinished', 'cb.children', 'page');
    records.started('unfinished', 1);
    const total = MAX_RECORDS + 500;
    for (let i = 0; i < total; i++) {
      const id = `job-${i}`;
      records.queued(id, 'cb.children', 'page');
      records.started(id, 1);
      records.finished(id, result, true);
    }
    const { jobs, totals } = await records.read();
    assert.ok(jobs.length <= MAX_RECORDS, `${jobs.length} records kept`);
    const ids = new Set(jobs.map((job) => job.id));
    assert.ok(ids.has('unfinished'), 'a running job lost its record');
    assert.ok(ids.has(`job-${total - 1}`) && !ids.has('job-0'), 'not the oldest finished ones dropped');
    assert.equal(totals.finished.find((t) => t.outcome === 'succeeded')?.count, total);
  });

  it('drops finished records that left the window', async () => {
    const records = new MemoryRecords();
    await records.enable(50);
    records.queued('old', 'cb.children', 'page');
    records.finished('old', { cancelled: 'supersede' }, false);
    records.queued('waiting', 'cb.children', 'page');
    await sleep(100);
    const { jobs, totals } = await records.read();
    assert.deepEqual(
      jobs.map((job) => job.id),
      ['waiting'],
    );
    assert.equal(totals.finished.find((t) => t.outcome === 'superseded')?.count, 1);
  });

  it('a job still running when its manager closes ends lost in the records, its process stopped', async () => {
    const manager = new InProcessManager();
    await manager.start({ appModule: undefined, logger: consoleLogger });
    await manager.jobRecords().enable(60_000);
    const job = submission(jobs.sleep, [30_000]);
    await manager.submit(job);
    while ((await manager.jobRecords().read()).jobs[0]?.state !== 'running') await sleep(10);
    await manager.close();
    const { jobs: records, workers } = await manager.jobRecords().read();
    assert.deepEqual(
      records.map((r) => [r.id, r.state, r.outcome]),
      [[job.id, 'finished', 'lost']],
    );
    assert.equal(workers[0]?.status, 'stopped');
  });
});
