/**
 * InProcessManager's kept jobs (JobSubmission.keep): which one a user's page load finds, and
 * whether one may still be rejoined. The jobs themselves, and their views (../job-view.ts), live
 * in the manager's map; its housekeeping forgets a kept job once its keep is over.
 */
import type { JobOwner, JobSubmission, KeptJobQuery } from '../manager.ts';

/** What these rules read of a job. */
export interface KeptJob {
  readonly id: string;
  readonly submission: JobSubmission;
  readonly state: 'queued' | 'running' | 'finished' | 'cancelled';
  /** Its owner now (a page load that rejoined it owns it). */
  readonly owner: JobOwner;
  /** When it finished (ms since the epoch). */
  readonly finishedAt?: number;
}

/** A kept job that is unfinished, or finished within its keep (a cancelled one is not). */
export function isRejoinable(job: KeptJob): boolean {
  const keep = job.submission.keep;
  if (!keep || job.state === 'cancelled') return false;
  return job.state !== 'finished' || Date.now() - (job.finishedAt ?? 0) < keep.seconds * 1000;
}

/** The newest findable kept job of the query's user, callback and outputs (jobs in submit order). */
export function newestKept<J extends KeptJob>(jobs: Iterable<J>, query: KeptJobQuery): J | undefined {
  let newest: J | undefined;
  for (const job of jobs) {
    const { owner, keep } = job.submission;
    if (!keep?.findable || !isRejoinable(job)) continue;
    if (owner.user !== query.user || owner.callbackId !== query.callbackId) continue;
    if (owner.outputsKey === query.outputsKey) newest = job;
  }
  return newest;
}
