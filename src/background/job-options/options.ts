/**
 * The job options of a background callback: how its jobs run (time limit, retries, priority,
 * place in line). Declared here once: `CallbackSpec` (../callback-spec.ts) extends them, and
 * policy.ts turns them into the JobPolicy every manager runs a job with.
 */
import type { Output } from '../../callbacks/dependencies.ts';
import type { QueuePlace } from '../manager.ts';
import type { PageOptions } from './page-leave.ts';

export interface JobOptions extends PageOptions {
  /** Seconds one try may run; then it is stopped like a cancel and onError gets a timed-out Error. */
  timeout?: number;
  /** Tries in all (`attempts`), seconds before the second (`backoff`, doubling), retry lost tries too (`onLost`). */
  retry?: { attempts: number; backoff?: number; onLost?: boolean };
  /** While the job waits for a worker, this output shows its place in line. */
  queueStatus?: Output;
  /** What `queueStatus` shows; default a short English text. */
  queueStatusFormat?: (info: QueuePlace) => unknown;
  /** Higher runs first among waiting jobs; default 0. */
  priority?: number;
  /**
   * `perUser`: at most this many of this callback's jobs run at once per user (per page load for
   * a job without a user); more wait in line (with `queueStatus`), they are not refused.
   */
  maxConcurrent?: { perUser?: number };
}

/** The name of every job option; the compiler checks the list against JobOptions. */
export const JOB_OPTION_NAMES = Object.keys({
  timeout: true,
  retry: true,
  queueStatus: true,
  queueStatusFormat: true,
  priority: true,
  maxConcurrent: true,
  whenPageLeaves: true,
  supersede: true,
} satisfies Record<keyof JobOptions, true>) as (keyof JobOptions)[];
