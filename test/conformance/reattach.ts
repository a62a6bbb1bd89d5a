/**
 * Kept jobs (JobSubmission.keep) on the Manager contract, run by managerContract against every
 * manager: what `reattach` (api.md, "Users, and jobs that outlive their page") and the jobs API
 * stand on. A later page load of the same user finds the newest kept job of a callback and its
 * outputs (findKept), takes it over and is shown everything it showed so far (rejoin); a kept
 * outcome is answered to every read, by every server process, until its keep is over.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobSubmission, JobUpdate, KeptJobQuery, Manager } from '../../src/background/manager.ts';
import { jobs } from '../apps/jobs-app.ts';
import { emptyContext, submission } from '../support/submission.ts';
import { drain, type ManagerCapabilities, type ManagerFixture } from './manager-contract.ts';

/** A kept job of `user`, from a page load of its own, for the callback `callbackId`. */
function keptJob(
  functionKey: string,
  args: unknown[],
  user: string,
  options: {
    keep?: number;
    callbackId?: string;
    outputsKey?: string;
    context?: JobSubmission['context'];
  } = {},
): JobSubmission {
  const id = randomBytes(16).toString('base64url');
  return submission(functionKey, args, {
    id,
    owner: {
      endId: `end-${id}`,
      callbackId: options.callbackId ?? 'reattach.children',
      outputsKey: options.outputsKey ?? '"reattach.children"',
      user,
    },
    keep: { seconds: options.keep ?? 3600, findable: true },
    context: options.context ?? emptyContext,
  });
}

function queryOf(job: JobSubmission): KeptJobQuery {
  return { user: job.owner.user!, callbackId: job.owner.callbackId, outputsKey: job.owner.outputsKey };
}

/** Reads until `until` holds of what was read (each read is folded into the job's view). */
async function readUntil(
  manager: Manager,
  jobId: string,
  until: (update: JobUpdate) => boolean,
  timeoutMs = 20_000,
): Promise<JobUpdate> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const update = await manager.takeUpdate(jobId, 250);
    if (until(update)) return update;
    assert.ok(Date.now() < deadline, `job ${jobId}: still ${update.state} after ${timeoutMs} ms`);
  }
}

/** A fresh user name: no two cases see each other's jobs. */
const newUser = () => `user-${randomBytes(6).toString('hex')}`;

export function reattachContract(fixture: () => ManagerFixture, capabilities: ManagerCapabilities): void {
  describe('kept jobs (reattach, the jobs API)', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'dash-ts-reattach-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));
    const stepsDir = () => mkdtempSync(join(dir, 'steps-'));

    it('a later page load of the user finds a running kept job, and is shown what it showed so far, then the rest once', async () => {
      const { manager } = fixture();
      const folder = stepsDir();
      const job = keptJob(jobs.newsSteps, [folder], newUser());
      await manager.submit(job);
      // The first page reads the progress (and so it is no longer unread).
      await readUntil(manager, job.id, (u) => u.progress.length > 0);
      const found = await manager.findKept(queryOf(job));
      assert.equal(found, job.id);
      const rejoined = await manager.rejoin(job.id, 'end-second-page');
      assert.ok(rejoined, 'a running kept job can be rejoined');
      assert.equal(rejoined.state, 'running');
      assert.deepEqual(rejoined.progress, [['first']]);
      assert.deepEqual(rejoined.sideUpdates, []);
      assert.equal(rejoined.outcome, undefined);
      // The page that rejoined owns it now: its cancels and newer calls reach it.
      assert.equal((await manager.owner(job.id))?.endId, 'end-second-page');
      assert.deepEqual(
        (await manager.pageJobs('end-second-page')).map((j) => j.id),
        [job.id],
      );
      assert.equal((await manager.load('end-second-page')).pageUnfinished, 1);

      writeFileSync(join(folder, 'side'), '');
      const side = await readUntil(manager, job.id, (u) => u.sideUpdates.length > 0);
      assert.deepEqual(side.progress, [], 'progress already shown is not delivered again');
      assert.equal(side.sideUpdates[0]!.id, 'step');
      writeFileSync(join(folder, 'finish'), '');
      const finished = await drain(manager, job.id);
      assert.deepEqual(finished.outcome, { kind: 'result', value: 'done' });
    });

    it('a kept outcome is answered to every read, and a page load within keep is shown the result with all it showed', async () => {
      const { manager } = fixture();
      const folder = stepsDir();
      writeFileSync(join(folder, 'side'), '');
      writeFileSync(join(folder, 'finish'), '');
      const job = keptJob(jobs.newsSteps, [folder], newUser());
      await manager.submit(job);
      const drained = await drain(manager, job.id);
      assert.deepEqual(drained.outcome, { kind: 'result', value: 'done' });
      const again = await manager.takeUpdate(job.id, 0);
      assert.equal(again.state, 'finished');
      assert.deepEqual(again.outcome, { kind: 'result', value: 'done' }, 'read twice, answered twice');
      assert.deepEqual(again.progress, [], 'news is still delivered once');

      assert.equal(await manager.findKept(queryOf(job)), job.id);
      const rejoined = await manager.rejoin(job.id, 'end-later-page');
      assert.ok(rejoined);
      assert.equal(rejoined.state, 'finished');
      assert.deepEqual(rejoined.outcome, { kind: 'result', value: 'done' });
      assert.deepEqual(rejoined.progress, [['first']]);
      assert.deepEqual(
        rejoined.sideUpdates.map((u) => u.id),
        ['step'],
      );
    });

    it('finds the newest kept job of that user, callback and outputs, and nobody else does', async () => {
      const { manager } = fixture();
      const user = newUser();
      const older = keptJob(jobs.echo, ['older'], user);
      await manager.submit(older);
      await drain(manager, older.id);
      const newer = keptJob(jobs.echo, ['newer'], user);
      await manager.submit(newer);
      await drain(manager, newer.id);
      assert.equal(await manager.findKept(queryOf(newer)), newer.id);
      // Another user, another callback, other outputs: nothing.
      assert.equal(await manager.findKept({ ...queryOf(newer), user: newUser() }), undefined);
      assert.equal(await manager.findKept({ ...queryOf(newer), callbackId: 'other.children' }), undefined);
      assert.equal(await manager.findKept({ ...queryOf(newer), outputsKey: '"other.children"' }), undefined);
      // A job that is not kept is neither found nor rejoined; a kept one that is not findable (an
      // API job) is rejoined (by the API) but not found.
      const owner = { endId: 'end-plain', callbackId: 'plain.children', outputsKey: 'x', user };
      const plain = submission(jobs.echo, ['plain'], { owner });
      const unfindable = submission(jobs.echo, ['api'], { owner, keep: { seconds: 3600 } });
      await manager.submit(plain);
      await manager.submit(unfindable);
      assert.equal(
        await manager.findKept({ user, callbackId: 'plain.children', outputsKey: 'x' }),
        undefined,
      );
      assert.equal(await manager.rejoin(plain.id, 'end-thief'), undefined);
      await drain(manager, plain.id);
      await drain(manager, unfindable.id);
      assert.equal(
        await manager.findKept({ user, callbackId: 'plain.children', outputsKey: 'x' }),
        undefined,
      );
      assert.deepEqual((await manager.rejoin(unfindable.id, 'end-plain'))?.outcome, {
        kind: 'result',
        value: 'api',
      });
    });

    it('a cancelled kept job is not found', async () => {
      const { manager } = fixture();
      const job = keptJob(jobs.sleep, [10_000], newUser());
      await manager.submit(job);
      await manager.cancel(job.id);
      assert.equal(await manager.findKept(queryOf(job)), undefined);
      assert.equal(await manager.rejoin(job.id, 'end-x'), undefined);
    });

    it('nothing is found or rejoined once the keep is over', async () => {
      const { manager } = fixture();
      const job = keptJob(jobs.echo, ['short'], newUser(), { keep: 1 });
      await manager.submit(job);
      await drain(manager, job.id);
      assert.equal(await manager.findKept(queryOf(job)), job.id);
      const deadline = Date.now() + 10_000;
      while ((await manager.findKept(queryOf(job))) !== undefined) {
        assert.ok(Date.now() < deadline, 'still found 10 s after a keep of 1 s');
        await sleep(200);
      }
      assert.equal(await manager.rejoin(job.id, 'end-late'), undefined);
    });

    it("a stream's yields so far are shown to a page that rejoins mid-stream, and the rest once after", async () => {
      const { manager } = fixture();
      const n = 300;
      const job = keptJob(jobs.streamPatch, [n], newUser(), {
        context: { ...emptyContext, outputsList: { id: 'stream-patch', property: 'children' } },
      });
      await manager.submit(job);
      // The first page reads some of it, the second rejoins while it may still stream.
      await readUntil(manager, job.id, (u) => u.sideUpdates.length > 0 || u.outcome !== undefined);
      const rejoined = await manager.rejoin(job.id, 'end-rejoined');
      assert.ok(rejoined);
      const appended = (patch: unknown) =>
        (patch as { operations: { operation: string; params: { value: unknown } }[] }).operations
          .filter((o) => o.operation === 'Append')
          .map((o) => o.params.value);
      assert.equal(rejoined.sideUpdates.length, 1);
      const shown = appended(rejoined.sideUpdates[0]!.props.children);
      const rest = rejoined.outcome ? { sideUpdates: [] } : await drain(manager, job.id);
      const later = rest.sideUpdates.flatMap((u) => appended(u.props.children));
      assert.deepEqual(
        [...shown, ...later],
        Array.from({ length: n }, (_, i) => i + 1),
        'every Append once, in order',
      );
    });

    it('another server process on the same store (or one started after a restart) finds the job, rejoins it and reads its outcome', async (t) => {
      if (capabilities.inServerProcess) {
        t.skip('not applicable: its jobs live in the server process, which a restart ends');
        return;
      }
      const { manager } = fixture();
      const second = await fixture().sibling();
      const folder = stepsDir();
      const job = keptJob(jobs.newsSteps, [folder], newUser());
      await manager.submit(job);
      await readUntil(manager, job.id, (u) => u.progress.length > 0);
      assert.equal(await second.findKept(queryOf(job)), job.id);
      const rejoined = await second.rejoin(job.id, 'end-other-server');
      assert.deepEqual(rejoined?.progress, [['first']]);
      writeFileSync(join(folder, 'side'), '');
      writeFileSync(join(folder, 'finish'), '');
      const drained = await drain(second, job.id);
      assert.deepEqual(drained.outcome, { kind: 'result', value: 'done' });
      // The first server reads the outcome too.
      const first = await manager.takeUpdate(job.id, 0);
      assert.deepEqual(first.outcome, { kind: 'result', value: 'done' });
    });
  });
}
