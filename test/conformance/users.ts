/**
 * Users in the Manager contract (issue 18): a job carries who started it (JobOwner.user, and
 * `user` in its context snapshot) to the process that runs it, on every manager.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Manager } from '../../src/background/manager.ts';
import { jobs } from '../apps/jobs-app.ts';
import { emptyContext, submission } from '../support/submission.ts';

/** What `drain` gives, reduced to what these cases read. */
type Drain = (manager: Manager, jobId: string) => Promise<{ outcome: unknown }>;

export function userCases(manager: () => Manager, drain: Drain): void {
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
}
