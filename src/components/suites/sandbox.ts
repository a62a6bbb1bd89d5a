/**
 * A node:vm realm in which a suite's UMD bundle can initialise without a browser: React, ReactDOM,
 * the DOM and `dash_component_api` are inert stand-ins (the bundles only need them to exist while
 * their modules initialise), and `PropTypes` is the recording one.
 */
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { recordingPropTypes } from './prop-types.ts';

/**
 * An inert stand-in for any browser or React object: every property is another stand-in (the same
 * one on each read, so module code can attach things to it), calling or constructing yields a fresh
 * one, and assignments stick. `then` is absent so nothing mistakes it for a promise.
 */
function standIn(overrides: Record<string, unknown> = {}): unknown {
  const target = Object.assign(function standInTarget() {}, overrides);
  return new Proxy(target, {
    get(t, key) {
      if (key in t) return Reflect.get(t, key);
      if (typeof key === 'symbol' || key === 'then' || key === '__esModule') return undefined;
      const child = standIn();
      Reflect.set(t, key, child);
      return child;
    },
    apply: () => standIn(),
    construct: () => standIn() as object,
  });
}

function reactStandIn(): unknown {
  // Class components extend these at module initialisation, so they must be real classes.
  class Component {}
  class PureComponent extends Component {}
  return standIn({ Component, PureComponent });
}

/** The globals a bundle sees; `scriptUrl` is what `document.currentScript.src` says (webpack public paths). */
export function createSandbox(scriptUrl: string): vm.Context & Record<string, unknown> {
  const noop = () => 0;
  const sandbox: Record<string, unknown> = {
    PropTypes: recordingPropTypes(),
    React: reactStandIn(),
    ReactDOM: standIn(),
    ReactJSXRuntime: standIn(),
    dash_component_api: standIn(),
    dash_clientside: {},
    document: standIn({ currentScript: { src: scriptUrl, tagName: 'SCRIPT' } }),
    navigator: { userAgent: 'node' },
    location: standIn({ href: 'http://localhost/', pathname: '/', search: '', hash: '' }),
    history: standIn(),
    localStorage: standIn(),
    sessionStorage: standIn(),
    // Timers would fire after generation with stand-ins everywhere; nothing needs them to run.
    setTimeout: noop,
    clearTimeout: noop,
    setInterval: noop,
    clearInterval: noop,
    requestAnimationFrame: noop,
    cancelAnimationFrame: noop,
    console: { log: noop, info: noop, debug: noop, warn: noop, error: noop },
  };
  // DOM classes referenced at module level (e.g. `x instanceof HTMLAnchorElement` helpers).
  for (const name of [
    'Node',
    'Element',
    'HTMLElement',
    'HTMLAnchorElement',
    'Event',
    'CustomEvent',
    'MutationObserver',
    'ResizeObserver',
    'IntersectionObserver',
  ]) {
    sandbox[name] = standIn();
  }
  const context = vm.createContext(sandbox) as vm.Context & Record<string, unknown>;
  context.window = context;
  context.self = context;
  return context;
}

/**
 * Runs one script file in the sandbox; an error thrown there comes back as a plain message.
 * `quoteKeys` repairs Dash-generated metadata files whose object keys are not identifiers
 * (dash_mantine_components 2.x ships `{data-*:pt.string}`, which no JS engine parses).
 */
export function evaluateScript(
  context: vm.Context,
  file: string,
  options: { quoteKeys?: boolean } = {},
): void {
  let source = readFileSync(file, 'utf8');
  if (options.quoteKeys && !parses(source)) source = quoteObjectKeys(source);
  try {
    vm.runInContext(source, context, { filename: file, timeout: 30_000 });
  } catch (error) {
    // Errors raised inside the sandbox come from its own realm, so `instanceof Error` is false.
    const message = String((error as { message?: unknown } | null)?.message ?? error);
    const hint = /is not defined/.test(message)
      ? ' (the bundle needs a browser global that src/components/suites/sandbox.ts does not provide)'
      : '';
    throw new Error(`${message}${hint}`);
  }
}

function parses(source: string): boolean {
  try {
    new vm.Script(source);
    return true;
  } catch {
    return false;
  }
}

/** `{data-*:x, aria-*:y}` → `{'data-*':x, 'aria-*':y}`: keys after `{` or `,` that hold `-` or `*`. */
function quoteObjectKeys(source: string): string {
  return source.replace(/([{,]\s*)([A-Za-z_$][\w$]*(?:[-*][\w$*-]*)+)(\s*:)/g, "$1'$2'$3");
}
