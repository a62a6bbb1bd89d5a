/**
 * Streaming callbacks (generator functions) on the Manager contract, run by managerContract
 * against every manager: a stream is a job whose updates are its yields, each carried as
 * setProps calls on the callback's own outputs, in order, never dropped.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_POLICY } from '../../src/background/job-options/policy.ts';
import type { JobSubmission, Manager } from '../../src/background/manager.ts';
import { SideUpdates } from '../../src/callbacks/context.ts';
import { jobs } from '../apps/jobs-app.ts';
import { logLines } from '../support/log-lines.ts';
import { emptyContext } from '../support/submission.ts';
import {
  drain,
  type ManagerCapabilities,
  needsWorkerProcesses,
  runningPid,
  submission,
} from './manager-contract.ts';

const NO_UPDATE = { _dash_no_update: '_dash_no_update' };

/** A stream job whose output is `<name>.children` (as the start request names it). */
function streamJob(
  key: string,
  name: string,
  args: unknown[],
  extra: Partial<JobSubmission> = {},
): JobSubmission {
  return submission(key, args, {
    context: { ...emptyContext, outputsList: { id: name, property: 'children' } },
    ...extra,
  });
}

const children = (id: string, value: unknown) => ({ id, props: { children: value } });

export function streamingContract(manager: () => Manager, capabilities: ManagerCapabilities): void {
  describe('streaming callbacks', () => {
    let dir: string;
    let files = 0;
    const file = () => join(dir, `stream-${++files}.log`);
    const lines = logLines;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'dash-ts-streaming-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('delivers every yield as an update of its outputs, in order; returning nothing adds nothing', async () => {
      const job = streamJob(jobs.stream, 'stream', [5, 10]);
      await manager().submit(job);
      const drained = await drain(manager(), job.id);
      assert.deepEqual(
        drained.sideUpdates,
        [1, 2, 3, 4, 5].map((i) => children('stream', `token ${i}`)),
      );
      assert.deepEqual(drained.outcome, { kind: 'result', value: NO_UPDATE });
    });

    it('never loses a Patch yielded in a tight loop, and keeps their order', async () => {
      const n = 500;
      const job = streamJob(jobs.streamPatch, 'stream-patch', [n]);
      await manager().submit(job);
      const drained = await drain(manager(), job.id);
      const appended = drained.sideUpdates.map((u) => {
        assert.equal(u.id, 'stream-patch');
        const patch = u.props.children as { operations: { operation: string; params: { value: number } }[] };
        assert.equal(patch.operations.length, 1);
        assert.equal(patch.operations[0]!.operation, 'Append');
        return patch.operations[0]!.params.value;
      });
      assert.deepEqual(
        appended,
        Array.from({ length: n }, (_, i) => i + 1),
      );
      // Folded into one answer (as a poll does), the Patches concatenate, in order.
      const folded = new SideUpdates();
      for (const u of drained.sideUpdates) folded.set(u.id, u.props);
      const merged = folded.toJSON()['stream-patch']!.children as { operations: unknown[] };
      assert.equal(merged.operations.length, n);
    });

    it('whole values folded into one answer: the latest wins', async () => {
      const job = streamJob(jobs.stream, 'stream', [4, 0]);
      await manager().submit(job);
      const drained = await drain(manager(), job.id);
      const folded = new SideUpdates();
      for (const u of drained.sideUpdates) folded.set(u.id, u.props);
      assert.deepEqual(folded.toJSON(), { stream: { children: 'token 4' } });
    });

    it('skips noUpdate outputs, and a yield that updates nothing sends nothing', async () => {
      const job = submission(jobs.streamTwo, [], {
        context: {
          ...emptyContext,
          outputsList: [
            { id: 'stream-two-a', property: 'children' },
            { id: 'stream-two-b', property: 'children' },
          ],
        },
      });
      await manager().submit(job);
      const drained = await drain(manager(), job.id);
      assert.deepEqual(drained.sideUpdates, [
        children('stream-two-b', 'b1'),
        children('stream-two-a', 'a1'),
        { id: 'stream-two-a', props: { children: 'a2' } },
        { id: 'stream-two-b', props: { children: 'b2' } },
      ]);
      assert.deepEqual(drained.outcome, { kind: 'result', value: NO_UPDATE });
    });

    it('streams from a sync generator; its return value is the final result', async () => {
      const job = streamJob(jobs.streamSync, 'stream-sync', []);
      await manager().submit(job);
      const drained = await drain(manager(), job.id);
      assert.deepEqual(drained.sideUpdates, [children('stream-sync', 'a'), children('stream-sync', 'b')]);
      assert.deepEqual(drained.outcome, { kind: 'result', value: 'c' });
    });

    it('an error mid-stream ends it as an error, after the yields before it', async () => {
      const job = streamJob(jobs.streamFail, 'stream-fail', [file(), 2]);
      await manager().submit(job);
      const drained = await drain(manager(), job.id);
      assert.deepEqual(drained.sideUpdates, [
        children('stream-fail', 'try 1 yield 1'),
        children('stream-fail', 'try 1 yield 2'),
      ]);
      assert.equal(drained.outcome?.kind, 'error');
      assert.equal(drained.outcome.kind === 'error' && drained.outcome.message, 'stream broke');
    });

    it('a retried stream starts over from its first yield', async () => {
      const log = file();
      const job = streamJob(jobs.streamFail, 'stream-fail', [log, 2], {
        policy: { ...DEFAULT_POLICY, retry: { attempts: 2, backoffSeconds: 0.1, onLost: false } },
      });
      await manager().submit(job);
      const drained = await drain(manager(), job.id);
      assert.deepEqual(lines(log), ['1 1', '1 2', '2 1', '2 2']);
      assert.deepEqual(
        drained.sideUpdates.map((u) => u.props.children),
        ['try 1 yield 1', 'try 1 yield 2', 'try 2 yield 1', 'try 2 yield 2'],
      );
      assert.equal(drained.outcome?.kind, 'error');
    });

    it('cancel ends the generator: its finally runs, no result is delivered', async () => {
      const log = file();
      const job = streamJob(jobs.streamEndless, 'stream-endless', [log]);
      await manager().submit(job);
      await runningPid(manager(), job.id);
      await drain(manager(), job.id, { until: (d) => d.sideUpdates.length >= 3 });
      await manager().cancel(job.id);
      const drained = await drain(manager(), job.id, { timeoutMs: 5000 });
      assert.equal(drained.outcome, undefined);
      await until(() => lines(log).includes('finally'), "the generator's finally never ran");
    });

    it('a timeout ends the generator (its finally runs) and the job as timed out', async () => {
      const log = file();
      const job = streamJob(jobs.streamEndless, 'stream-endless', [log], {
        policy: { ...DEFAULT_POLICY, timeoutSeconds: 1 },
      });
      await manager().submit(job);
      // The limit counts from the try's start: the generator has run when it strikes.
      await runningPid(manager(), job.id);
      const drained = await drain(manager(), job.id);
      assert.equal(drained.outcome?.kind, 'timed-out');
      assert.ok(drained.sideUpdates.length >= 3, `only ${drained.sideUpdates.length} yields in 1 s`);
      await until(() => lines(log).includes('finally'), "the generator's finally never ran");
    });

    it(
      'a stream whose worker is killed ends as lost, after the yields before it',
      needsWorkerProcesses(capabilities, 'there is no worker to kill (the job would kill the server)'),
      async () => {
        const job = streamJob(jobs.streamSuicide, 'stream-suicide', []);
        await manager().submit(job);
        const drained = await drain(manager(), job.id);
        assert.deepEqual(drained.sideUpdates, [children('stream-suicide', 'before')]);
        assert.equal(drained.outcome?.kind, 'lost');
      },
    );
  });
}

async function until(check: () => boolean, message: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    assert.ok(Date.now() < deadline, message);
    await sleep(20);
  }
}
