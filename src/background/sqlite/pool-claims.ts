/**
 * A pool's hold on the jobs it runs, as rows in the store: its heartbeat refreshes its `pools` row
 * and its jobs' claims; recover takes the claims of dead pools (liveness.ts says which) back.
 * Both are IMMEDIATE transactions (see store.ts); reading other pools' claims and deleting a
 * pool's own row on shutdown are single statements, run by the store itself.
 */
import { decodePolicy } from '../job-options/policy.ts';
import { retryDecision } from '../job-options/retry.ts';
import type { JobOutcome, JobOwner } from '../manager.ts';
import { type QueueRow, recordRequeued, type StoreParts } from './store-parts.ts';

/** A job claimed by some other pool, with what is known about that pool's liveness. */
export interface ForeignClaim {
  jobId: string;
  claimedBy: string;
  jobHeartbeatAt: number | null;
  poolPid: number | null;
  poolHost: string | null;
  poolHeartbeatAt: number | null;
}

export function poolClaimTransactions({ db, s, order, records }: StoreParts) {
  return {
    recover: db.transaction((claims: ForeignClaim[], lost: JobOutcome, now: number) => {
      const changed: string[] = [];
      for (const claim of claims) {
        const row = s.claimedJob.get(claim.jobId, claim.claimedBy) as
          | (QueueRow & {
              state: string;
              attempts: number;
              policy: string | null;
              started_at: number | null;
            })
          | undefined;
        if (!row) continue;
        changed.push(claim.jobId);
        if (row.state === 'cancelled') {
          s.deleteJob.run(claim.jobId);
          continue;
        }
        if (row.state !== 'running') continue;
        // It had started: running it again could repeat what it did. Only retry.onLost asks for that.
        const decision = retryDecision(decodePolicy(row.policy), row.attempts, lost);
        if (decision.retry) {
          const tag = order.tagFor(JSON.parse(row.owner) as JobOwner, now);
          s.retry.get({ id: claim.jobId, pool: claim.claimedBy, notBefore: now + decision.delayMs, tag });
          recordRequeued(records, claim.jobId, row, now);
        } else {
          s.finishUnclaimed.run(JSON.stringify(lost), now, claim.jobId);
          records.record({
            kind: 'finished',
            id: claim.jobId,
            owner: row.owner,
            queuedAt: row.created_at,
            end: { outcome: lost },
            at: now,
            attempts: row.attempts,
            startedAt: row.started_at,
            wasRunning: true,
          });
        }
      }
      for (const poolId of new Set(claims.map((c) => c.claimedBy))) {
        if (s.claimsOf.get(poolId) === undefined) s.deletePool.run(poolId);
      }
      return changed;
    }),
    heartbeat: db.transaction((poolId: string, pid: number, host: string, now: number, jobIds: string) => {
      s.upsertPool.run(poolId, pid, host, now);
      s.heartbeatJobs.run(now, poolId, jobIds);
    }),
  };
}
