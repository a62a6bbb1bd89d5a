/**
 * Dash's answers to background callback requests, apart from deciding what to do (orchestrator.ts):
 * a job's update turned into the JSON body the renderer applies (progress, side updates, the
 * result or what onError made of a failure), the handles a start hands the browser, the start's
 * short wait for news, and the small HTTP answers (204, 429).
 */

import { BackgroundCallbackError, PreventUpdate } from '../base/errors.ts';
import { buildContext, contextSource, type RequestInfo, SideUpdates } from '../callbacks/context.ts';
import { asError } from '../callbacks/dispatch.ts';
import { type OutputResponse, outputResponse } from '../callbacks/outputs.ts';
import type { CallbackRequest } from '../callbacks/request.ts';
import type { ErrorHandler } from '../callbacks/spec.ts';
import type { AppCallback, BackgroundOptions } from './callback-spec.ts';
import type { HandleSigner } from './handles.ts';
import { mergeUpdates, progressToShow, showQueueStatus } from './job-options/presentation.ts';
import type { Refusal } from './limits.ts';
import type { JobOutcome, JobUpdate, Manager } from './manager.ts';

/** A request for a callback of the app (orchestrator.ts's JobRequest; spelled out here to import nothing of it). */
type JobRequest = CallbackRequest<BackgroundOptions>;

export type Body = Record<string, unknown>;

/** What answering a finished job needs of the orchestrator's deps (OrchestratorDeps has both). */
export interface AnswerDeps {
  appOnError: ErrorHandler | undefined;
  /** Renders the 500 page for an error nobody handled. */
  errorResponse: (callback: AppCallback, error: Error) => Response;
}

/** Turns what a job produced into Dash's answer; `extra` carries the start handles. */
export async function answer(
  deps: AnswerDeps,
  request: JobRequest,
  info: RequestInfo,
  update: JobUpdate,
  extra: Body,
): Promise<Response> {
  const { callback } = request;
  const body: Body = { ...extra };
  const sideUpdates = new SideUpdates();
  for (const { id, props } of update.sideUpdates) sideUpdates.set(id, props);
  showQueueStatus(callback.background!, update, sideUpdates);
  const progress = progressToShow(callback.background!, update);
  if (progress) {
    body.progress = Object.fromEntries(
      callback.background!.progress.map((output, i) => [output.toString(), progress[i] ?? null]),
    );
  }
  if (progress || !sideUpdates.isEmpty || update.outcome) body.multi = true;

  if (!update.outcome) {
    if (!sideUpdates.isEmpty) body.sideUpdate = sideUpdates.toJSON();
    return json(body);
  }

  let response: OutputResponse;
  try {
    response = await outcomeResponse(deps, request, update.outcome, sideUpdates, info);
  } catch (error) {
    if (error instanceof PreventUpdate) response = {};
    else return deps.errorResponse(callback, asError(error));
  }
  if (!sideUpdates.isEmpty) body.sideUpdate = sideUpdates.toJSON();
  const produced = Object.keys(response).length > 0 || !sideUpdates.isEmpty || body.progress !== undefined;
  // Nothing to apply: 204, as Dash answers a job that raised PreventUpdate or returned only noUpdate.
  if (!produced) return noContent();
  body.multi = true;
  body.response = response;
  return json(body);
}

async function outcomeResponse(
  deps: AnswerDeps,
  request: JobRequest,
  outcome: JobOutcome,
  sideUpdates: SideUpdates,
  info: RequestInfo,
): Promise<OutputResponse> {
  const { callback } = request;
  switch (outcome.kind) {
    case 'result':
      return outputResponse(callback, request.outputs, outcome.value);
    case 'prevent-update':
      return {};
    case 'error':
    case 'lost':
    case 'timed-out': {
      const error = new BackgroundCallbackError(
        outcome.message,
        outcome.kind === 'error' ? outcome.stack : undefined,
      );
      const handler = callback.onError ?? deps.appOnError;
      if (!handler) throw error;
      const ctx = buildContext({
        source: contextSource(request, info),
        setProps: (id, props) => sideUpdates.set(id, props),
      });
      const value = await handler(error, ctx);
      return value === undefined ? {} : outputResponse(callback, request.outputs, value);
    }
  }
}

/** What the browser holds for a started job: its signed cacheKey, id, cancel inputs, progress defaults. */
export function pageHandles(signer: HandleSigner, endId: string, request: JobRequest, jobId: string): Body {
  const { callback } = request;
  const background = callback.background!;
  const outputsKey = JSON.stringify(request.outputs);
  const handles: Body = { cacheKey: signer.jobKey(endId, callback.id, outputsKey, jobId), job: jobId };
  if (background.cancel.length > 0) handles.cancel = background.cancel.map((c) => c.toDependencyJSON());
  if (background.progressDefault !== undefined) {
    handles.progressDefault = Object.fromEntries(
      background.progress.map((output, i) => [output.toString(), background.progressDefault![i]]),
    );
  }
  return handles;
}

/** Collects a job's news for up to `windowMs`, returning early once it has ended. */
export async function gather(manager: Manager, jobId: string, windowMs: number): Promise<JobUpdate> {
  const deadline = Date.now() + windowMs;
  let collected = emptyUpdate('queued');
  for (;;) {
    const update = await manager.takeUpdate(jobId, Math.max(0, deadline - Date.now()));
    collected = mergeUpdates(collected, update);
    const ended = update.outcome || update.state === 'unknown' || update.state === 'cancelled';
    if (ended || Date.now() >= deadline) return collected;
  }
}

export function emptyUpdate(state: JobUpdate['state']): JobUpdate {
  return { state, progress: [], sideUpdates: [] };
}

export function json(body: Body): Response {
  return new Response(JSON.stringify(body), { headers: { 'Content-Type': 'application/json' } });
}

/** A start refused by backgroundLimits that no onError handles: HTTP 429, the limit named. */
export function tooManyJobs(refused: Refusal): Response {
  return new Response(JSON.stringify({ message: refused.message, limit: refused.limit }), {
    status: 429,
    headers: { 'Content-Type': 'application/json', 'Retry-After': String(refused.retryAfterSeconds) },
  });
}

export function noContent(): Response {
  return new Response(null, { status: 204 });
}
