/**
 * `backgroundLimits`: how many unfinished jobs one page load may hold, and how many jobs may wait
 * for a worker in the whole store. A start past either is refused before anything is queued, and
 * the refusal reaches the callback's onError (or the app's) like a job's error, naming the limit,
 * so one page cannot flood the queue while other pages' jobs keep finishing.
 *
 * The counts come from the manager (Manager.load) just before the submit; requests racing in
 * several server processes may pass a limit by the few that were counted at the same moment.
 */
import { CallbackDefinitionError } from '../errors.ts';
import type { JobLoad } from './manager.ts';

export interface BackgroundLimits {
  /** Most unfinished (queued or running) background jobs one page load may hold. */
  perPage: number;
  /** Most jobs waiting for a worker in the whole store. */
  queued: number;
}

export const DEFAULT_LIMITS: BackgroundLimits = Object.freeze({ perPage: 50, queued: 5000 });

/** The app's option with the defaults; a limit that is not a positive integer fails at construction. */
export function resolveLimits(option: Partial<BackgroundLimits> | undefined): BackgroundLimits {
  const limits = { ...DEFAULT_LIMITS, ...option };
  for (const name of ['perPage', 'queued'] as const) {
    const value = limits[name];
    if (!Number.isInteger(value) || value < 1) {
      throw new CallbackDefinitionError(
        `backgroundLimits.${name} must be a positive integer, got ${JSON.stringify(value)}`,
      );
    }
  }
  return limits;
}

/** Why a new job must be refused under these limits, or undefined when it may start. */
export function refusal(load: JobLoad, limits: BackgroundLimits): string | undefined {
  if (load.pageUnfinished >= limits.perPage) {
    return (
      `this page already has ${load.pageUnfinished} unfinished background jobs, the most one page may ` +
      `hold (backgroundLimits.perPage = ${limits.perPage}); the job was not started: try again once some finish`
    );
  }
  if (load.queued >= limits.queued) {
    return (
      `${load.queued} background jobs are already waiting for a worker, the most the queue may hold ` +
      `(backgroundLimits.queued = ${limits.queued}); the job was not started: try again later`
    );
  }
  return undefined;
}
