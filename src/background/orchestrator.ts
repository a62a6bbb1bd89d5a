/**
 * The `background` callback option on the wire: the start request sets a job up, polls answer
 * with progress, side updates and finally the result, `oldJob` supersedes, the hidden cancel
 * callbacks cancel. Everything the browser holds is a signed handle (see handles.ts).
 *
 * A cancel or a newer call that reaches the server before the browser has read a job's id stops
 * that job too (the page's unfinished jobs are asked of the store; see pending-starts.ts for
 * starts still being queued in this process, start-stops.ts for those another server queues).
 *
 * To beat the poll floor within the protocol, the start response waits a short window for the
 * job to finish (the renderer accepts a result there), and a poll is held briefly until
 * something changes instead of answering "still running" at once.
 *
 * What it decides is turned into Dash's answer (JSON body, handles, 204/429) in answers.ts.
 */

import { BackgroundUnavailableError, BadRequestError } from '../base/errors.ts';
import type { Logger } from '../base/log.ts';
import { callbackArguments, contextSource, type RequestInfo } from '../callbacks/context.ts';
import type { CallbackRequest } from '../callbacks/request.ts';
import type { ErrorHandler } from '../callbacks/spec.ts';
import { answer, emptyUpdate, gather, json, noContent, pageHandles, tooManyJobs } from './answers.ts';
import { buildCacheKey } from './cache-key.ts';
import type { AppCallback, AppCallbackRegistry, BackgroundOptions } from './callback-spec.ts';
import { type HandleSigner, newJobId } from './handles.ts';
import { type BackgroundLimits, type Refusal, refusal } from './limits.ts';
import type {
  JobContextSnapshot,
  JobLoad,
  JobOutcome,
  JobOwner,
  JobPolicy,
  JobSubmission,
  Manager,
} from './manager.ts';
import { markSeen, pagePolicy, pollHoldMs } from './page-watch.ts';
import { PendingStarts } from './pending-starts.ts';
import type { ManagerProvider } from './provider.ts';
import { pollsCurrentPage, reattachKeep, rejoinKept } from './reattach.ts';
import { arrivalTime, markCancel, markSupersede, stopIfOvertaken, supersededSince } from './start-stops.ts';
import { jobTraceContext } from './tracing.ts';

export interface ResponseWindows {
  /** How long a start request waits for the job to finish, to answer with the result at once. */
  startMs: number;
  /** The longest a poll is held waiting for news (never longer than the callback's interval, min 100 ms). */
  pollMs: number;
}

export const DEFAULT_WINDOWS: ResponseWindows = { startMs: 100, pollMs: 500 };

/** A request for a callback of the app (its background options as background/ reads them). */
export type JobRequest = CallbackRequest<BackgroundOptions>;

/** What became of a start: answered from the cache, refused by a limit, or queued. */
export type Admission =
  | { kind: 'cached'; jobId: string; outcome: JobOutcome }
  | { kind: 'refused'; jobId: string; refusal: Refusal }
  | { kind: 'queued'; jobId: string };

export interface OrchestratorDeps {
  provider: ManagerProvider;
  signer: () => Promise<HandleSigner>;
  registry: AppCallbackRegistry;
  appOnError: ErrorHandler | undefined;
  logger: Logger;
  windows: ResponseWindows;
  /** backgroundLimits, with the defaults applied. */
  limits: BackgroundLimits;
  /** Renders the 500 page for an error nobody handled. */
  errorResponse: (callback: AppCallback, error: Error) => Response;
}

export class Orchestrator {
  readonly #starting = new PendingStarts();

  constructor(private readonly deps: OrchestratorDeps) {}

  /** A background callback request: a start when it carries no cacheKey, else a poll. */
  async serve(request: JobRequest, info: RequestInfo, query: URLSearchParams): Promise<Response> {
    const endId = query.get('endId') ?? undefined;
    const cacheKey = query.get('cacheKey');
    if (cacheKey) {
      const signer = await this.deps.signer();
      // Polls from another page load, or with forged handles, touch nothing.
      if (!signer.isPageToken(endId)) return noContent();
      return this.#poll(request, info, signer, endId, cacheKey, query.get('job') ?? '');
    }
    try {
      const signer = await this.deps.signer();
      if (!signer.isPageToken(endId)) {
        throw new BadRequestError(
          'background callbacks need the endId of a page served by this app: reload the page',
        );
      }
      return await this.#start(request, info, query, signer, endId);
    } catch (error) {
      if (!(error instanceof BackgroundUnavailableError)) throw error;
      return this.#unavailable(request, info, error);
    }
  }

  /**
   * A start while the manager's store is away (Redis down): refused at once, to onError like a job
   * that failed at once, else thrown for the routes to answer 503 with Retry-After.
   */
  async #unavailable(
    request: JobRequest,
    info: RequestInfo,
    error: BackgroundUnavailableError,
  ): Promise<Response> {
    const { callback } = request;
    this.deps.logger.debug?.(`background callback ${callback.id} refused: ${error.message}`);
    if (!(callback.onError ?? this.deps.appOnError)) throw error;
    const outcome: JobOutcome = { kind: 'error', message: error.message, retryable: false };
    return answer(this.deps, request, info, { ...emptyUpdate('finished'), outcome }, {});
  }

  /**
   * An auto-generated cancel callback: cancel the named jobs this page owns, and the page's other
   * unfinished jobs of the callbacks that list this cancel input: the browser names only the jobs
   * whose start answer it has read, and a cancel clicked while that answer is held (startMs) or
   * under way names none.
   */
  async cancel(request: JobRequest, query: URLSearchParams): Promise<Response> {
    const arrivedAt = arrivalTime();
    const signer = await this.deps.signer();
    const endId = query.get('endId') ?? undefined;
    const cancelInput = request.callback.inputs[0]!.toString();
    if (endId !== undefined && signer.isPageToken(endId)) {
      const owners = this.deps.registry.callbacks.filter((c) =>
        c.background?.cancel.some((input) => input.toString() === cancelInput),
      );
      const ownerIds = new Set(owners.map((c) => c.id));
      await this.#starting.settled(endId, [...ownerIds]);
      const managers = new Set(await Promise.all(owners.map((c) => this.deps.provider.managerFor(c))));
      for (const manager of managers) {
        // Marked before the search below: a start another server is still queueing sees it.
        await markCancel(manager, endId, ownerIds, arrivedAt);
        for (const jobId of query.getAll('cancelJob')) {
          const owner = await manager.owner(jobId);
          if (owner?.endId === endId && ownerIds.has(owner.callbackId)) await manager.cancel(jobId);
        }
        for (const job of await manager.pageJobs(endId)) {
          if (ownerIds.has(job.owner.callbackId)) await manager.cancel(job.id);
        }
      }
    }
    return json({ multi: true, response: {} });
  }

  async #start(
    request: JobRequest,
    info: RequestInfo,
    query: URLSearchParams,
    signer: HandleSigner,
    endId: string,
  ): Promise<Response> {
    const { callback } = request;
    const arrivedAt = arrivalTime();
    const manager = await this.deps.provider.managerFor(callback);
    if (callback.background!.reattach && request.changedPropIds.length === 0) {
      // A page load's initial call: the user's job of this callback, if there is one (reattach.ts).
      const rejoined = await rejoinKept(manager, request, info, endId);
      if (rejoined) {
        const handles = pageHandles(signer, endId, request, rejoined.jobId);
        return answer(this.deps, request, info, rejoined.update, handles);
      }
      // Served only to look for a job: the callback itself asked for no initial call.
      if (callback.preventInitialCall) return noContent();
    }
    const start = this.#starting.begin(endId, callback.id);
    let admission: Admission;
    try {
      await start.earlier;
      const user = this.countedUser(info.user);
      const outputsKey = JSON.stringify(request.outputs);
      const { supersede } = callback.background!.page;
      // Marked before the search for older jobs: an older start another server is still
      // queueing sees it (start-stops.ts).
      if (supersede) await markSupersede(manager, endId, callback.id, outputsKey, arrivedAt);
      let load = await manager.load(endId, user);
      // What a newer call cancels no longer counts against the page's limit. With supersede:
      // false the older job runs on unread (the renderer polls only the newest call): it still
      // counts against the page's limits until it ends, and the store's expiry of unread
      // outcomes deletes what it leaves.
      if (
        supersede &&
        (await this.#supersede(manager, endId, callback.id, outputsKey, query, load, arrivedAt))
      ) {
        load = await manager.load(endId, user);
      }
      admission = await this.admit(
        request,
        info,
        endId,
        manager,
        load,
        pagePolicy(callback.background!, this.deps.windows),
      );
      if (admission.kind === 'queued') {
        // A cancel or a newer call that reached another server while this one was queueing.
        await stopIfOvertaken(manager, endId, callback.id, outputsKey, arrivedAt, admission.jobId, supersede);
      }
    } finally {
      start.done();
    }
    const handles = pageHandles(signer, endId, request, admission.jobId);
    if (admission.kind === 'refused') {
      // Refused: to onError like a job that failed at once, or, where nobody handles it, a 429
      // the client can back off from.
      const { refusal: refused } = admission;
      if (!(callback.onError ?? this.deps.appOnError)) return tooManyJobs(refused);
      const outcome: JobOutcome = { kind: 'error', message: refused.message, retryable: false };
      return answer(this.deps, request, info, { ...emptyUpdate('finished'), outcome }, handles);
    }
    // A cache hit answers at once, and no job was started for it.
    const update =
      admission.kind === 'cached'
        ? { ...emptyUpdate('finished'), outcome: admission.outcome }
        : await gather(manager, admission.jobId, this.deps.windows.startMs);
    markSeen(callback.background!, manager, endId);
    return answer(this.deps, request, info, update, handles);
  }

  /**
   * The user whose jobs Manager.load should count: only with a perUser limit to check them
   * against (counting a user's jobs costs a look at each on BullMQ).
   */
  countedUser(user: string | undefined): string | undefined {
    return this.deps.limits.perUser === undefined ? undefined : user;
  }

  /**
   * Answers from the cache or refuses past a limit, else queues the job: the one start path of
   * pages and of the jobs API (jobs-api.ts). `load` is the owner's (and its user's, see
   * countedUser), counted just before. `policy`: the callback's, unless the start adds to it (a
   * page's whenPageLeaves; API jobs have no page to leave). `keep`: the job is kept (the jobs
   * API's); a reattach callback's jobs are kept findable by their user.
   */
  async admit(
    request: JobRequest,
    info: RequestInfo,
    endId: string,
    manager: Manager,
    load: JobLoad,
    policy: JobPolicy = request.callback.background!.policy,
    keep?: JobSubmission['keep'],
  ): Promise<Admission> {
    const { callback } = request;
    const background = callback.background!;
    const jobId = newJobId();
    const args = callbackArguments(callback.slots, callback.recordStyle, request);
    // A stream's result is its yields, delivered as they come: there is nothing to cache.
    const cacheable = manager.cacheBy && !background.streams;
    const cache = cacheable ? this.#cacheKey(callback, manager, args, request) : undefined;
    if (cache) {
      const cached = await manager.cachedOutcome(cache, manager.expire);
      if (cached) return { kind: 'cached', jobId, outcome: cached };
    }
    // Past a limit nothing is queued.
    const refused = refusal(load, this.deps.limits);
    if (refused) {
      this.deps.logger.warn(`background callback ${callback.id}: ${refused.message}`);
      return { kind: 'refused', jobId, refusal: refused };
    }
    await manager.submit({
      id: jobId,
      functionKey: background.functionKey,
      args,
      context: withTrace(contextSource(request, info)),
      owner: jobOwner(endId, callback.id, JSON.stringify(request.outputs), info.user),
      cache: cache ? { key: cache, expireSeconds: manager.expire } : undefined,
      policy,
      // An agent's job is kept its own way: no page finds it, even of a reattach callback.
      keep: keep ?? reattachKeep(background, info),
    });
    return { kind: 'queued', jobId };
  }

  /**
   * A newer call replaces this page's unfinished job of the same callback and concrete outputs
   * (supersede is per output set): the one named by `oldJob`, and any the browser could not name
   * because its start answer had not reached it yet. Returns whether it cancelled any.
   */
  async #supersede(
    manager: Manager,
    endId: string,
    callbackId: string,
    outputsKey: string,
    query: URLSearchParams,
    load: JobLoad,
    arrivedAt: number,
  ): Promise<boolean> {
    const replaces = (owner: JobOwner | undefined) =>
      owner?.endId === endId && owner.callbackId === callbackId && owner.outputsKey === outputsKey;
    const cancelled = new Set<string>();
    for (const oldJob of query.getAll('oldJob')) {
      if (replaces(await manager.owner(oldJob))) {
        await manager.cancel(oldJob, 'supersede');
        cancelled.add(oldJob);
      }
    }
    // Only a page that holds unfinished jobs can hold one the browser does not know yet.
    if (load.pageUnfinished > cancelled.size) {
      for (const job of await manager.pageJobs(endId)) {
        if (!cancelled.has(job.id) && replaces(job.owner)) {
          // The job may be a newer call's, queued by another server while this older start
          // waited: that one stays, and this start's own job is stopped once queued.
          if (await supersededSince(manager, endId, callbackId, outputsKey, arrivedAt)) break;
          await manager.cancel(job.id, 'supersede');
          cancelled.add(job.id);
        }
      }
    }
    return cancelled.size > 0;
  }

  async #poll(
    request: JobRequest,
    info: RequestInfo,
    signer: HandleSigner,
    endId: string,
    cacheKey: string,
    jobId: string,
  ): Promise<Response> {
    const { callback } = request;
    const outputsKey = JSON.stringify(request.outputs);
    if (!signer.verifyJobKey(cacheKey, endId, callback.id, outputsKey, jobId)) return noContent();
    const manager = await this.deps.provider.managerFor(callback);
    // A reattach job another page load of its user took over is that page's to show now.
    if (!(await pollsCurrentPage(manager, callback.background!, jobId, endId))) return noContent();
    // Seen as the poll arrives and as it is answered: the gap between two marks is then the
    // renderer's interval, whatever the hold.
    markSeen(callback.background!, manager, endId);
    const update = await manager.takeUpdate(jobId, pollHoldMs(callback.background!, this.deps.windows));
    markSeen(callback.background!, manager, endId);
    if (!update.outcome && (update.state === 'unknown' || update.state === 'cancelled')) return noContent();
    return answer(this.deps, request, info, update, {});
  }

  #cacheKey(callback: AppCallback, manager: Manager, args: unknown[], request: JobRequest): string {
    const background = callback.background!;
    return buildCacheKey({
      functionSource: callback.fn.toString(),
      callbackId: callback.id,
      args,
      recordStyle: callback.recordStyle,
      ignore: background.cacheArgsToIgnore,
      triggered: background.cacheIgnoreTriggered ? null : request.changedPropIds,
      cacheBy: manager.cacheBy ?? [],
    });
  }
}

/** Who a job belongs to; `user` only when known, so stores keep no empty field. */
function jobOwner(endId: string, callbackId: string, outputsKey: string, user: string | undefined): JobOwner {
  return user === undefined ? { endId, callbackId, outputsKey } : { endId, callbackId, outputsKey, user };
}

/** The start request's context, with its trace when one is recorded (tracing.ts). */
function withTrace(source: JobContextSnapshot): JobContextSnapshot {
  const traced = jobTraceContext();
  return traced ? { ...source, trace: traced } : source;
}
