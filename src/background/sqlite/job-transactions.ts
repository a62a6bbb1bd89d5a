/**
 * The server's side of a job's life in the store, each an IMMEDIATE transaction (see store.ts):
 * queue a job, cancel it, take its news (events, outcome) for a poll, and end queued jobs that no
 * worker can run. The pool's side is in pool-turn.ts and pool-claims.ts.
 */
import { encodePolicy, policyOf } from '../job-options/policy.ts';
import { foldIntoView, parseView, viewAsUpdate } from '../job-view.ts';
import type { JobOutcome, JobState, JobSubmission, JobUpdate, KeptJobQuery } from '../manager.ts';
import type { CancelReason } from '../records.ts';
import type { QueueRow, StoreParts } from './store-parts.ts';

export interface TakeResult {
  update: JobUpdate;
  /** Whether anything was delivered (or the job is terminal or gone): no point waiting. */
  news: boolean;
}

interface JobRow {
  state: Exclude<JobState, 'unknown'>;
  outcome: string | null;
  claimed_by: string | null;
  began: number | null;
  keep_ms: number | null;
  view: string | null;
  finished_at: number | null;
}

interface EventRow {
  kind: string;
  body: string;
}

export function jobTransactions({ db, s, order, records }: StoreParts) {
  return {
    take: db.transaction((jobId: string): TakeResult => {
      const row = s.jobForTake.get(jobId) as JobRow | undefined;
      if (!row) return { update: emptyUpdate('unknown'), news: true };
      if (row.state === 'cancelled') {
        // Gone once its worker stopped; while it runs on, the row keeps its claim.
        if (row.claimed_by === null) s.deleteJob.run(jobId);
        return { update: emptyUpdate('cancelled'), news: true };
      }
      const events = s.eventsOf.all(jobId) as EventRow[];
      const update = updateOf(row, events);
      const kept = row.keep_ms !== null;
      // A kept job's view takes in what is delivered (a later page load is shown it: rejoin).
      if (kept && (events.length > 0 || row.began !== null)) {
        s.setView.run(JSON.stringify(foldIntoView(parseView(row.view), update)), jobId);
      }
      if (row.state === 'finished') {
        // A kept job stays for its keep (the sweep deletes it), its outcome read by every read.
        if (!kept) s.deleteJob.run(jobId);
        else if (events.length > 0) s.deleteEventsOf.run(jobId);
        update.outcome = JSON.parse(row.outcome ?? 'null') as JobOutcome;
        return { update, news: true };
      }
      if (events.length > 0) s.deleteEventsOf.run(jobId);
      if (row.began !== null) s.clearBegan.run(jobId);
      return { update, news: events.length > 0 || row.began !== null };
    }),
    rejoin: db.transaction((jobId: string, endId: string, now: number): JobUpdate | undefined => {
      const row = s.jobForTake.get(jobId) as JobRow | undefined;
      if (!row || row.keep_ms === null || row.state === 'cancelled') return undefined;
      if (row.state === 'finished' && (row.finished_at ?? 0) + row.keep_ms <= now) return undefined;
      // Unread news is folded in and consumed: the page's next reads continue from here.
      const events = s.eventsOf.all(jobId) as EventRow[];
      const view = foldIntoView(parseView(row.view), updateOf(row, events));
      s.setView.run(JSON.stringify(view), jobId);
      if (events.length > 0) s.deleteEventsOf.run(jobId);
      if (row.began !== null) s.clearBegan.run(jobId);
      s.setOwnerPage.run(endId, jobId);
      const outcome =
        row.state === 'finished' ? (JSON.parse(row.outcome ?? 'null') as JobOutcome) : undefined;
      return viewAsUpdate(view, { state: row.state, outcome });
    }),
    cancel: db.transaction((jobId: string, reason: CancelReason, now: number) => {
      // The state it leaves, for the jobs monitor (an UPDATE's RETURNING sees only the new one).
      const before = s.recordedState.get(jobId) as
        | (QueueRow & { state: string; started_at: number | null })
        | undefined;
      const row = s.cancel.get(reason === 'supersede' ? 2 : 1, now, jobId) as
        | { claimed_by: string | null }
        | undefined;
      if (!row) return undefined;
      if (before && (before.state === 'queued' || before.state === 'running')) {
        records.record({
          kind: 'finished',
          id: jobId,
          owner: before.owner,
          queuedAt: before.created_at,
          end: { cancelled: reason === 'supersede' ? 'superseded' : 'cancelled' },
          at: now,
          startedAt: before.started_at,
          wasRunning: before.state === 'running',
        });
      }
      s.deleteEventsOf.run(jobId);
      return { claimedBy: row.claimed_by };
    }),
    insert: db.transaction((job: JobSubmission, now: number) => {
      const policy = policyOf(job);
      s.insertJob.run({
        id: job.id,
        functionKey: job.functionKey,
        payload: JSON.stringify({ args: job.args, context: job.context }),
        owner: JSON.stringify(job.owner),
        cacheKey: job.cache?.key ?? null,
        cacheExpire: job.cache?.expireSeconds ?? null,
        now,
        policy: encodePolicy(job) ?? null,
        priority: policy.priority,
        tag: order.tagFor(job.owner, now),
        keepMs: job.keep ? Math.round(job.keep.seconds * 1000) : null,
        reattachKey:
          job.keep?.findable && job.owner.user !== undefined
            ? keptKey({ ...job.owner, user: job.owner.user })
            : null,
      });
      records.record({ kind: 'queued', id: job.id, owner: job.owner, queuedAt: now });
      // whenPageLeaves 'cancel': the page that starts the job is there now.
      if (policy.pageLeftAfterMs !== undefined) s.markPageSeen.run(job.owner.endId, now);
    }),
    markPagesSeen: db.transaction((endIds: string[], now: number) => {
      for (const endId of endIds) s.markPageSeen.run(endId, now);
    }),
    failQueued: db.transaction((outcome: string, keys: string, limit: number, now: number) => {
      const rows = s.failQueued.all(outcome, now, now, keys, limit) as (QueueRow & {
        id: string;
        attempts: number;
      })[];
      for (const row of rows) {
        records.record({
          kind: 'finished',
          id: row.id,
          owner: row.owner,
          queuedAt: row.created_at,
          end: { outcome },
          at: now,
          attempts: row.attempts,
          startedAt: now,
          wasRunning: false,
        });
      }
      return rows.map((r) => r.id);
    }),
  };
}

/** The news in a job's row and its unread events, oldest first. */
function updateOf(row: JobRow, events: EventRow[]): JobUpdate {
  const update = emptyUpdate(row.state);
  for (const event of events) {
    if (event.kind === 'progress') update.progress.push(JSON.parse(event.body) as unknown[]);
    else {
      const [id, props] = JSON.parse(event.body) as [string, Record<string, unknown>];
      update.sideUpdates.push({ id, props });
    }
  }
  if (row.began !== null) update.began = row.began;
  return update;
}

/** What a kept job is found by (findKept): its user, callback and concrete outputs. */
export function keptKey(query: KeptJobQuery): string {
  return JSON.stringify([query.user, query.callbackId, query.outputsKey]);
}

export function emptyUpdate(state: JobState): JobUpdate {
  return { state, progress: [], sideUpdates: [] };
}
