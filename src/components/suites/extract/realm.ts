/**
 * The world a suite's bundle runs in while its metadata is read: inert stand-ins for React, the
 * DOM and `dash_component_api`, and a PropTypes that records what each validator was built from.
 *
 * `realmPrelude` is never called where it is defined: child.ts evaluates its source text inside
 * the bundle's own vm context, so every object the bundle can reach (stand-ins, PropTypes, the
 * descriptors, the global's prototype chain) belongs to that realm. No property walk such as
 * `this.constructor.constructor` leads to the extractor's `Function`, `process` or `import()`.
 * Hence the function must be self-contained (no imports, no outer names) and everything it hands
 * back to the extractor is a string of JSON.
 */
import type { ExtractionResult, WireDescriptor } from './protocol.ts';

/** What the extractor calls inside the realm; every answer is JSON text. */
export interface RealmApi {
  /**
   * Dash-generated metadata can decorate types the bundle does not export (dash_mantine_components
   * 2.x sets `pk.ChipGroupContext.propTypes`, an internal context): while it runs, such a missing
   * type reads as a throwaway object, so the file completes and the real components keep theirs.
   */
  tolerateUnexported(namespace: string): void;
  /** `{defined: false, globals}` (what the scripts defined instead) or `{defined: true, uninformative}`. */
  survey(namespace: string): string;
  /** The components' prop descriptors (ExtractionResult), `declarations` being `{Type: literal}` JSON. */
  collect(namespace: string, declarations: string): string;
}

export interface Survey {
  defined: boolean;
  /** Globals the scripts defined, when the namespace is not among them. */
  globals?: string[];
  /** Component types whose bundled propTypes are production shims that say nothing. */
  uninformative?: string[];
}

export function realmPrelude(
  scriptUrl: string,
  componentNamePattern: string,
  leaves: string[],
  maxDepth: number,
): RealmApi {
  const global = globalThis as unknown as Record<string, unknown>;
  const componentName = new RegExp(componentNamePattern);

  /**
   * An inert stand-in for any browser or React object: every property is another stand-in (the
   * same one on each read, so module code can attach things to it), calling or constructing
   * yields a fresh one, and assignments stick. `then` is absent so nothing takes it for a promise.
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

  // Class components extend these at module initialisation, so they must be real classes.
  class Component {}
  class PureComponent extends Component {}

  // ---- The recording PropTypes: `PropTypes.oneOf(['a'])` is `{kind: 'oneOf', values: ['a']}`.
  type Descriptor = { kind: string; required?: boolean; [field: string]: unknown };
  const recordedSet = new WeakSet<object>();
  const isRecorded = (value: unknown): boolean =>
    typeof value === 'object' && value !== null && recordedSet.has(value);
  function recorded(descriptor: Descriptor): Descriptor {
    recordedSet.add(descriptor);
    Object.defineProperty(descriptor, 'isRequired', {
      get: () => recorded({ ...descriptor, required: true }),
    });
    return descriptor;
  }
  /** A hand-written validator function (or anything else) says nothing about the type. */
  const asDescriptor = (value: unknown): Descriptor =>
    isRecorded(value) ? (value as Descriptor) : { kind: 'any' };
  const PropTypes: Record<string, unknown> = {};
  for (const kind of leaves) {
    PropTypes[kind] = recorded({ kind });
  }
  PropTypes.oneOf = (values: unknown) =>
    recorded({ kind: 'oneOf', values: Array.isArray(values) ? [...values] : [] });
  PropTypes.oneOfType = (types: unknown) =>
    recorded({ kind: 'oneOfType', types: Array.isArray(types) ? types.map(asDescriptor) : [] });
  PropTypes.arrayOf = (of: unknown) => recorded({ kind: 'arrayOf', of: asDescriptor(of) });
  PropTypes.objectOf = (of: unknown) => recorded({ kind: 'objectOf', of: asDescriptor(of) });
  const shapeOf = (kind: 'shape' | 'exact') => (shape: unknown) =>
    recorded({
      kind,
      shape: Object.entries((shape ?? {}) as object).map(([key, value]) => [key, asDescriptor(value)]),
    });
  PropTypes.shape = shapeOf('shape');
  PropTypes.exact = shapeOf('exact');
  PropTypes.instanceOf = (type: unknown) =>
    recorded({ kind: 'instanceOf', name: String((type as { name?: unknown } | null)?.name) });
  PropTypes.checkPropTypes = () => {};
  PropTypes.resetWarningCache = () => {};
  PropTypes.PropTypes = PropTypes;

  // ---- The globals a bundle sees.
  const noop = () => 0;
  Object.assign(global, {
    PropTypes,
    React: standIn({ Component, PureComponent }),
    ReactDOM: standIn(),
    ReactJSXRuntime: standIn(),
    dash_component_api: standIn(),
    dash_clientside: {},
    // `document.currentScript.src` gives webpack bundles their public path.
    document: standIn({ currentScript: { src: scriptUrl, tagName: 'SCRIPT' } }),
    navigator: { userAgent: 'node' },
    location: standIn({ href: 'http://localhost/', pathname: '/', search: '', hash: '' }),
    history: standIn(),
    localStorage: standIn(),
    sessionStorage: standIn(),
    // Timers would fire after extraction with stand-ins everywhere; nothing needs them to run.
    setTimeout: noop,
    clearTimeout: noop,
    setInterval: noop,
    clearInterval: noop,
    requestAnimationFrame: noop,
    cancelAnimationFrame: noop,
    console: { log: noop, info: noop, debug: noop, warn: noop, error: noop },
  });
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
    global[name] = standIn();
  }
  global.window = globalThis;
  global.self = globalThis;
  const initialGlobals = new Set(Object.keys(global));

  // ---- Reading the metadata back.
  const UNWRAPPED = Symbol('unwrapped');
  const unwrapped = (value: unknown): unknown =>
    (value as { [UNWRAPPED]?: unknown } | null | undefined)?.[UNWRAPPED] ?? value;

  /** Production prop-types make every validator the same shim: such propTypes say nothing. */
  function informative(propTypes: unknown): boolean {
    if (!propTypes || typeof propTypes !== 'object') return false;
    const values = Object.values(propTypes);
    return values.length === 0 || values.some(isRecorded);
  }

  /**
   * A propTypes literal cut from the package's sources. Sloppy-mode `with` resolves every free
   * name: the realm's own globals (PropTypes) as they are, anything else as an empty placeholder.
   */
  function evaluateDeclaration(literal: string): unknown {
    const scope = new Proxy(
      {},
      {
        has: (_target, key) => typeof key === 'string',
        get: (_target, key) => (typeof key !== 'string' ? undefined : key in global ? global[key] : {}),
      },
    );
    return new Function('scope', `with (scope) { return (${literal}); }`)(scope);
  }

  /** A oneOf literal as JSON keeps it: anything but a string, finite number, boolean or null is `{}`. */
  const literal = (value: unknown): unknown =>
    typeof value === 'string' || typeof value === 'boolean' || value === null
      ? value
      : typeof value === 'number' && Number.isFinite(value)
        ? value
        : {};

  /** A descriptor as plain data; nesting past `maxDepth` (a cycle, say) says `any`. */
  function plain(value: unknown, depth: number): WireDescriptor {
    if (depth > maxDepth || typeof value !== 'object' || value === null) return { kind: 'any' };
    const d = value as Descriptor;
    const out: WireDescriptor = { kind: String(d.kind) };
    if (d.required === true) out.required = true;
    const list = (items: unknown): unknown[] => (Array.isArray(items) ? items : []);
    if (d.kind === 'oneOf') out.values = list(d.values).map(literal);
    else if (d.kind === 'oneOfType') out.types = list(d.types).map((type) => plain(type, depth + 1));
    else if (d.kind === 'arrayOf' || d.kind === 'objectOf') out.of = plain(d.of, depth + 1);
    else if (d.kind === 'shape' || d.kind === 'exact') {
      out.shape = list(d.shape).map((pair) => {
        const [key, field] = Array.isArray(pair) ? pair : [];
        return [String(key), plain(field, depth + 1)];
      });
    } else if (d.kind === 'instanceOf') out.name = String(d.name);
    return out;
  }

  const messageOf = (error: unknown): string =>
    String((error as { message?: unknown } | null)?.message ?? error);

  return {
    tolerateUnexported(namespace) {
      const real = unwrapped(global[namespace]);
      if (!real || typeof real !== 'object') return;
      global[namespace] = new Proxy(real, {
        get(target, key, receiver) {
          if (key === UNWRAPPED) return target;
          if (typeof key === 'string' && !(key in target) && componentName.test(key)) return {};
          return Reflect.get(target, key, receiver);
        },
      });
    },

    survey(namespace) {
      const exported = unwrapped(global[namespace]) as Record<string, { propTypes?: unknown }> | undefined;
      if (!exported || typeof exported !== 'object') {
        const globals = Object.keys(global).filter((key) => !initialGlobals.has(key));
        return JSON.stringify({ defined: false, globals } satisfies Survey);
      }
      const uninformative = Object.keys(exported).filter(
        (type) => componentName.test(type) && !informative(exported[type]?.propTypes),
      );
      return JSON.stringify({ defined: true, uninformative } satisfies Survey);
    },

    collect(namespace, declarations) {
      const literals = JSON.parse(declarations) as Record<string, string>;
      const exported = unwrapped(global[namespace]) as Record<string, { propTypes?: unknown }>;
      const components: [string, [string, WireDescriptor][]][] = [];
      const failed: string[] = [];
      for (const type of Object.keys(exported).sort()) {
        if (!componentName.test(type)) continue; // helpers, not components
        let propTypes = exported[type]?.propTypes;
        const declared = Object.hasOwn(literals, type) ? literals[type] : undefined;
        if (!informative(propTypes) && typeof declared === 'string') {
          try {
            propTypes = evaluateDeclaration(declared);
          } catch (error) {
            return JSON.stringify({
              ok: false,
              message: `the propTypes of ${type} in its sources cannot be read: ${messageOf(error)}`,
            } satisfies ExtractionResult);
          }
        }
        if (!propTypes || typeof propTypes !== 'object') {
          failed.push(type);
          continue;
        }
        const props = Object.entries(propTypes).map(([prop, value]): [string, WireDescriptor] => [
          prop,
          plain(asDescriptor(value), 0),
        ]);
        components.push([type, props]);
      }
      if (failed.length > 0) {
        return JSON.stringify({
          ok: false,
          message: `no prop metadata (propTypes) for ${failed.join(', ')} in window.${namespace}`,
        } satisfies ExtractionResult);
      }
      return JSON.stringify({ ok: true, namespace, components } satisfies ExtractionResult);
    },
  };
}
