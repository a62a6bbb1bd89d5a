/**
 * `maxConcurrent.perUser` in the Manager contract (JobPolicy.maxConcurrentPerUser): at most that
 * many jobs of one callback run at once per user (owner.user; per page load without one); more
 * wait in line, reporting their place, and are passed over rather than blocking the jobs of
 * other users behind them; when one of the user's jobs ends the next of theirs starts. Run by
 * managerContract against every manager (2 slots); perUserLimitsAtScale runs it on several
 * workers each running several jobs at once. Jobs of test/apps/jobs-app.ts, through the
 * Manager interface only.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_POLICY } from '../../src/background/job-options/policy.ts';
import type { JobPolicy, JobSubmission, Manager } from '../../src/background/manager.ts';
import { jobs } from '../apps/jobs-app.ts';
import { logLines } from '../support/log-lines.ts';
import { submission } from '../support/submission.ts';

/** A policy that reports the place in line and runs at most `perUser` jobs at once per user. */
export function perUserPolicy(perUser: number, changes: Partial<JobPolicy> = {}): JobPolicy {
  return { ...DEFAULT_POLICY, reportQueue: true, maxConcurrentPerUser: perUser, ...changes };
}

/** A job of `user` (undefined: none), from a page load of its own unless `page` is given. */
export function userJob(
  key: string,
  args: unknown[],
  user: string | undefined,
  policy: JobPolicy,
  page?: string,
): JobSubmission {
  const job = submission(key, args, { policy });
  job.owner = { ...job.owner, ...(user === undefined ? {} : { user }), ...(page ? { endId: page } : {}) };
  return job;
}

/** Tokens of the `start <token>` lines, in order. */
export function started(log: string): string[] {
  return logLines(log)
    .filter((line) => line.startsWith('start '))
    .map((line) => line.slice('start '.length));
}

/**
 * Waits until `check` holds (polling); fails with `what` after `withinMs`. Generous: a loaded
 * machine can take many seconds to give a replaced job process its first job; how soon the next
 * job starts is the managers' wake-ups' to ensure, not a timed assertion's.
 */
export async function waitFor(
  what: () => string,
  check: () => boolean | Promise<boolean>,
  withinMs = 60_000,
) {
  const deadline = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(what());
    await sleep(20);
  }
}

/**
 * The most jobs of each user (token prefix before the digits, e.g. `A` of `A3`) that ran at once,
 * replaying the log's `start`/`end` lines (a job writes `end` before its worker lets go of it).
 */
export function mostAtOnce(log: string): Map<string, number> {
  const running = new Map<string, number>();
  const most = new Map<string, number>();
  for (const line of logLines(log)) {
    const [what, token = ''] = line.split(' ');
    const user = token.replace(/\d+$/, '');
    const now = (running.get(user) ?? 0) + (what === 'start' ? 1 : what === 'end' ? -1 : 0);
    running.set(user, now);
    most.set(user, Math.max(most.get(user) ?? 0, now));
  }
  return most;
}

/** Places in line of these jobs now (undefined for one not waiting). */
export async function places(manager: Manager, ids: string[]): Promise<(number | undefined)[]> {
  const updates = await Promise.all(ids.map((id) => manager.takeUpdate(id, 0)));
  return updates.map((update) => (update.state === 'queued' ? update.queue?.position : undefined));
}

/** The cases on 2+ slots, against the manager of managerContract's fixture. */
export function perUserLimitsContract(fixture: () => { manager: Manager; slots: number }): void {
  describe('maxConcurrent.perUser', () => {
    let root: string;
    let cases = 0;
    before(() => {
      root = mkdtempSync(join(tmpdir(), 'dash-ts-per-user-'));
    });
    after(() => rmSync(root, { recursive: true, force: true }));
    const withFixture = (run: (f: PerUserFixture) => Promise<void>) => () => {
      const dir = join(root, String(++cases));
      mkdirSync(dir);
      return run({ ...fixture(), dir });
    };

    it(
      "perUser 1: a user's jobs run one at a time and wait with their place in line; another user's job starts at once",
      withFixture(oneAtATimePerUser),
    );
    it(
      'a job without a user is limited per page load; another page load is not held up',
      withFixture(perPageLoadWithoutUser),
    );
    it('retries keep working under the limit', withFixture(retriesUnderTheLimit));
  });
}

export interface PerUserFixture {
  manager: Manager;
  /** Jobs its workers run at once, in all (at least 2). */
  slots: number;
  /** A fresh temporary directory for this case's files. */
  dir: string;
}

/**
 * perUser 1, on 2+ slots: user A queues three jobs (each from a page load of its own: the limit
 * is the user's, not a tab's) and user B one. A's run one at a time, B's starts at once; A's
 * waiting jobs show places 1 and 2 and keep waiting while a slot is free; each of A's starts
 * once the one before it ended.
 */
export async function oneAtATimePerUser({ manager, slots, dir }: PerUserFixture): Promise<void> {
  assert.ok(slots >= 2, 'needs two slots');
  const log = join(dir, 'one-at-a-time.log');
  const release = (token: string) => join(dir, `release-${token}`);
  const policy = perUserPolicy(1);
  const userA = `user-A-${Math.random()}`;
  const job = (token: string, user: string) =>
    userJob(jobs.recordUntil, [log, token, release(token)], user, policy);
  const a1 = job('A1', userA);
  const a2 = job('A2', userA);
  const a3 = job('A3', userA);
  const b1 = job('B1', `user-B-${Math.random()}`);
  for (const submitted of [a1, a2, a3, b1]) await manager.submit(submitted);
  try {
    await oneAtATimeSteps(manager, log, release, [a1, a2, a3, b1]);
  } finally {
    // Whatever failed, no job is left holding a slot for the cases after this one.
    for (const token of ['A1', 'A2', 'A3', 'B1']) writeFileSync(release(token), '');
  }
}

async function oneAtATimeSteps(
  manager: Manager,
  log: string,
  release: (token: string) => string,
  [a1, a2, a3, b1]: [JobSubmission, JobSubmission, JobSubmission, JobSubmission],
): Promise<void> {
  await waitFor(
    () => `A1 and B1 did not both start: ${logLines(log).join(' | ')}`,
    () => ['A1', 'B1'].every((token) => started(log).includes(token)),
  );
  let seen: (number | undefined)[] = [];
  await waitFor(
    () => `A2 and A3 should wait at places 1 and 2, were at ${JSON.stringify(seen)}`,
    async () => {
      seen = await places(manager, [a2.id, a3.id]);
      return seen[0] === 1 && seen[1] === 2;
    },
  );

  // B's job ends: a slot is free, and still A's next waits for A1.
  writeFileSync(release('B1'), '');
  const b1End = await drainOutcome(manager, b1.id);
  assert.deepEqual(b1End, { kind: 'result', value: 'B1' });
  await sleep(500);
  assert.deepEqual(started(log).sort(), ['A1', 'B1'], 'A2 started while A1 ran');
  assert.deepEqual(await places(manager, [a2.id, a3.id]), [1, 2]);

  writeFileSync(release('A1'), '');
  await waitFor(
    () => `A2 did not start after A1 ended: ${logLines(log).join(' | ')}`,
    () => started(log).includes('A2'),
  );
  await waitFor(
    () => `A3 should wait at place 1 once A2 runs, was at ${JSON.stringify(seen)}`,
    async () => {
      seen = await places(manager, [a3.id]);
      return seen[0] === 1;
    },
  );
  writeFileSync(release('A2'), '');
  writeFileSync(release('A3'), '');
  for (const [submitted, token] of [
    [a1, 'A1'],
    [a2, 'A2'],
    [a3, 'A3'],
  ] as const) {
    assert.deepEqual(await drainOutcome(manager, submitted.id), { kind: 'result', value: token });
  }
  assert.deepEqual(started(log).slice(2), ['A2', 'A3']);
  assert.equal(mostAtOnce(log).get('A'), 1, `A ran more than one at once: ${logLines(log).join(' | ')}`);
  const lines = logLines(log);
  assert.ok(lines.indexOf('end A1') < lines.indexOf('start A2'), lines.join(' | '));
  assert.ok(lines.indexOf('end A2') < lines.indexOf('start A3'), lines.join(' | '));
}

/** Without a user, the limit holds per page load: another page load's job is not held up. */
export async function perPageLoadWithoutUser({ manager, dir }: PerUserFixture): Promise<void> {
  const log = join(dir, 'no-user.log');
  const release = (token: string) => join(dir, `release-${token}`);
  const policy = perUserPolicy(1);
  const page = `page-P-${Math.random()}`;
  const p1 = userJob(jobs.recordUntil, [log, 'P1', release('P1')], undefined, policy, page);
  const p2 = userJob(jobs.recordUntil, [log, 'P2', release('P2')], undefined, policy, page);
  const q1 = userJob(jobs.recordUntil, [log, 'Q1', release('Q1')], undefined, policy);
  for (const submitted of [p1, p2, q1]) await manager.submit(submitted);
  try {
    await waitFor(
      () => `P1 and Q1 did not both start: ${started(log).join(' ')}`,
      () => ['P1', 'Q1'].every((token) => started(log).includes(token)),
    );
    assert.equal((await manager.takeUpdate(p2.id, 0)).state, 'queued');
  } finally {
    for (const token of ['Q1', 'P1', 'P2']) writeFileSync(release(token), '');
  }
  for (const submitted of [p1, p2, q1]) {
    assert.equal((await drainOutcome(manager, submitted.id))?.kind, 'result');
  }
  assert.equal(mostAtOnce(log).get('P'), 1, logLines(log).join(' | '));
}

/** Retries keep working under the limit: a failed try of one of the user's jobs is tried again. */
export async function retriesUnderTheLimit({ manager, dir }: PerUserFixture): Promise<void> {
  const user = `user-R-${Math.random()}`;
  const policy = perUserPolicy(1, { retry: { attempts: 2, backoffSeconds: 0.1, onLost: false } });
  const retried = userJob(jobs.flaky, [join(dir, 'flaky-1.log'), 2], user, policy);
  const plain = userJob(jobs.flaky, [join(dir, 'flaky-2.log'), 1], user, policy);
  await manager.submit(retried);
  await manager.submit(plain);
  assert.deepEqual(await drainOutcome(manager, retried.id), { kind: 'result', value: 2 });
  assert.deepEqual(await drainOutcome(manager, plain.id), { kind: 'result', value: 1 });
}

/** Reads a job's updates until its outcome. */
async function drainOutcome(manager: Manager, jobId: string, withinMs = 30_000) {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const update = await manager.takeUpdate(jobId, 250);
    if (update.outcome) return update.outcome;
    if (update.state === 'cancelled' || update.state === 'unknown') {
      assert.fail(`job ${jobId} ended ${update.state}`);
    }
    if (Date.now() > deadline) assert.fail(`job ${jobId} still ${update.state} after ${withinMs} ms`);
  }
}

/**
 * On several workers × concurrency > 1 (S ≥ 6 slots), perUser 2: user A queues eight jobs, B and
 * C three each. The first six to start are two of each user; A's six others wait at places
 * 1..6; once released, every job runs, never more than two of a user at once.
 */
export async function perUserAtScale({ manager, slots, dir }: PerUserFixture): Promise<void> {
  assert.ok(slots >= 6, 'needs six slots');
  const log = join(dir, 'scale.log');
  const release = (user: string) => join(dir, `release-${user}`);
  const policy = perUserPolicy(2);
  const make = (user: string, count: number) =>
    Array.from({ length: count }, (_, n) =>
      userJob(jobs.recordUntil, [log, `${user}${n + 1}`, release(user)], `scale-${user}-${dir}`, policy),
    );
  const a = make('A', 8);
  const b = make('B', 3);
  const c = make('C', 3);
  for (const submitted of [...a, ...b, ...c]) await manager.submit(submitted);
  try {
    await waitFor(
      () => `two jobs of each user should start: ${started(log).join(' ')}`,
      () => started(log).length >= 6,
    );
    let seen: (number | undefined)[] = [];
    const waitingA = a.slice(2).map((job) => job.id);
    await waitFor(
      () => `A's waiting jobs should be at places 1..6, were at ${JSON.stringify(seen)}`,
      async () => {
        seen = await places(manager, waitingA);
        return seen.join(' ') === '1 2 3 4 5 6';
      },
    );
    const first = started(log);
    assert.deepEqual(
      first.map((token) => token[0]).sort(),
      ['A', 'A', 'B', 'B', 'C', 'C'],
      `first starts: ${first.join(' ')}`,
    );
  } finally {
    for (const user of ['A', 'B', 'C']) writeFileSync(release(user), '');
  }
  for (const submitted of [...a, ...b, ...c]) {
    assert.equal((await drainOutcome(manager, submitted.id, 60_000))?.kind, 'result');
  }
  const most = mostAtOnce(log);
  for (const user of ['A', 'B', 'C']) {
    assert.equal(
      most.get(user),
      2,
      `${user} at most ${most.get(user)} at once: ${logLines(log).join(' | ')}`,
    );
  }
}
