/**
 * Turns `app.callback(spec, fn)` into a validated, registered callback, keyed by the
 * `output` string the renderer sends back on every request.
 */
import { createHash } from 'node:crypto';
import { CallbackDefinitionError } from '../base/errors.ts';
import {
  type Input,
  InputDependency,
  type Output,
  OutputDependency,
  type State,
  StateDependency,
} from './dependencies.ts';
import type { CallbackFunction, CallbackSpecBase, ErrorHandler } from './spec.ts';

/** Where each function argument comes from: the n-th Input or the n-th State of the request. */
export interface ArgumentSlot {
  source: 'inputs' | 'state';
  index: number;
  dependency: Input | State;
  /** The key, for record-style inputs. */
  name?: string;
}

/**
 * What the callback model itself reads of a background callback's options. background/ defines
 * them whole (BackgroundOptions, background/callback-spec.ts) and the app hands the registry the
 * rules that make them (BackgroundDefinitions), so this layer never imports background/.
 */
export interface BackgroundBasics {
  /** Milliseconds between the renderer's polls. */
  interval: number;
  progress: Output[];
  cancel: Input[];
  /**
   * The page's initial call always reaches the server, whatever `preventInitialCall` says: the
   * server answers it (a reattach callback finds its user's job with it, else answers 204).
   */
  servesInitialCall?: boolean;
}

/** How a registry turns a spec's background options into its callback's `background`. */
export interface BackgroundDefinitions<B extends BackgroundBasics> {
  /**
   * Checks the spec's background options (CallbackDefinitionError naming the bad one); undefined
   * for an ordinary callback, which must set none of them.
   */
  normalise(spec: CallbackSpecBase, fn: CallbackFunction): B | undefined;
  /** Once the callback has its id: registers its job function (the options' key to it). */
  register(
    options: B,
    callback: {
      id: string;
      fn: CallbackFunction;
      recordStyle: boolean;
      outputMode: 'single' | 'multi' | 'none';
      outputs: readonly Output[];
    },
  ): void;
}

/** A clientside callback's function, as `/_dash-dependencies` names it in `clientside_function`. */
export interface ClientsideReference {
  namespace: string;
  function_name: string;
}

export interface RegisteredCallback<B extends BackgroundBasics = BackgroundBasics> {
  /** The dependency's `output` string; the lookup key for requests. */
  readonly id: string;
  /** `spec.name`, else the function's name, else the first output's `id.property` (the jobs API's key). */
  readonly name: string;
  /** `spec.description`, when given. */
  readonly description: string | undefined;
  /** 'single': fn returns the value; 'multi': an array; 'none': no outputs. */
  readonly outputMode: 'single' | 'multi' | 'none';
  readonly outputs: Output[];
  readonly inputs: Input[];
  readonly state: State[];
  readonly slots: ArgumentSlot[];
  readonly recordStyle: boolean;
  readonly preventInitialCall: boolean;
  readonly running: [Output, unknown, unknown][];
  readonly onError: ErrorHandler | undefined;
  readonly fn: CallbackFunction;
  readonly background: B | undefined;
  /** Dash's cancel relay for a cancel input: served by the orchestrator, not by user code. */
  readonly cancelRelay: boolean;
  /** `hidden` in /_dash-dependencies (dev tools): false, true, or null as Dash emits for its own. */
  readonly hidden: boolean | null;
  /** Set for a clientside callback: the browser runs it, the server never does. */
  readonly clientside: ClientsideReference | undefined;
}

export interface AddOptions {
  cancelRelay?: boolean;
  hidden?: boolean | null;
  clientside?: ClientsideReference;
}

export class CallbackRegistry<B extends BackgroundBasics = BackgroundBasics> {
  readonly #byId = new Map<string, RegisteredCallback<B>>();
  /** `<id>.<prop>` of every output already claimed, to reject accidental duplicates. */
  readonly #claimedOutputs = new Set<string>();

  readonly #background: BackgroundDefinitions<B>;

  constructor(background: BackgroundDefinitions<B>) {
    this.#background = background;
  }

  get callbacks(): RegisteredCallback<B>[] {
    return [...this.#byId.values()];
  }

  get(id: string): RegisteredCallback<B> | undefined {
    return this.#byId.get(id);
  }

  /**
   * Dash's check for background callbacks that would feed themselves: a progress output that is
   * an Input of another callback whose output is an Input of the same background callback.
   * Such an app re-triggers its own job with every progress value, so it is refused.
   */
  assertNoProgressLoops(): void {
    for (const background of this.callbacks.filter((c) => c.background)) {
      const ownInputs = new Set(background.inputs.map(String));
      for (const progress of background.background!.progress) {
        for (const other of this.callbacks) {
          if (!other.inputs.some((input) => String(input) === String(progress))) continue;
          const loop = other.outputs.find((output) => ownInputs.has(String(output)));
          if (loop) {
            throw new CallbackDefinitionError(
              `background callback ${background.id}: its progress output ${progress} feeds callback ${other.id}, ` +
                `whose output ${loop} is one of its own inputs; every progress value would restart the job`,
            );
          }
        }
      }
    }
  }

  add(spec: CallbackSpecBase, fn: CallbackFunction, options: AddOptions = {}): RegisteredCallback<B> {
    if (typeof fn !== 'function')
      throw new CallbackDefinitionError('app.callback(spec, fn): fn must be a function');
    if (typeof spec !== 'object' || spec === null) {
      throw new CallbackDefinitionError('app.callback(spec, fn): spec must be an object');
    }
    const { outputs, outputMode } = normaliseOutputs(spec.output);
    const { slots, recordStyle } = normaliseArguments(spec);
    const inputs = slots.filter((s) => s.source === 'inputs').map((s) => s.dependency as Input);
    const state = slots.filter((s) => s.source === 'state').map((s) => s.dependency as State);
    validateWildcards(outputs, inputs, state);
    const background = this.#background.normalise(spec, fn);

    const baseId = callbackIdFor(outputMode, outputs, inputs, state);
    const id = this.#uniqueNoOutputId(baseId, outputMode);
    this.#claimOutputs(outputs, id);

    if (background) this.#background.register(background, { id, fn, recordStyle, outputMode, outputs });
    const callback: RegisteredCallback<B> = {
      id,
      name: callbackName(spec, fn, outputs, id),
      description: spec.description,
      outputMode,
      outputs,
      inputs,
      state,
      slots,
      recordStyle,
      preventInitialCall: spec.preventInitialCall ?? false,
      running: normaliseRunning(spec.running),
      onError: spec.onError,
      fn,
      background,
      cancelRelay: options.cancelRelay ?? false,
      hidden: options.hidden === undefined ? false : options.hidden,
      clientside: options.clientside,
    };
    this.#byId.set(id, callback);
    return callback;
  }

  #uniqueNoOutputId(baseId: string, outputMode: RegisteredCallback['outputMode']): string {
    if (!this.#byId.has(baseId)) return baseId;
    if (outputMode !== 'none') {
      throw new CallbackDefinitionError(`a callback with output ${baseId} is already registered`);
    }
    // Two no-output callbacks on the same inputs are legitimate; keep their ids apart.
    for (let n = 2; ; n++) {
      const candidate = sha256(`${baseId}#${n}`);
      if (!this.#byId.has(candidate)) return candidate;
    }
  }

  #claimOutputs(outputs: Output[], callbackId: string): void {
    for (const output of outputs) {
      const key = output.toString();
      if (this.#claimedOutputs.has(key) && !output.allowDuplicate) {
        throw new CallbackDefinitionError(
          `output ${key} of callback ${callbackId} is already an output of another callback; ` +
            'pass Output(id, prop, { allowDuplicate: true }) if that is intended',
        );
      }
    }
    for (const output of outputs) this.#claimedOutputs.add(output.toString());
  }
}

/** api.md: the spec's name, else the function's own, else the first output's `id.property`. */
function callbackName(spec: CallbackSpecBase, fn: CallbackFunction, outputs: Output[], id: string): string {
  if (spec.description !== undefined && typeof spec.description !== 'string') {
    throw new CallbackDefinitionError('app.callback(spec, fn): spec.description must be a string');
  }
  if (spec.name !== undefined) {
    if (typeof spec.name !== 'string' || spec.name === '') {
      throw new CallbackDefinitionError('app.callback(spec, fn): spec.name must be a non-empty string');
    }
    return spec.name;
  }
  if (fn.name !== '' && fn.name !== 'anonymous') return fn.name;
  return outputs[0]?.toString() ?? id;
}

function normaliseOutputs(output: CallbackSpecBase['output']): {
  outputs: Output[];
  outputMode: RegisteredCallback['outputMode'];
} {
  if (output === undefined) return { outputs: [], outputMode: 'none' };
  if (Array.isArray(output)) {
    output.forEach((o, i) => {
      if (!(o instanceof OutputDependency))
        throw new CallbackDefinitionError(`output[${i}] must be an Output(...)`);
    });
    assertDistinct(output, 'output');
    return { outputs: output, outputMode: output.length === 0 ? 'none' : 'multi' };
  }
  if (!(output instanceof OutputDependency)) {
    throw new CallbackDefinitionError('output must be an Output(...) or a list of them');
  }
  return { outputs: [output], outputMode: 'single' };
}

function normaliseArguments(spec: CallbackSpecBase): { slots: ArgumentSlot[]; recordStyle: boolean } {
  const slots: ArgumentSlot[] = [];
  const counters = { inputs: 0, state: 0 };
  const push = (dependency: unknown, where: string, name?: string) => {
    if (dependency instanceof InputDependency) {
      slots.push({ source: 'inputs', index: counters.inputs++, dependency, name });
    } else if (dependency instanceof StateDependency) {
      slots.push({ source: 'state', index: counters.state++, dependency, name });
    } else {
      throw new CallbackDefinitionError(`${where} must be an Input(...) or a State(...)`);
    }
  };
  const inputs = spec.inputs ?? [];
  const recordStyle = !Array.isArray(inputs);
  if (Array.isArray(inputs)) {
    for (const [i, dep] of inputs.entries()) push(dep, `inputs[${i}]`);
  } else if (typeof inputs === 'object' && inputs !== null) {
    for (const [name, dep] of Object.entries(inputs)) push(dep, `inputs.${name}`, name);
  } else {
    throw new CallbackDefinitionError('inputs must be a list or a record of Input/State');
  }
  for (const [i, dep] of (spec.state ?? []).entries()) {
    if (!(dep instanceof StateDependency))
      throw new CallbackDefinitionError(`state[${i}] must be a State(...)`);
    push(dep, `state[${i}]`);
  }
  if (recordStyle && spec.state?.length) {
    throw new CallbackDefinitionError('record-style inputs take their State entries in the same record');
  }
  assertDistinct(
    slots.map((s) => s.dependency),
    'inputs/state',
  );
  return { slots, recordStyle };
}

function assertDistinct(deps: (Input | State | Output)[], where: string): void {
  const seen = new Set<string>();
  for (const dep of deps) {
    const key = dep.toString();
    if (seen.has(key)) throw new CallbackDefinitionError(`${where} lists ${key} twice`);
    seen.add(key);
  }
}

/** Dash's wildcard rules: MATCH in an output needs MATCH in every input (same keys). */
function validateWildcards(outputs: Output[], inputs: Input[], state: State[]): void {
  const outputsWithMatch = outputs.filter((o) => o.wildcards().includes('MATCH'));
  if (outputsWithMatch.length === 0) {
    const dependent = [...inputs, ...state].find((d) => d.wildcards().includes('MATCH'));
    if (dependent && outputs.length > 0) {
      throw new CallbackDefinitionError(`${dependent.toString()} uses MATCH but no output does`);
    }
    const smaller = [...inputs, ...state].find((d) => d.wildcards().includes('ALLSMALLER'));
    if (smaller)
      throw new CallbackDefinitionError(`${smaller.toString()} uses ALLSMALLER without a MATCH output`);
  }
}

function normaliseRunning(running: CallbackSpecBase['running']): [Output, unknown, unknown][] {
  if (running === undefined) return [];
  if (!Array.isArray(running))
    throw new CallbackDefinitionError('running must be a list of [Output, on, off]');
  return running.map((entry, i) => {
    if (!Array.isArray(entry) || entry.length !== 3 || !(entry[0] instanceof OutputDependency)) {
      throw new CallbackDefinitionError(`running[${i}] must be [Output(...), valueWhileRunning, valueAfter]`);
    }
    return entry;
  });
}

/** The renderer's callback id: `id.prop`, `..a.p...b.q..`, or a hash for no-output callbacks. */
function callbackIdFor(
  outputMode: RegisteredCallback['outputMode'],
  outputs: Output[],
  inputs: Input[],
  state: State[],
): string {
  const inputsKey = [...inputs, ...state].map(String).join('.');
  if (outputMode === 'none') return sha256(inputsKey || 'no-inputs');
  const parts = outputs.map((o) => {
    const base = `${escapeDots(o)}`;
    return o.allowDuplicate ? `${base}@${sha256(inputsKey)}` : base;
  });
  return outputMode === 'single' ? parts[0]! : `..${parts.join('...')}..`;
}

function escapeDots(output: Output): string {
  const id = output.toDependencyJSON().id;
  return `${typeof output.id === 'string' ? id.replaceAll('.', '\\.') : id}.${output.property}`;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Strips Dash's `@<hash>` suffix that `allowDuplicate` adds to a property. */
export function cleanPropertyName(property: string): string {
  const at = property.indexOf('@');
  return at < 0 ? property : property.slice(0, at);
}
