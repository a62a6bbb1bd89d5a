/**
 * `reattach` (api.md, "Users, and jobs that outlive their page"): a background job that belongs to
 * its user, not its page. The job is submitted kept (JobSubmission.keep, findable by its user), and
 * the renderer's own initial call of the callback on every page load (served even where
 * `preventInitialCall` is set: dependency-json.ts) is where a later page load of the same user
 * finds it: the start answer carries handles to that job, signed for the new page load, and
 * everything it showed so far; the renderer then polls it as any job it started. No client code.
 *
 * Handles stay page-bound: the store moves the job to the rejoining page load (Manager.rejoin), so
 * that page's cancels and newer calls reach it and an older page's polls are answered 204 (the
 * newest page load of the user shows the job). Only the user the request is identified as can
 * find the job, and only an initial call looks (a click starts a new job, as always).
 */
import type { RequestInfo } from '../callbacks/context.ts';
import type { CallbackRequest } from '../callbacks/request.ts';
import type { BackgroundOptions } from './callback-spec.ts';
import type { JobSubmission, JobUpdate, Manager } from './manager.ts';

type JobRequest = CallbackRequest<BackgroundOptions>;

/** The user's newest kept job of the request's callback and outputs, taken over by page load `endId`. */
export async function rejoinKept(
  manager: Manager,
  request: JobRequest,
  info: RequestInfo,
  endId: string,
): Promise<{ jobId: string; update: JobUpdate } | undefined> {
  if (!request.callback.background?.reattach || info.user === undefined) return undefined;
  // Only the page load's initial call reattaches: a click starts a job of its own.
  if (request.changedPropIds.length > 0) return undefined;
  const query = {
    user: info.user,
    callbackId: request.callback.id,
    outputsKey: JSON.stringify(request.outputs),
  };
  // A job found may end its keep or be cancelled before it is taken over: then look once more.
  for (let tries = 0; tries < 2; tries++) {
    const jobId = await manager.findKept(query);
    if (jobId === undefined) return undefined;
    const update = await manager.rejoin(jobId, endId);
    if (update) return { jobId, update };
  }
  return undefined;
}

/** How a reattach callback's new job is kept: findable by its user, when the request has one. */
export function reattachKeep(
  background: BackgroundOptions,
  info: RequestInfo,
): JobSubmission['keep'] | undefined {
  if (!background.reattach || info.user === undefined) return undefined;
  return { seconds: background.reattach.keepSeconds, findable: true };
}

/**
 * Whether a poll of a reattach job comes from the page load that shows it now: another page
 * load of the user may have taken it over (then this one's poll is answered 204).
 */
export async function pollsCurrentPage(
  manager: Manager,
  background: BackgroundOptions,
  jobId: string,
  endId: string,
): Promise<boolean> {
  if (!background.reattach) return true;
  const owner = await manager.owner(jobId);
  return owner === undefined || owner.endId === endId;
}
