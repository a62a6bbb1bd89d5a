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
 * The MCP server (app/mcp/) starts, reads and cancels its jobs through the same methods
 * (startJob, job, cancelJob) under an owner of its own ('mcp'), so neither reaches the other's jobs.
 *
 * Agents' jobs are kept (JobSubmission.keep, for API_KEEP_SECONDS after they end, not findable
 * by any page): a read takes the job's whole view from the store (Manager.rejoin under the
 * agent's own owner: its latest progress, its yields, its outcome), so every read, on every server
 * process using the store, answers the result, not only the first.
 */

import { BackgroundUnavailableError, BadRequestError } from '../base/errors.ts';
import type { RequestInfo } from '../callbacks/context.ts';
import { applyPatch, isPatch } from '../callbacks/patch.ts';
import type { DependencyValue, OutputEntry } from '../callbacks/spec.ts';
import type { AppCallback, AppCallbackRegistry } from './callback-spec.ts';
import type { HandleSigner } from './handles.ts';
import type { Refusal } from './limits.ts';
import type { JobOutcome, JobUpdate, Manager } from './manager.ts';
import type { JobRequest, Orchestrator } from './orchestrator.ts';
import type { ManagerProvider } from './provider.ts';

/** Who starts jobs by name: the HTTP jobs API or the MCP server, each its own owner. */
export type AgentKind = 'api' | 'mcp';

/** What became of a start by name. */
export type AgentStart = { kind: 'started'; jobId: string } | { kind: 'refused'; refusal: Refusal };

/** What this process knows of an agent's job (JobsApi.job). */
export interface AgentJob {
  view: ApiJobView;
  callback: AppCallback | undefined;
  /** How the job ended, once it has (a view cannot tell a null result from PreventUpdate). */
  outcome?: JobOutcome;
  /** When this process first knew of the job, and when its view last changed (ms since the epoch). */
  createdAt: number;
  updatedAt: number;
}

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

/** The most jobs this process remembers (their manager, and a cancel it made). */
const KEPT_JOBS = 1000;
/** How long an agent's job stays readable after it ends. */
export const API_KEEP_SECONDS = 3600;
/** The largest start body read. */
const MAX_BODY_BYTES = 1024 * 1024;

interface Known extends AgentJob {
  manager: Manager;
  /** The owner the job was started under: an agent reads only its own jobs. */
  owner: string;
}

export class JobsApi {
  readonly #known = new Map<string, Known>();

  constructor(private readonly deps: JobsApiDeps) {}

  /** `POST .../api/callbacks/<name>/jobs`. */
  async start(name: string, request: Request): Promise<Response> {
    try {
      const callback = this.callbackNamed(name);
      if (!callback.background) {
        return message(400, `callback ${JSON.stringify(name)} is not a background callback: it has no jobs`);
      }
      const inputs = await readInputs(request);
      const started = await this.startJob(callback, inputs, await this.requestInfo(request), 'api');
      if (started.kind === 'refused') {
        const { refusal } = started;
        return new Response(JSON.stringify({ message: refusal.message, limit: refusal.limit }), {
          status: 429,
          headers: { 'Content-Type': 'application/json', 'Retry-After': String(refusal.retryAfterSeconds) },
        });
      }
      return json({ jobId: started.jobId }, 202);
    } catch (error) {
      if (error instanceof BadRequestError) return message(error.status, error.message);
      if (error instanceof BackgroundUnavailableError) return message(503, error.message);
      throw error;
    }
  }

  /** `GET .../api/jobs/<jobId>`. */
  async read(jobId: string): Promise<Response> {
    const known = await this.job(jobId, 'api');
    return known ? json(known.view) : unknownJob(jobId);
  }

  /** `DELETE .../api/jobs/<jobId>`. */
  async cancel(jobId: string): Promise<Response> {
    const known = await this.cancelJob(jobId, 'api');
    return known ? json(known.view) : unknownJob(jobId);
  }

  /** A job's callback context from an agent's request: requestInfo, with the user `identify` names. */
  async requestInfo(request: Request): Promise<RequestInfo> {
    const info = requestInfo(request);
    const user = await this.deps.identify?.(request);
    if (user !== undefined) info.user = user;
    return info;
  }

  /**
   * The callback named `name` (api.md: `name`, else the function's, else its first output), or a
   * BadRequestError: 404 for none, 409 when several share the name.
   */
  callbackNamed(name: string): AppCallback {
    const named = this.deps.registry.callbacks.filter((c) => c.name === name && !c.cancelRelay);
    if (named.length === 0) throw new BadRequestError(`no callback is named ${JSON.stringify(name)}`, 404);
    if (named.length > 1) {
      throw new BadRequestError(
        `${named.length} callbacks are named ${JSON.stringify(name)}: give them distinct \`name\` options`,
        409,
      );
    }
    return named[0]!;
  }

  /**
   * Starts a background callback's job from its named arguments, as a page would (the
   * orchestrator's one start path), under the agent's owner. Bad arguments throw a
   * BadRequestError; a store that is away, a BackgroundUnavailableError.
   */
  async startJob(
    callback: AppCallback,
    inputs: Record<string, unknown>,
    info: RequestInfo,
    agent: AgentKind,
  ): Promise<AgentStart> {
    const callbackRequest = namedArgumentsRequest(callback, inputs);
    const owner = (await this.deps.signer()).apiOwner(agent);
    const manager = await this.deps.provider.managerFor(callback);
    const load = await manager.load(owner, this.deps.orchestrator.countedUser(info.user));
    // No page to leave: the callback's own policy. Kept, so that every read answers.
    const admission = await this.deps.orchestrator.admit(
      callbackRequest,
      info,
      owner,
      manager,
      load,
      undefined,
      {
        seconds: API_KEEP_SECONDS,
      },
    );
    if (admission.kind === 'refused') return { kind: 'refused', refusal: admission.refusal };
    const now = Date.now();
    const known: Known = { manager, callback, owner, view: emptyView(), createdAt: now, updatedAt: now };
    if (admission.kind === 'cached') settle(known, admission.outcome);
    this.#remember(admission.jobId, known);
    return { kind: 'started', jobId: admission.jobId };
  }

  /**
   * The agent's job as known now (its news read, waiting up to `waitMs` for some), or undefined
   * when it is not the agent's or gone.
   */
  async job(jobId: string, agent: AgentKind, waitMs = 0): Promise<AgentJob | undefined> {
    const known = await this.#find(jobId, agent);
    if (!known) return undefined;
    if (known.view.status === 'queued' || known.view.status === 'running') {
      // Waiting for news reads it into the store's view (a kept job), which is then read whole:
      // whichever process read the job before, the answer is all of it.
      const news = waitMs > 0 ? await known.manager.takeUpdate(jobId, waitMs) : undefined;
      const whole = await known.manager.rejoin(jobId, known.owner);
      if (whole) applyWhole(known, whole);
      // Not (queued by an older dash-ts), or no longer, kept: its news since the last read.
      else apply(known, news ?? (await known.manager.takeUpdate(jobId, 0)));
    }
    if (known.view.status === 'finished' || known.view.status === 'failed') this.#remember(jobId, known);
    return known;
  }

  /** Cancels the agent's job (its process is stopped as a page's cancel stops it). */
  async cancelJob(jobId: string, agent: AgentKind): Promise<AgentJob | undefined> {
    const known = await this.#find(jobId, agent);
    if (!known) return undefined;
    if (known.view.status === 'queued' || known.view.status === 'running') {
      await known.manager.cancel(jobId, 'cancel');
      known.view.status = 'cancelled';
      known.updatedAt = Date.now();
    }
    return known;
  }

  /** The agent's unfinished jobs in every started manager, whichever server process started them. */
  async unfinishedJobs(agent: AgentKind): Promise<string[]> {
    const owner = (await this.deps.signer()).apiOwner(agent);
    const ids: string[] = [];
    for (const manager of await this.deps.provider.started()) {
      for (const job of await manager.pageJobs(owner)) ids.push(job.id);
    }
    return ids;
  }

  /** What this process knows of the agent's job, else the manager that holds it under the agent's owner. */
  async #find(jobId: string, agent: AgentKind): Promise<Known | undefined> {
    const owner = (await this.deps.signer()).apiOwner(agent);
    const kept = this.#known.get(jobId);
    if (kept) return kept.owner === owner ? kept : undefined;
    for (const manager of await this.deps.provider.started()) {
      const found = await manager.owner(jobId);
      if (found?.endId !== owner) continue;
      const now = Date.now();
      const callback = this.deps.registry.get(found.callbackId);
      const known: Known = { manager, callback, owner, view: emptyView(), createdAt: now, updatedAt: now };
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

/**
 * A request as a page would send it, from named argument values (argumentNames): how the jobs
 * API and the MCP server call a callback. Pattern dependencies and unknown names are refused.
 */
export function namedArgumentsRequest(callback: AppCallback, inputs: Record<string, unknown>): JobRequest {
  const dependencies = [...callback.inputs, ...callback.state, ...callback.outputs];
  const pattern = dependencies.find((d) => d.isPattern);
  if (pattern) {
    throw new BadRequestError(
      `callback ${JSON.stringify(callback.name)} uses the pattern ${pattern}: it cannot be called by name`,
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
  const { status, progress } = view;
  const latest = update.progress.at(-1);
  if (latest) view.progress = latest.length === 1 ? latest[0] : latest;
  // A stream's yields are setProps calls on its own outputs: its progress is what they set so far.
  if (known.callback?.background?.streams && update.sideUpdates.length > 0) {
    view.progress = streamProgress(view.progress, update.sideUpdates);
  }
  if (update.outcome) settle(known, update.outcome);
  else if (update.state === 'running') view.status = 'running';
  else if (update.state === 'cancelled') view.status = 'cancelled';
  // 'unknown' without an outcome: delivered elsewhere or removed; what is known stays.
  if (view.status !== status || view.progress !== progress) known.updatedAt = Date.now();
}

/** The job's whole view (Manager.rejoin) in place of what was known; updatedAt moves only on a change. */
function applyWhole(known: Known, whole: JobUpdate): void {
  const before = JSON.stringify(known.view);
  const { updatedAt } = known;
  known.view.progress = null;
  apply(known, whole);
  if (JSON.stringify(known.view) === before) known.updatedAt = updatedAt;
}

/**
 * A stream's progress: each output it has set (`id.property`), with its latest value; a yielded
 * Patch is applied to the value before it, so a growing answer reads whole.
 */
function streamProgress(previous: unknown, sideUpdates: JobUpdate['sideUpdates']): Record<string, unknown> {
  const values: Record<string, unknown> =
    typeof previous === 'object' && previous !== null && !Array.isArray(previous)
      ? { ...(previous as Record<string, unknown>) }
      : {};
  for (const { id, props } of sideUpdates) {
    for (const [property, value] of Object.entries(props)) {
      const key = `${id}.${property}`;
      values[key] = isPatch(value) ? applyPatch(values[key], value) : value;
    }
  }
  return values;
}

function settle(known: Known, outcome: JobOutcome): void {
  const { view } = known;
  known.outcome = outcome;
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
