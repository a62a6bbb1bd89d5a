/**
 * A pool's turn in the store: it applies what its workers wrote (events, outcomes, releases,
 * retries) and claims queued jobs, in one IMMEDIATE transaction (see store.ts). The
 * writes are checked against the pool's claim: a job cancelled or taken over meanwhile is not
 * changed by them.
 */
import type { JobOwner } from '../manager.ts';
import type { EventRecord } from '../process/ipc.ts';
import { expiresAt, type QueueRow, recordRequeued, type StoreParts } from './store-parts.ts';

/** A job a pool has just claimed. */
export interface ClaimedJob {
  id: string;
  functionKey: string;
  payload: string;
  /** Which try this is (1 for the first). */
  attempt: number;
  /** The JobPolicy as JSON; null for the defaults. */
  policy: string | null;
}

/** What a pool writes about the jobs it runs; applied in batches, in order. */
export type PoolWrite =
  | { op: 'events'; jobId: string; events: EventRecord[] }
  /** The job ended. `cacheable`: a result that may be kept under the job's cache key. */
  | { op: 'finish'; jobId: string; outcome: string; cacheable: boolean }
  /** A cancelled job's worker stopped: the job can go. */
  | { op: 'release'; jobId: string }
  /** The try failed and another follows after `delayMs` (retry.ts): the job waits in line again. */
  | { op: 'retry'; jobId: string; delayMs: number }
  /** For the jobs monitor: which worker process runs the job. */
  | { op: 'worker'; jobId: string; workerId: string };

/** Unread progress values kept per job (setProps calls are all kept: each one matters). */
const MAX_UNREAD_PROGRESS = 100;

export function poolTurnTransactions({ db, s, order, records }: StoreParts) {
  const claim = (poolId: string, limit: number, keys: string, now: number): ClaimedJob[] => {
    if (limit <= 0) return [];
    // In start order, passing over jobs whose user line is full (maxConcurrent.perUser).
    const seqs = order.lines.startable(limit, keys, now);
    if (seqs.length === 0) return [];
    const rows = s.claim.all(poolId, now, now, JSON.stringify(seqs)) as (ClaimedJob & {
      seq: number;
      priority: number;
      tag: number;
      owner: string;
      createdAt: number;
    })[];
    order.started(rows.map((row) => row.tag));
    for (const row of rows) {
      records.record({
        kind: 'started',
        id: row.id,
        owner: row.owner,
        queuedAt: row.createdAt,
        attempts: row.attempt,
        at: now,
      });
    }
    // A retry starts from the progress default: unread progress of earlier tries goes.
    for (const row of rows) if (row.attempt > 1) s.deleteProgressOf.run(row.id);
    return rows
      .sort((a, b) => b.priority - a.priority || a.tag - b.tag || a.seq - b.seq)
      .map(({ id, functionKey, payload, attempt, policy }) => ({
        id,
        functionKey,
        payload,
        attempt,
        policy,
      }));
  };
  const apply = (poolId: string, writes: PoolWrite[], now: number): Set<string> => {
    const changed = new Set<string>();
    const ours = new Map<string, boolean>();
    const stillOurs = (jobId: string) => {
      let yes = ours.get(jobId);
      if (yes === undefined) {
        yes = s.isRunningFor.get(jobId, poolId) !== undefined;
        ours.set(jobId, yes);
      }
      return yes;
    };
    for (const write of writes) {
      switch (write.op) {
        case 'events':
          // A job cancelled or taken over meanwhile stores nothing more.
          if (!stillOurs(write.jobId)) break;
          for (const event of write.events) s.insertEvent.run(write.jobId, event.kind, event.body);
          // Only the latest progress is ever shown: an unpolled job keeps just the newest values.
          if (write.events.some((event) => event.kind === 'progress')) {
            s.trimProgress.run({ job: write.jobId, keep: MAX_UNREAD_PROGRESS - 1 });
          }
          changed.add(write.jobId);
          break;
        case 'finish': {
          const row = s.finish.get(write.outcome, now, write.jobId, poolId) as
            | {
                cache_key: string | null;
                cache_expire: number | null;
                function_key: string;
                started_at: number;
                owner: string;
                created_at: number;
                attempts: number;
              }
            | undefined;
          ours.set(write.jobId, false);
          if (!row) {
            s.release.run(write.jobId, poolId);
            break;
          }
          records.record({
            kind: 'finished',
            id: write.jobId,
            owner: row.owner,
            queuedAt: row.created_at,
            end: { outcome: write.outcome },
            at: now,
            attempts: row.attempts,
            startedAt: row.started_at,
            wasRunning: true,
          });
          order.recordRunTime(row.function_key, now - row.started_at);
          if (write.cacheable && row.cache_key !== null) {
            s.putCache.run(row.cache_key, write.outcome, expiresAt(now, row.cache_expire));
          }
          changed.add(write.jobId);
          break;
        }
        case 'release':
          if (s.release.run(write.jobId, poolId).changes > 0) changed.add(write.jobId);
          ours.set(write.jobId, false);
          break;
        case 'retry': {
          ours.set(write.jobId, false);
          const owner = s.runningOwner.get(write.jobId, poolId) as string | undefined;
          if (owner === undefined) {
            s.release.run(write.jobId, poolId);
            break;
          }
          const tag = order.tagFor(JSON.parse(owner) as JobOwner, now);
          const row = s.retry.get({ id: write.jobId, pool: poolId, notBefore: now + write.delayMs, tag });
          recordRequeued(records, write.jobId, row as QueueRow | undefined, now);
          break;
        }
        case 'worker':
          records.assign(write.jobId, write.workerId);
          break;
      }
    }
    return changed;
  };
  return {
    claim: db.transaction(claim),
    pump: db.transaction((poolId: string, writes: PoolWrite[], limit: number, keys: string, now: number) => ({
      changed: apply(poolId, writes, now),
      claimed: claim(poolId, limit, keys, now),
    })),
  };
}
