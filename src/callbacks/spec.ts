/**
 * The callback model's side of `app.callback(spec, fn)`: what every callback's spec has, the
 * context it is called with. A background callback's options are background/'s (callback-spec.ts).
 */
import type { ConcreteId, DependencyId, Input, Output, State } from './dependencies.ts';
import type { CallbackResponse } from './response.ts';

export interface TriggeredProp {
  prop_id: string;
  value: unknown;
}

/** A dependency with its value, as the renderer sends it in `inputs` / `state`. */
export interface DependencyValue {
  id: ConcreteId;
  property: string;
  value?: unknown;
}

/** An entry of `inputsList` / `statesList`: one dependency, or a list for ALL / ALLSMALLER. */
export type DependencyValueEntry = DependencyValue | DependencyValue[];
export type OutputEntry = { id: ConcreteId; property: string } | { id: ConcreteId; property: string }[];

export interface CallbackContext {
  /** The id of the first input that triggered this call (string or pattern object), else null. */
  readonly triggeredId: ConcreteId | null;
  /** `[{ prop_id, value }]` for each input that changed; empty on the initial call. */
  readonly triggered: TriggeredProp[];
  /** `{ "<id>.<prop>": id }` for each triggered prop. */
  readonly triggeredPropIds: Record<string, ConcreteId>;
  /** `{ "<id>.<prop>": value }` for every Input / State. */
  readonly inputs: Record<string, unknown>;
  readonly states: Record<string, unknown>;
  readonly inputsList: DependencyValueEntry[];
  readonly statesList: DependencyValueEntry[];
  /** As the request sent it: one entry, a list, or null for a callback with no outputs. */
  readonly outputsList: OutputEntry | OutputEntry[] | null;
  /** Request details of the call (for a background job: of the request that started it). */
  readonly cookies: Record<string, string>;
  readonly headers: Record<string, string>;
  readonly args: Record<string, string>;
  readonly path: string;
  /**
   * Who made the call: `new Dash({ identify })`'s answer for the request, else the anonymous
   * session (a signed cookie); undefined when neither is known. In a background job: whoever
   * started it.
   */
  readonly user: string | undefined;
  /** Dash's `set_props`: update any component's props with this response (or the next poll). */
  setProps(id: DependencyId | ConcreteId, props: Record<string, unknown>): void;
  /** Background jobs only: report progress to the callback's `progress` outputs. */
  setProgress(value: unknown): void;
  /** Aborted when a background job is cancelled or superseded; never aborted for ordinary calls. */
  readonly signal: AbortSignal;
  /** Background jobs: which try this is (1 for the first; see the `retry` option). Always 1 elsewhere. */
  readonly attempt: number;
  /**
   * Cookies and headers for this callback's HTTP answer (Dash's `callback_context.response`).
   * Ordinary callbacks only: in a background job its methods throw a BackgroundResponseError.
   */
  readonly response: CallbackResponse;
}

export type ErrorHandler = (error: Error, ctx: CallbackContext) => unknown;

export type CallbackInputs = (Input | State)[] | Record<string, Input | State>;

/** What every callback's spec has; `CallbackSpec` (background/callback-spec.ts) adds the background options. */
export interface CallbackSpecBase {
  /**
   * The callback's name for the jobs API (and agents); default the function's name, else the
   * first output's `id.property`.
   */
  name?: string;
  /** What the callback does, for agents and for the monitor. */
  description?: string;
  output?: Output | Output[];
  inputs?: CallbackInputs;
  state?: State[];
  preventInitialCall?: boolean;
  /** `[output, value while running, value after]` */
  running?: [Output, unknown, unknown][];
  onError?: ErrorHandler;
}

// biome-ignore lint/suspicious/noExplicitAny: callbacks take the values of any inputs
export type CallbackFunction = (...args: any[]) => unknown;
