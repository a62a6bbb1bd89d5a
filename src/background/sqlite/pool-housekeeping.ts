/**
 * A pool's share of keeping the shared store file healthy, once a second: its heartbeat (its
 * own row and its jobs' claims), taking back the jobs of pools that died (liveness.ts says
 * which), and deleting what nobody will read any more.
 */
import type { Logger } from '../../base/log.ts';
import type { JobOutcome } from '../manager.ts';
import { claimIsDead, thisHost } from './liveness.ts';
import type { Store } from './store.ts';

/** A job whose server process (and so its worker) died while it ran, seen by another pool. */
const serverDied: JobOutcome = {
  kind: 'lost',
  message:
    'the server process running this job stopped (killed, crashed or hung) while the job ran, ' +
    'so its worker went with it',
};

/**
 * Cancels the jobs whose page stopped polling (whenPageLeaves 'cancel'), whichever pool runs
 * them; returns the ones it cancelled and the pool that holds each (null: none, it was queued).
 * Every pool sharing the file does this each round: a cancel already made is not made again.
 */
export function cancelLeftJobs(store: Store, now: number): { jobId: string; claimedBy: string | null }[] {
  const cancelled: { jobId: string; claimedBy: string | null }[] = [];
  for (const jobId of store.pageLeftJobs(now)) {
    const result = store.cancel(jobId, now, 'page-left');
    if (result) cancelled.push({ jobId, claimedBy: result.claimedBy });
  }
  return cancelled;
}

/** One round of it; returns the jobs it changed (taken back from dead pools). */
export function keepStoreHealthy(
  store: Store,
  poolId: string,
  runningJobIds: string[],
  finishedTtlMs: number,
  logger: Logger,
  now: number,
): string[] {
  store.heartbeat(poolId, process.pid, thisHost, runningJobIds, now);
  const dead = store.foreignClaims(poolId).filter((claim) => claimIsDead(claim, now));
  const changed = dead.length > 0 ? store.recover(dead, serverDied, now) : [];
  if (changed.length > 0)
    logger.warn(`took back ${changed.length} background job(s) of a stopped server process`);
  store.sweep(now, finishedTtlMs);
  return changed;
}
