/**
 * Clientside callbacks: functions the renderer runs in the browser, never calling the server.
 * Registered as Dash does: a `ClientsideFunction` names `window.dash_clientside[namespace][name]`
 * (defined by an asset script); JavaScript source (a string, or a function sent as its source) is
 * put into the page as an inline script under Dash's private namespace, named by its sha256.
 */
import { createHash } from 'node:crypto';
import { CallbackDefinitionError } from '../base/errors.ts';
import type { CallbackRegistry, ClientsideReference, RegisteredCallback } from './registry.ts';
import type { CallbackSpecBase } from './spec.ts';

/** `window.dash_clientside[namespace][functionName]`, as Dash's `ClientsideFunction`. */
export class ClientsideFunction {
  constructor(
    readonly namespace: string,
    readonly functionName: string,
  ) {
    if (
      typeof namespace !== 'string' ||
      namespace === '' ||
      typeof functionName !== 'string' ||
      functionName === ''
    ) {
      throw new CallbackDefinitionError(
        'ClientsideFunction(namespace, functionName) takes two non-empty strings',
      );
    }
    if (namespace.startsWith(PRIVATE_NAMESPACE_PREFIX)) {
      throw new CallbackDefinitionError(`Namespaces cannot start with '${PRIVATE_NAMESPACE_PREFIX}'.`);
    }
    if (namespace === 'PreventUpdate' || namespace === 'no_update') {
      throw new CallbackDefinitionError(`"${namespace}" is a forbidden namespace in dash_clientside.`);
    }
  }
}

// biome-ignore lint/suspicious/noExplicitAny: the browser calls it with the inputs' values
export type ClientsideSource = string | ((...args: any[]) => unknown) | ClientsideFunction;

/** What `app.clientsideCallback` takes besides the function: no server-only options. */
export type ClientsideCallbackSpec = Pick<
  CallbackSpecBase,
  'output' | 'inputs' | 'state' | 'preventInitialCall'
>;

const PRIVATE_NAMESPACE_PREFIX = '_dashprivate_';
const INLINE_NAMESPACE = '_dashprivate_clientside_funcs';

/** The app's clientside callbacks: registered with the others, their inline scripts kept for the page. */
export class ClientsideCallbacks {
  /** Inline script bodies in registration order; the same source twice is one script. */
  readonly #scripts = new Set<string>();

  constructor(private readonly registry: CallbackRegistry) {}

  add(
    source: ClientsideSource,
    spec: ClientsideCallbackSpec,
    options: { hidden?: boolean | null } = {},
  ): RegisteredCallback {
    assertClientsideSpec(spec);
    const { reference, inlineScript } = clientsideRegistration(source);
    const callback = this.registry.add(spec, refuseServerCall, {
      clientside: reference,
      hidden: options.hidden,
    });
    if (inlineScript) this.#scripts.add(inlineScript);
    return callback;
  }

  /** What goes into the page after the component bundles, as Dash's inline scripts. */
  get inlineScripts(): string[] {
    return [...this.#scripts];
  }
}

/** The server-side body of a clientside callback: requests for it are refused before reaching it. */
function refuseServerCall(): never {
  throw new Error('a clientside callback runs in the browser, not on the server');
}

export interface ClientsideRegistration {
  reference: ClientsideReference;
  /** The page's inline `<script>` body, for a function given as source. */
  inlineScript?: string;
}

export function clientsideRegistration(source: ClientsideSource): ClientsideRegistration {
  if (source instanceof ClientsideFunction) {
    return { reference: { namespace: source.namespace, function_name: source.functionName } };
  }
  const code = sourceText(source);
  assertExpression(code);
  const functionName = createHash('sha256').update(code, 'utf8').digest('hex');
  return {
    reference: { namespace: INLINE_NAMESPACE, function_name: functionName },
    inlineScript: inlineScript(INLINE_NAMESPACE, functionName, code),
  };
}

function sourceText(source: string | ((...args: never[]) => unknown)): string {
  if (typeof source === 'string') {
    if (source.trim() === '')
      throw new CallbackDefinitionError('clientsideCallback: the JavaScript source is empty');
    return source;
  }
  if (typeof source !== 'function') {
    throw new CallbackDefinitionError(
      'clientsideCallback(fn, spec): fn must be JavaScript source, a function or a ClientsideFunction',
    );
  }
  const text = Function.prototype.toString.call(source);
  if (text.includes('[native code]')) {
    throw new CallbackDefinitionError(
      'clientsideCallback: a built-in or bound function has no source to send',
    );
  }
  // TypeScript runners and bundlers that keep function names (tsx, esbuild's keepNames) wrap
  // nested functions in `__name(fn, "name")`, a helper of the server's module. Give the browser
  // a local one that does the same harmless thing.
  if (/\b__name\(/.test(text)) {
    return `(function () { var __name = function (target) { return target; }; return ${text}; })()`;
  }
  return text;
}

/**
 * The source must be one JavaScript expression, since it becomes `ns[name] = <source>;`. A method
 * (`{ f(x) {} }.f`) or a syntax error is refused here rather than breaking the page. Compiling
 * with `new Function` parses the code without running any of it.
 */
function assertExpression(code: string): void {
  try {
    new Function(`return (\n${code}\n);`);
  } catch (error) {
    throw new CallbackDefinitionError(
      `clientsideCallback: the function source is not a JavaScript function expression (${(error as Error).message}); ` +
        'pass a function or arrow function, not a method',
    );
  }
}

/** Dash's `_inline_clientside_template`, character for character. */
function inlineScript(namespace: string, functionName: string, code: string): string {
  return `
(function() {
    var clientside = window.dash_clientside = window.dash_clientside || {};
    var ns = clientside["${namespace}"] = clientside["${namespace}"] || {};
    ns["${functionName}"] = ${code};
})();
`;
}

/** Refuses options a clientside callback cannot have (they are the server's business). */
export function assertClientsideSpec(spec: unknown): asserts spec is ClientsideCallbackSpec {
  if (typeof spec !== 'object' || spec === null) {
    throw new CallbackDefinitionError('app.clientsideCallback(fn, spec): spec must be an object');
  }
  const allowed = new Set(['output', 'inputs', 'state', 'preventInitialCall']);
  const other = Object.keys(spec).filter((key) => !allowed.has(key));
  if (other.length > 0) {
    throw new CallbackDefinitionError(
      `clientside callbacks take only output, inputs, state and preventInitialCall (got ${other.join(', ')})`,
    );
  }
  const inputs = (spec as ClientsideCallbackSpec).inputs;
  if (inputs !== undefined && !Array.isArray(inputs)) {
    throw new CallbackDefinitionError(
      'clientside callbacks take inputs as a list: the browser calls the function with positional values',
    );
  }
}
