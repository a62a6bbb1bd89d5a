/**
 * The jobs API (api.md "Agents"), served under the jobs monitor's path and token:
 * `POST <path>/api/callbacks/<name>/jobs` with `{ inputs: { [argName]: value } }` starts a
 * background callback's job as a page would (the orchestrator's one start path: same cache,
 * limits, retries, timeouts and fair turns; the monitor shows it), `GET <path>/api/jobs/<jobId>`
 * reads `{ status, progress, result, error }`, `DELETE` cancels.
 *
 * Argument names: a callback declared with record-style inputs (`inputs: { name: Input(...) }`)
 * takes those names; otherwise each input and state is named by its `id.property`. An argument
 * left out has no value, as a prop the page never set. Wildcard (pattern) dependencies cannot be
 * named without a page, so such callbacks are refused.
 *
 * Every API job has one owner, signed with the app's secret (HandleSigner.apiOwner): no page's
 * poll or cancel can reach it (they need a page token), and the API reads and cancels only jobs of
 * that owner. The API counts as one page for backgroundLimits.perPage and for fair turns.
 *
 * An API job's user (ctx.user, JobOwner.user) is what the app's `identify(request)` says of the
 * API request (an auth proxy in front of it names the caller), else none: the anonymous page
 * session cookie is not read here, an API client is no browser page. A job with a user takes
 * that user's fair turns and counts against backgroundLimits.perUser.
 *
 * A job's news is read once (Manager.takeUpdate): this process keeps what it read (the last
 * progress, the outcome) for its later GETs; another server process answers 404 for a job whose
 * outcome this one already delivered.
 */

import { BackgroundUnavailableError, BadRequestError } from '../base/errors.ts';
import type { RequestInfo } from '../callbacks/context.ts';
import type { DependencyValue, OutputEntry } from '../callbacks/spec.ts';
import type { AppCallback, AppCallbackRegistry } from './callback-spec.ts';
import type { HandleSigner } from './handles.ts';
import type { JobOutcome, JobUpdate, Manager } from './manager.ts';
import type { JobRequest, Orchestrator } from './orchestrator.ts';
import type { ManagerProvider } from './provider.ts';

export type ApiJobStatus = 'queued' | 'running' | 'finished' | 'failed' | 'cancelled';

/** `GET <path>/api/jobs/<jobId>`. */
export interface ApiJobView {
  status: ApiJobStatus;
  /** The last progress value reported (a list when the callback has several progress outputs). */
  progress: unknown;
  /** The function's return value (JSON) once finished; null otherwise or after PreventUpdate. */
  result: unknown;
  /** How a failed job ended: `kind` is 'error', 'lost' or 'timed-out'. */
  error: { kind: string; message: string } | null;
}

export interface JobsApiDeps {
  registry: AppCallbackRegistry;
  provider: ManagerProvider;
  orchestrator: Orchestrator;
  signer: () => Promise<HandleSigner>;
  /** The app's `identify` (the user of an API request), when it has one. */
  identify?: (request: Request) => Promise<string | undefined>;
}

/** The most finished jobs whose answer this process keeps for later reads. */
const KEPT_JOBS = 1000;
/** The largest start body read. */
const MAX_BODY_BYTES = 1024 * 1024;

interface Known {
  manager: Manager;
  callback: AppCallback | undefined;
  view: ApiJobView;
}

export class JobsApi {
  readonly #known = new Map<string, Known>();

  constructor(private readonly deps: JobsApiDeps) {}

  /** `POST .../api/callbacks/<name>/jobs`. */
  async start(name: string, request: Request): Promise<Response> {
    const callback = this.#callbackNamed(name);
    if (callback instanceof Response) return callback;
    let inputs: Record<string, unknown>;
    let callbackRequest: JobRequest;
    try {
      inputs = await readInputs(request);
      callbackRequest = apiJobRequest(callback, inputs);
    } catch (error) {
      if (error instanceof BadRequestError) return message(error.status, error.message);
      throw error;
    }
    try {
      const signer = await this.deps.signer();
      const owner = signer.apiOwner();
      const manager = await this.deps.provider.managerFor(callback);
      const load = await manager.load(owner);
      const info = requestInfo(request);
      const user = await this.deps.identify?.(request);
      if (user !== undefined) info.user = user;
      const admission = await this.deps.orchestrator.admit(callbackRequest, info, owner, manager, load);
      if (admission.kind === 'refused') {
        const { refusal } = admission;
        return new Response(JSON.stringify({ message: refusal.message, limit: refusal.limit }), {
          status: 429,
          headers: { 'Content-Type': 'application/json', 'Retry-After': String(refusal.retryAfterSeconds) },
        });
      }
      const view = emptyView();
      if (admission.kind === 'cached') settle(view, admission.outcome);
      this.#remember(admission.jobId, { manager, callback, view });
      return json({ jobId: admission.jobId }, 202);
    } catch (error) {
      if (error instanceof BackgroundUnavailableError) return message(503, error.message);
      throw error;
    }
  }

  /** `GET .../api/jobs/<jobId>`. */
  async read(jobId: string): Promise<Response> {
    const known = await this.#find(jobId);
    if (!known) return unknownJob(jobId);
    if (known.view.status === 'queued' || known.view.status === 'running') {
      apply(known, await known.manager.takeUpdate(jobId, 0));
    }
    if (known.view.status === 'finished' || known.view.status === 'failed') this.#remember(jobId, known);
    return json(known.view);
  }

  /** `DELETE .../api/jobs/<jobId>`. */
  async cancel(jobId: string): Promise<Response> {
    const known = await this.#find(jobId);
    if (!known) return unknownJob(jobId);
    if (known.view.status === 'queued' || known.view.status === 'running') {
      await known.manager.cancel(jobId, 'cancel');
      known.view.status = 'cancelled';
    }
    return json(known.view);
  }

  #callbackNamed(name: string): AppCallback | Response {
    const named = this.deps.registry.callbacks.filter((c) => c.name === name && !c.cancelRelay);
    if (named.length === 0) return message(404, `no callback is named ${JSON.stringify(name)}`);
    if (named.length > 1) {
      return message(
        409,
        `${named.length} callbacks are named ${JSON.stringify(name)}: give them distinct \`name\` options`,
      );
    }
    const callback = named[0]!;
    if (!callback.background) {
      return message(400, `callback ${JSON.stringify(name)} is not a background callback: it has no jobs`);
    }
    return callback;
  }

  /** What this process knows of an API job, else the manager that holds it under the API's owner. */
  async #find(jobId: string): Promise<Known | undefined> {
    const kept = this.#known.get(jobId);
    if (kept) return kept;
    const owner = (await this.deps.signer()).apiOwner();
    for (const manager of await this.deps.provider.started()) {
      const found = await manager.owner(jobId);
      if (found?.endId !== owner) continue;
      const known = { manager, callback: this.deps.registry.get(found.callbackId), view: emptyView() };
      this.#remember(jobId, known);
      return known;
    }
    return undefined;
  }

  #remember(jobId: string, known: Known): void {
    this.#known.delete(jobId);
    this.#known.set(jobId, known);
    for (const oldest of this.#known.keys()) {
      if (this.#known.size <= KEPT_JOBS) break;
      this.#known.delete(oldest);
    }
  }
}

/** The names the API takes for a callback's arguments, in slot order (see the file comment). */
export function argumentNames(callback: AppCallback): string[] {
  return callback.slots.map((slot) => (callback.recordStyle ? slot.name! : slot.dependency.toString()));
}

/** A JobRequest as a page would send it, from the API's named argument values. */
function apiJobRequest(callback: AppCallback, inputs: Record<string, unknown>): JobRequest {
  const dependencies = [...callback.inputs, ...callback.state, ...callback.outputs];
  const pattern = dependencies.find((d) => d.isPattern);
  if (pattern) {
    throw new BadRequestError(
      `callback ${JSON.stringify(callback.name)} uses the pattern ${pattern}: the jobs API cannot start it`,
    );
  }
  const names = argumentNames(callback);
  const unknown = Object.keys(inputs).filter((name) => !names.includes(name));
  if (unknown.length > 0) {
    throw new BadRequestError(
      `callback ${JSON.stringify(callback.name)} has no argument ${unknown.map((n) => JSON.stringify(n)).join(', ')}; its arguments are ${names.map((n) => JSON.stringify(n)).join(', ')}`,
    );
  }
  const request: JobRequest = { callback, outputs: null, inputs: [], state: [], changedPropIds: [] };
  callback.slots.forEach((slot, i) => {
    const dependency = slot.dependency;
    const entry: DependencyValue = {
      id: dependency.id as DependencyValue['id'],
      property: dependency.property,
    };
    if (Object.hasOwn(inputs, names[i]!)) entry.value = inputs[names[i]!];
    request[slot.source][slot.index] = entry;
  });
  request.changedPropIds = callback.inputs.map(String);
  const outputs: OutputEntry[] = callback.outputs.map((o) => ({
    id: o.id as DependencyValue['id'],
    property: o.property,
  }));
  request.outputs =
    callback.outputMode === 'none' ? null : callback.outputMode === 'single' ? outputs[0]! : outputs;
  return request;
}

async function readInputs(request: Request): Promise<Record<string, unknown>> {
  const declared = Number(request.headers.get('Content-Length') ?? 0);
  if (declared > MAX_BODY_BYTES) throw new BadRequestError('the request body is too large', 413);
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) throw new BadRequestError('the request body is too large', 413);
  let body: unknown;
  try {
    body = text.trim() === '' ? {} : JSON.parse(text);
  } catch (error) {
    throw new BadRequestError(`the request body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequestError('the request body must be a JSON object { "inputs": { ... } }');
  }
  const { inputs = {} } = body as { inputs?: unknown };
  if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) {
    throw new BadRequestError('"inputs" must be an object of argument names and values');
  }
  return inputs as Record<string, unknown>;
}

/**
 * The job's callback context: the API request's path and query, its headers without the
 * credentials (the job's context is stored with it), no cookies.
 */
function requestInfo(request: Request): RequestInfo {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    if (name !== 'authorization' && name !== 'cookie') headers[name] = value;
  });
  const args = Object.fromEntries([...url.searchParams].filter(([name]) => name !== 'token'));
  return { cookies: {}, headers, args, path: url.pathname };
}

function apply(known: Known, update: JobUpdate): void {
  const { view } = known;
  const latest = update.progress.at(-1);
  if (latest) view.progress = latest.length === 1 ? latest[0] : latest;
  if (update.outcome) settle(view, update.outcome);
  else if (update.state === 'running') view.status = 'running';
  else if (update.state === 'cancelled') view.status = 'cancelled';
  // 'unknown' without an outcome: delivered elsewhere or removed; what is known stays.
}

function settle(view: ApiJobView, outcome: JobOutcome): void {
  switch (outcome.kind) {
    case 'result':
      view.status = 'finished';
      view.result = outcome.value;
      return;
    case 'prevent-update':
      view.status = 'finished';
      return;
    default:
      view.status = 'failed';
      view.error = { kind: outcome.kind, message: outcome.message };
  }
}

function emptyView(): ApiJobView {
  return { status: 'queued', progress: null, result: null, error: null };
}

function unknownJob(jobId: string): Response {
  return message(404, `no job ${JSON.stringify(jobId)} of the jobs API is known here`);
}

function message(status: number, text: string): Response {
  return json({ message: text }, status);
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
  });
}
