/**
 * `backgroundLimits`: how many unfinished jobs one page load may hold, how many one user may hold
 * (from all their pages, tabs and servers; JobOwner.user), and how many jobs may wait for a
 * worker in the whole store. A start past either is refused before anything is queued, and
 * the refusal reaches the callback's onError (or the app's) like a job's error, naming the limit,
 * so one page cannot flood the queue while other pages' jobs keep finishing. Where no onError
 * handles it, the answer is HTTP 429 with Retry-After (api.md "Limits answer 429"): a refusal is
 * the client's cue to slow down, not a server fault a load balancer should count.
 *
 * The counts come from the manager (Manager.load) just before the submit; requests racing in
 * several server processes may pass a limit by the few that were counted at the same moment.
 */
import { CallbackDefinitionError } from '../base/errors.ts';
import type { JobLoad } from './manager.ts';

export interface BackgroundLimits {
  /** Most unfinished (queued or running) background jobs one page load may hold. */
  perPage: number;
  /**
   * Most unfinished background jobs one user may hold (`identify`, else the anonymous session);
   * undefined: no such limit (the default). A job without a user is not counted.
   */
  perUser?: number;
  /** Most jobs waiting for a worker in the whole store. */
  queued: number;
}

export const DEFAULT_LIMITS: BackgroundLimits = Object.freeze({ perPage: 50, queued: 5000 });

/** The app's option with the defaults; a limit that is not a positive integer fails at construction. */
export function resolveLimits(option: Partial<BackgroundLimits> | undefined): BackgroundLimits {
  const limits = { ...DEFAULT_LIMITS, ...option };
  for (const name of ['perPage', 'queued', 'perUser'] as const) {
    const value = limits[name];
    if (name === 'perUser' && value === undefined) continue;
    if (!Number.isInteger(value) || (value as number) < 1) {
      throw new CallbackDefinitionError(
        `backgroundLimits.${name} must be a positive integer, got ${JSON.stringify(value)}`,
      );
    }
  }
  return limits;
}

/** Which limit refused a start, why (in words naming it), and when to try again. */
export interface Refusal {
  limit: keyof BackgroundLimits;
  message: string;
  /**
   * Seconds a client should wait before starting again (Retry-After). A page's own jobs free a
   * place as soon as one of them ends; a full queue drains at the speed of every worker, so it
   * asks for longer.
   */
  retryAfterSeconds: number;
}

/** Why a new job must be refused under these limits, or undefined when it may start. */
export function refusal(load: JobLoad, limits: BackgroundLimits): Refusal | undefined {
  if (load.pageUnfinished >= limits.perPage) {
    return {
      limit: 'perPage',
      retryAfterSeconds: 1,
      message:
        `this page already has ${load.pageUnfinished} unfinished background jobs, the most one page may ` +
        `hold (backgroundLimits.perPage = ${limits.perPage}); the job was not started: try again once some finish`,
    };
  }
  if (limits.perUser !== undefined && load.userUnfinished >= limits.perUser) {
    return {
      limit: 'perUser',
      retryAfterSeconds: 1,
      message:
        `you already have ${load.userUnfinished} unfinished background jobs, the most one user may ` +
        `hold (backgroundLimits.perUser = ${limits.perUser}); the job was not started: try again once some finish`,
    };
  }
  if (load.queued >= limits.queued) {
    return {
      limit: 'queued',
      retryAfterSeconds: 5,
      message:
        `${load.queued} background jobs are already waiting for a worker, the most the queue may hold ` +
        `(backgroundLimits.queued = ${limits.queued}); the job was not started: try again later`,
    };
  }
  return undefined;
}
