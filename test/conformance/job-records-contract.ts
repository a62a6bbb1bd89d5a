/**
 * The jobs monitor's part of the Manager contract: once recording is on, a scripted mix of jobs
 * (succeed, fail, a killed worker process, cancel, supersede) leaves one record each, with its
 * outcome, transitions, attempts, worker, error and user, and the running totals grow by exactly the
 * jobs run; a second manager on the same store reads the same. Runs inside managerContract.
 * A manager whose jobs run in the server process (InProcessManager) has no worker process to
 * kill: its mix leaves that job out, and its one worker is the server process.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { DEFAULT_POLICY } from '../../src/background/job-options/policy.ts';
import type { JobPolicy, Manager } from '../../src/background/manager.ts';
import type {
  JobRecords,
  RecordedOutcome,
  RecordsSnapshot,
  RecordTotals,
} from '../../src/background/records.ts';
import { jobs } from '../apps/jobs-app.ts';
import { drain, type ManagerCapabilities, runningPid, submission } from './manager-contract.ts';

function recordsOf(manager: Manager): JobRecords {
  assert.ok(manager.jobRecords, `${manager.kind} offers no job records`);
  return manager.jobRecords();
}

function finishedCount(totals: RecordTotals, callbackId: string, outcome: RecordedOutcome): number {
  return totals.finished.find((t) => t.callbackId === callbackId && t.outcome === outcome)?.count ?? 0;
}

function durationCount(totals: RecordTotals, callbackId: string, metric: 'run' | 'wait'): number {
  const entry = totals.durations.find((d) => d.callbackId === callbackId && d.metric === metric);
  return entry ? entry.buckets.reduce((a, b) => a + b, 0) : 0;
}

export function jobRecordsCases(
  manager: () => Manager,
  sibling: () => Promise<Manager>,
  capabilities: ManagerCapabilities,
): void {
  // The killed worker of the mix would be the test's own process.
  const killable = !capabilities.inServerProcess;
  it('records a mix of jobs: outcomes, transitions, attempts, workers, errors and totals', async () => {
    const records = recordsOf(manager());
    await records.enable(60 * 60 * 1000);
    const callbackId = `records-${randomBytes(4).toString('hex')}.children`;
    const owned = (key: string, args: unknown[] = [], policy?: Partial<JobPolicy>) => {
      const job = submission(key, args);
      job.owner = { ...job.owner, callbackId };
      if (policy) job.policy = { ...DEFAULT_POLICY, ...policy };
      return job;
    };
    const before = (await records.read()).totals;

    const ok1 = owned(jobs.echo, ['a']);
    const ok2 = owned(jobs.asyncEcho, ['b']);
    const failed = owned(jobs.throws);
    const killed = owned(jobs.suicide);
    const timedOut = owned(jobs.sleep, [30_000], { timeoutSeconds: 0.3 });
    const retried = owned(jobs.throws, [], { retry: { attempts: 2, backoffSeconds: 0, onLost: false } });
    // Who started a job is recorded, through a success, retries and a cancel (JobOwner.user).
    ok1.owner = { ...ok1.owner, user: 'ada@example.com' };
    retried.owner = { ...retried.owner, user: 'bob' };
    const ended = killable
      ? [ok1, ok2, failed, killed, timedOut, retried]
      : [ok1, ok2, failed, timedOut, retried];
    for (const job of ended) await manager().submit(job);
    // Generous waits: killed and timed-out jobs have their worker processes replaced, which on a
    // loaded machine takes a while.
    for (const job of ended) await drain(manager(), job.id, { timeoutMs: 60_000 });

    const cancelled = owned(jobs.sleep, [30_000]);
    const superseded = owned(jobs.sleep, [30_000]);
    cancelled.owner = { ...cancelled.owner, user: 'ada@example.com' };
    await manager().submit(cancelled);
    await manager().submit(superseded);
    await runningPid(manager(), cancelled.id, 60_000);
    await runningPid(manager(), superseded.id, 60_000);
    await manager().cancel(cancelled.id);
    await manager().cancel(superseded.id, 'supersede');

    const snapshot = await records.read();
    const byId = new Map(snapshot.jobs.map((job) => [job.id, job]));
    const expected: [string, RecordedOutcome][] = [
      [ok1.id, 'succeeded'],
      [ok2.id, 'succeeded'],
      [failed.id, 'failed'],
      ...(killable ? [[killed.id, 'lost'] as [string, RecordedOutcome]] : []),
      [timedOut.id, 'timed-out'],
      [cancelled.id, 'cancelled'],
      [superseded.id, 'superseded'],
    ];
    for (const [id, outcome] of expected) {
      const record = byId.get(id);
      assert.ok(record, `no record of the ${outcome} job`);
      assert.equal(record.callbackId, callbackId);
      assert.equal(record.state, 'finished');
      assert.equal(record.outcome, outcome, `job ${id}`);
      assert.equal(record.attempts, 1);
      assert.ok(record.worker, `no worker recorded for the ${outcome} job`);
      assert.deepEqual(
        record.transitions.map((t) => t.state),
        ['queued', 'running', 'finished'],
      );
      const [queued, started, finished] = record.transitions.map((t) => t.at) as [number, number, number];
      assert.ok(queued <= started && started <= finished, JSON.stringify(record.transitions));
      assert.equal(record.queuedAt, queued);
      assert.equal(record.startedAt, started);
      assert.equal(record.finishedAt, finished);
      assert.ok(!('args' in record) && !('value' in record) && !('result' in record));
    }
    const failure = byId.get(failed.id)!.error;
    assert.equal(failure?.message, 'job exploded');
    assert.match(failure?.stack ?? '', /job exploded/);
    if (killable) assert.match(byId.get(killed.id)!.error?.message ?? '', /SIGKILL|killed|died/i);
    assert.match(byId.get(timedOut.id)!.error?.message ?? '', /timed out/);
    assert.equal(byId.get(ok1.id)!.error, undefined);
    assert.equal(byId.get(ok1.id)!.user, 'ada@example.com');
    assert.equal(byId.get(retried.id)!.user, 'bob');
    assert.equal(byId.get(cancelled.id)!.user, 'ada@example.com');
    for (const job of [ok2, failed, timedOut, superseded]) assert.equal(byId.get(job.id)!.user, undefined);
    // A retried job: one record, every try in its transitions, the last try's error.
    const retry = byId.get(retried.id)!;
    assert.deepEqual([retry.outcome, retry.attempts, retry.error?.message], ['failed', 2, 'job exploded']);
    assert.deepEqual(
      retry.transitions.map((t) => t.state),
      ['queued', 'running', 'queued', 'running', 'finished'],
    );

    // The worker that ran the cancelled job still lives (the killed job's may not).
    const worker = snapshot.workers.find((w) => w.id === byId.get(cancelled.id)!.worker);
    assert.ok(worker, `the worker of a job is listed (${JSON.stringify(snapshot.workers)})`);
    assert.ok(worker.host.length > 0 && worker.pid > 0);
    assert.equal(worker.status, 'alive');

    const after = snapshot.totals;
    const grown = (outcome: RecordedOutcome) =>
      finishedCount(after, callbackId, outcome) - finishedCount(before, callbackId, outcome);
    assert.deepEqual(
      ['succeeded', 'failed', 'lost', 'cancelled', 'superseded', 'timed-out'].map((o) =>
        grown(o as RecordedOutcome),
      ),
      [2, 2, killable ? 1 : 0, 1, 1, 1],
    );
    // One wait per job (to its first try), one run per job that ended after running.
    assert.equal(durationCount(after, callbackId, 'wait'), killable ? 8 : 7);
    assert.equal(durationCount(after, callbackId, 'run'), killable ? 8 : 7);

    // Another server process on the same store reads the same records and totals.
    const other = await sibling();
    assert.ok(other.jobRecords);
    const seen = await other.jobRecords().read();
    assert.deepEqual(comparable(seen, callbackId), comparable(snapshot, callbackId));
  });
}

function comparable(snapshot: RecordsSnapshot, callbackId: string) {
  return {
    jobs: snapshot.jobs.filter((job) => job.callbackId === callbackId),
    totals: snapshot.totals.finished.filter((t) => t.callbackId === callbackId),
    durations: snapshot.totals.durations.filter((d) => d.callbackId === callbackId),
  };
}
