/**
 * Users in the Manager contract (issue 18): a job carries who started it (JobOwner.user, and
 * `user` in its context snapshot) to the process that runs it, and Manager.load counts a user's
 * unfinished jobs (backgroundLimits.perUser), on every manager.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Manager } from '../../src/background/manager.ts';
import { jobs } from '../apps/jobs-app.ts';
import { emptyContext, submission } from '../support/submission.ts';

/** What `drain` gives, reduced to what these cases read. */
type Drain = (manager: Manager, jobId: string) => Promise<{ outcome: unknown }>;

export function userCases(manager: () => Manager, sibling: () => Promise<Manager>, drain: Drain): void {
  it("a job's ctx.user is the user of the request that started it, in the process that runs it", async () => {
    const job = submission(jobs.whoami, [], { context: { ...emptyContext, user: 'ada@example.com' } });
    job.owner = { ...job.owner, user: 'ada@example.com' };
    await manager().submit(job);
    assert.deepEqual(await manager().owner(job.id), job.owner);
    assert.deepEqual((await drain(manager(), job.id)).outcome, { kind: 'result', value: 'ada@example.com' });
    const nobody = submission(jobs.whoami, []);
    await manager().submit(nobody);
    assert.equal((await manager().owner(nobody.id))?.user, undefined);
    assert.deepEqual((await drain(manager(), nobody.id)).outcome, { kind: 'result', value: null });
  });

  it("load counts a user's unfinished jobs from every page load and server process, when asked (perUser)", async () => {
    const run = randomBytes(6).toString('hex');
    const [ada, bob] = [`ada-${run}`, `bob-${run}`];
    const other = await sibling();
    const job = (key: string, args: unknown[], endId: string, user: string) => {
      const made = submission(key, args);
      made.owner = { ...made.owner, endId, user };
      return made;
    };
    // ada: two tabs on this server process, one on another; bob: one job.
    const held = [
      job(jobs.sleep, [60_000], `tab-1-${run}`, ada),
      job(jobs.sleep, [60_000], `tab-1-${run}`, ada),
      job(jobs.sleep, [60_000], `tab-2-${run}`, ada),
      job(jobs.sleep, [60_000], `tab-3-${run}`, bob),
    ];
    for (const each of held.slice(0, 2)) await manager().submit(each);
    await other.submit(held[2]!);
    await manager().submit(held[3]!);
    const done = job(jobs.echo, ['done'], `tab-1-${run}`, ada);
    await manager().submit(done);
    const adaLoad = await manager().load(`tab-1-${run}`, ada);
    assert.ok(adaLoad.userUnfinished >= 3 && adaLoad.userUnfinished <= 4, JSON.stringify(adaLoad));
    assert.ok(adaLoad.pageUnfinished >= 2, JSON.stringify(adaLoad));
    assert.ok((await other.load(`tab-9-${run}`, ada)).userUnfinished >= 3);
    assert.equal((await manager().load(`tab-3-${run}`, bob)).userUnfinished, 1);
    assert.equal((await manager().load(`tab-1-${run}`)).userUnfinished, 0, 'not counted when not asked');
    assert.equal((await manager().load(`tab-1-${run}`, `nobody-${run}`)).userUnfinished, 0);
    for (const each of held) await manager().cancel(each.id);
    // Finished (even unread) and cancelled jobs no longer count.
    const deadline = Date.now() + 10_000;
    while ((await manager().load(`tab-1-${run}`, ada)).userUnfinished > 0) {
      assert.ok(Date.now() < deadline, JSON.stringify(await manager().load(`tab-1-${run}`, ada)));
      await sleep(50);
    }
    assert.equal((await manager().load(`tab-3-${run}`, bob)).userUnfinished, 0);
    assert.deepEqual((await drain(manager(), done.id)).outcome, { kind: 'result', value: 'done' });
  });
}
