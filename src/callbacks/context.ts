/** The callback context (Dash's `callback_context`) built from one request. */
import { type ConcreteId, type DependencyId, idToString, splitPropId } from './dependencies.ts';
import { combinePropUpdates } from './patch.ts';
import type { CallbackRequest } from './request.ts';
import { BACKGROUND_RESPONSE, type CallbackResponse } from './response.ts';
import type { CallbackContext, DependencyValueEntry, TriggeredProp } from './spec.ts';

/** The HTTP details a callback may read; for a background job, those of its start request. */
export interface RequestInfo {
  cookies: Record<string, string>;
  headers: Record<string, string>;
  args: Record<string, string>;
  path: string;
  /**
   * Who made the request (`new Dash({ identify })`, else the anonymous session cookie), when
   * known. Part of a job's context snapshot, so a worker's `ctx.user` is the starter's.
   */
  user?: string;
}

/**
 * `set_props` calls, merged per component: a later call adds to, not replaces, earlier props, and
 * a Patch of a prop set earlier combines with it (see combinePropUpdates).
 */
export class SideUpdates {
  readonly #byId = new Map<string, Record<string, unknown>>();

  set(id: DependencyId | ConcreteId, props: Record<string, unknown>): void {
    if (typeof props !== 'object' || props === null || Array.isArray(props)) {
      throw new TypeError(`setProps(${JSON.stringify(id)}, props): props must be an object`);
    }
    const key = idToString(id);
    const merged = { ...this.#byId.get(key) };
    for (const [prop, value] of Object.entries(props)) {
      merged[prop] = combinePropUpdates(Object.hasOwn(merged, prop) ? merged[prop] : undefined, value);
    }
    this.#byId.set(key, merged);
  }

  get isEmpty(): boolean {
    return this.#byId.size === 0;
  }

  toJSON(): Record<string, Record<string, unknown>> {
    return Object.fromEntries(this.#byId);
  }
}

/**
 * Everything a context is built from: the request's dependencies and its HTTP details. Plain JSON,
 * so a background job carries it to its worker as it is.
 */
export interface ContextSource extends RequestInfo {
  changedPropIds: string[];
  inputsList: DependencyValueEntry[];
  statesList: DependencyValueEntry[];
  outputsList: CallbackContext['outputsList'];
}

export function contextSource(
  request: Pick<CallbackRequest, 'inputs' | 'state' | 'outputs' | 'changedPropIds'>,
  info: RequestInfo,
): ContextSource {
  return {
    changedPropIds: request.changedPropIds,
    inputsList: request.inputs,
    statesList: request.state,
    outputsList: request.outputs,
    cookies: info.cookies,
    headers: info.headers,
    args: info.args,
    path: info.path,
    // Left out when unknown, so a snapshot's JSON holds no `user: undefined` to round-trip.
    ...(info.user === undefined ? {} : { user: info.user }),
  };
}

export interface ContextParts {
  source: ContextSource;
  /** Where `ctx.setProps` goes: this response's side updates, or a job's channel. */
  setProps: (id: DependencyId | ConcreteId, props: Record<string, unknown>) => void;
  setProgress?: (value: unknown) => void;
  signal?: AbortSignal;
  /** A background job's try (1 for the first). */
  attempt?: number;
  /** The answer's cookies and headers; absent for background jobs, whose `ctx.response` refuses. */
  response?: CallbackResponse;
}

const NEVER_ABORTED = new AbortController().signal;

export function buildContext({
  source,
  setProps,
  setProgress,
  signal,
  attempt,
  response,
}: ContextParts): CallbackContext {
  const inputs = valuesByPropId(source.inputsList);
  const states = valuesByPropId(source.statesList);
  const triggered: TriggeredProp[] = source.changedPropIds.map((propId) => ({
    prop_id: propId,
    value: propId in inputs ? inputs[propId] : null,
  }));
  const triggeredPropIds: Record<string, ConcreteId> = {};
  for (const { prop_id } of triggered) triggeredPropIds[prop_id] = splitPropId(prop_id).id;
  const first = triggered[0];
  return {
    triggeredId: first ? splitPropId(first.prop_id).id : null,
    triggered,
    triggeredPropIds,
    inputs,
    states,
    inputsList: source.inputsList,
    statesList: source.statesList,
    outputsList: source.outputsList,
    cookies: source.cookies,
    headers: source.headers,
    args: source.args,
    path: source.path,
    user: source.user,
    setProps,
    setProgress:
      setProgress ??
      (() => {
        throw new Error('setProgress is only available inside a background callback with progress outputs');
      }),
    signal: signal ?? NEVER_ABORTED,
    attempt: attempt ?? 1,
    response: response ?? BACKGROUND_RESPONSE,
  };
}

function valuesByPropId(entries: DependencyValueEntry[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const entry of entries.flat()) {
    out[`${idToString(entry.id)}.${entry.property}`] = entry.value ?? null;
  }
  return out;
}

/** The function's arguments: values in declared order (or one record), the context last. */
export function callbackArguments(
  slots: { source: 'inputs' | 'state'; index: number; name?: string }[],
  recordStyle: boolean,
  request: Pick<CallbackRequest, 'inputs' | 'state'>,
): unknown[] {
  const slotValue = (slot: { source: 'inputs' | 'state'; index: number }) => {
    const entry = request[slot.source][slot.index]!;
    return Array.isArray(entry) ? entry.map((e) => e.value ?? null) : (entry.value ?? null);
  };
  if (recordStyle) {
    return [Object.fromEntries(slots.map((slot) => [slot.name!, slotValue(slot)]))];
  }
  return slots.map(slotValue);
}
