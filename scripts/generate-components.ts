/**
 * Generates the typed html.* and dcc.* builders (src/components/generated/{html,dcc}.ts) from the
 * prop metadata that the vendored component bundles carry themselves.
 *
 * The packages ship no machine-readable metadata besides their runtime propTypes, so the UMD bundles
 * are evaluated in a node:vm sandbox whose `PropTypes` records what each validator was built from
 * (`PropTypes.oneOf(['a', 'b'])` becomes `{kind: 'oneOf', values: ['a', 'b']}`). React, ReactDOM,
 * the DOM and `dash_component_api` are inert stand-ins: the bundles only need them to exist while
 * their modules initialise. For dcc, `proptypes.js` (the Dash-generated metadata that debug mode
 * serves) then fills in the TypeScript-written components, which have no runtime propTypes.
 *
 * Run: npm run generate:components (after `npm install` has vendored the front end).
 * The output is deterministic, so re-running without a version change leaves the files untouched.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const VENDOR = path.join(ROOT, 'vendor', 'frontend');
const OUT_DIR = path.join(ROOT, 'src', 'components', 'generated');

// ---------------------------------------------------------------------------------------------------
// Recording PropTypes

type Leaf =
  | 'string'
  | 'number'
  | 'bool'
  | 'func'
  | 'object'
  | 'array'
  | 'symbol'
  | 'bigint'
  | 'any'
  | 'node'
  | 'element'
  | 'elementType';

type Descriptor = { required?: boolean } & (
  | { kind: Leaf }
  | { kind: 'oneOf'; values: unknown[] }
  | { kind: 'oneOfType'; types: Descriptor[] }
  | { kind: 'arrayOf' | 'objectOf'; of: Descriptor }
  | { kind: 'shape' | 'exact'; shape: Record<string, Descriptor> }
  | { kind: 'instanceOf'; name: string }
);

const LEAVES: Leaf[] = [
  'string',
  'number',
  'bool',
  'func',
  'object',
  'array',
  'symbol',
  'bigint',
  'any',
  'node',
  'element',
  'elementType',
];

const RECORDED = new WeakSet<object>();

/** Validators are descriptors; `.isRequired` yields the same descriptor flagged as required. */
function recorded(descriptor: Descriptor): Descriptor {
  RECORDED.add(descriptor);
  Object.defineProperty(descriptor, 'isRequired', {
    get: () => recorded({ ...descriptor, required: true }),
  });
  return descriptor;
}

/** A hand-written validator function (or anything else) says nothing about the type. */
function asDescriptor(value: unknown): Descriptor {
  return typeof value === 'object' && value !== null && RECORDED.has(value)
    ? (value as Descriptor)
    : { kind: 'any' };
}

function recordingPropTypes(): Record<string, unknown> {
  const pt: Record<string, unknown> = {};
  for (const kind of LEAVES) pt[kind] = recorded({ kind });
  pt.oneOf = (values: unknown) =>
    recorded({ kind: 'oneOf', values: Array.isArray(values) ? [...values] : [] });
  pt.oneOfType = (types: unknown) =>
    recorded({ kind: 'oneOfType', types: Array.isArray(types) ? types.map(asDescriptor) : [] });
  pt.arrayOf = (of: unknown) => recorded({ kind: 'arrayOf', of: asDescriptor(of) });
  pt.objectOf = (of: unknown) => recorded({ kind: 'objectOf', of: asDescriptor(of) });
  const shapeOf = (kind: 'shape' | 'exact') => (shape: unknown) =>
    recorded({
      kind,
      shape: Object.fromEntries(
        Object.entries((shape ?? {}) as object).map(([k, v]) => [k, asDescriptor(v)]),
      ),
    });
  pt.shape = shapeOf('shape');
  pt.exact = shapeOf('exact');
  pt.instanceOf = (type: unknown) => recorded({ kind: 'instanceOf', name: String((type as Function)?.name) });
  pt.checkPropTypes = () => {};
  pt.resetWarningCache = () => {};
  pt.PropTypes = pt;
  return pt;
}

// ---------------------------------------------------------------------------------------------------
// The sandbox

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

function createSandbox(): vm.Context & Record<string, unknown> {
  const noop = () => 0;
  const sandbox: Record<string, unknown> = {
    PropTypes: recordingPropTypes(),
    React: reactStandIn(),
    ReactDOM: standIn(),
    ReactJSXRuntime: standIn(),
    dash_component_api: standIn(),
    dash_clientside: {},
    // dcc derives its webpack public path from the script tag that loaded it.
    document: standIn({
      currentScript: {
        src: 'http://localhost/_dash-component-suites/dash/dcc/dash_core_components.js',
        tagName: 'SCRIPT',
      },
    }),
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

function evaluate(context: vm.Context, file: string): void {
  const source = readFileSync(file, 'utf8');
  try {
    vm.runInContext(source, context, { filename: file, timeout: 30_000 });
  } catch (error) {
    // Errors raised inside the sandbox come from its own realm, so `instanceof Error` is false.
    const message = String((error as { message?: unknown } | null)?.message ?? error);
    const hint = /is not defined/.test(message)
      ? ' (add the missing global to createSandbox in scripts/generate-components.ts)'
      : '';
    throw new Error(`evaluating ${path.relative(ROOT, file)} failed: ${message}${hint}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Reading the packages

interface LockedPackage {
  name: string;
  version: string;
}

interface Library {
  /** JS namespace the renderer resolves components in (`window[namespace]`). */
  namespace: string;
  spec: string;
  sources: string[];
  components: Map<string, Record<string, Descriptor>>;
}

function lockedPackage(name: string): LockedPackage {
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'frontend.lock.json'), 'utf8')) as {
    packages: LockedPackage[];
  };
  const found = lock.packages.find((pkg) => pkg.name === name);
  if (!found) throw new Error(`frontend.lock.json does not pin ${name}`);
  return found;
}

function loadLibrary(packageName: string, namespace: string, files: string[]): Library {
  const pkg = lockedPackage(packageName);
  const spec = `${pkg.name}@${pkg.version}`;
  const paths = files.map((file) => path.join(VENDOR, spec, file));
  const context = createSandbox();
  for (const file of paths) {
    if (!existsSync(file)) {
      throw new Error(
        `${path.relative(ROOT, file)} is missing: run \`npm install\` (or scripts/vendor-frontend.mjs) first`,
      );
    }
    evaluate(context, file);
  }
  const exported = context[namespace] as Record<string, { propTypes?: Record<string, unknown> }> | undefined;
  if (!exported) throw new Error(`${spec} did not define window.${namespace}`);

  const components = new Map<string, Record<string, Descriptor>>();
  const failed: string[] = [];
  for (const type of Object.keys(exported).sort()) {
    if (!/^[A-Z][A-Za-z0-9]*$/.test(type)) continue; // helpers, not components
    const propTypes = exported[type]?.propTypes;
    if (!propTypes || typeof propTypes !== 'object') {
      failed.push(type);
      continue;
    }
    components.set(
      type,
      Object.fromEntries(Object.entries(propTypes).map(([prop, value]) => [prop, asDescriptor(value)])),
    );
  }
  if (failed.length > 0) {
    throw new Error(`${spec}: no prop metadata for ${failed.join(', ')}`);
  }
  return { namespace, spec, sources: files, components };
}

// ---------------------------------------------------------------------------------------------------
// Descriptors to TypeScript

/** Props the renderer supplies itself; a layout must not set them. */
function isInternal(prop: string): boolean {
  return prop === 'setProps' || prop === 'componentPath' || prop.startsWith('_dashprivate_');
}

const STYLE = 'Record<string, string | number>';

function isStyleProp(prop: string, descriptor: Descriptor): boolean {
  if (prop === 'style') return true;
  // dcc's metadata types its other CSS-object props (`*_style`, `*Style`, `style_*`) as `any` or `object`.
  return /^style_|(_style|Style)$/.test(prop) && (descriptor.kind === 'any' || descriptor.kind === 'object');
}

/** The members of the union a descriptor stands for; `['unknown']` when it says nothing. */
function typeMembers(descriptor: Descriptor): string[] {
  switch (descriptor.kind) {
    case 'string':
      return ['string'];
    case 'number':
      return ['number'];
    case 'bool':
      return ['boolean'];
    case 'object':
      return ['Record<string, unknown>'];
    case 'array':
      return ['unknown[]'];
    case 'node':
      return ['Children'];
    case 'oneOf':
      return literalMembers(descriptor.values);
    case 'oneOfType':
      return union(descriptor.types.flatMap(typeMembers));
    case 'arrayOf': {
      const of = typeMembers(descriptor.of);
      return [of.length === 1 && !of[0]!.includes('|') ? `${of[0]}[]` : `(${of.join(' | ')})[]`];
    }
    case 'objectOf':
      return [`Record<string, ${typeMembers(descriptor.of).join(' | ')}>`];
    case 'shape':
    case 'exact':
      return [objectType(descriptor.shape)];
    default:
      // func, element, elementType, symbol, bigint, instanceOf, any: nothing JSON-shaped to say.
      return ['unknown'];
  }
}

function literalMembers(values: unknown[]): string[] {
  const members: string[] = [];
  for (const value of values) {
    if (typeof value === 'string') members.push(quote(value));
    else if (typeof value === 'number' && Number.isFinite(value)) members.push(String(value));
    else if (typeof value === 'boolean') members.push(String(value));
    else if (value === null) members.push('null');
    else return ['unknown'];
  }
  return union(members);
}

function union(members: string[]): string[] {
  if (members.length === 0 || members.includes('unknown')) return ['unknown'];
  let out = [...new Set(members)];
  if (out.includes('true') && out.includes('false')) {
    out = out.filter((m) => m !== 'true' && m !== 'false');
    if (!out.includes('boolean')) out.push('boolean');
  }
  if (out.includes('boolean')) out = out.filter((m) => m !== 'true' && m !== 'false');
  return out;
}

function objectType(shape: Record<string, Descriptor>): string {
  const fields = Object.entries(shape).map(([key, value]) => {
    return `${propertyName(key)}${value.required ? '' : '?'}: ${withNull(typeMembers(value), value.required)}`;
  });
  return fields.length === 0 ? 'Record<string, unknown>' : `{ ${fields.join('; ')} }`;
}

/** PropTypes accepts null for every prop that is not required, and so do we. */
function withNull(members: string[], required: boolean | undefined): string {
  if (required || members.includes('unknown') || members.includes('Children') || members.includes('null')) {
    return members.join(' | ');
  }
  return [...members, 'null'].join(' | ');
}

/**
 * dcc's proptypes.js flattens a few TypeScript types to `any`. These are transcribed from the
 * package's own `lib/types.ts` (in the tarball, not vendored) and apply only while the metadata
 * still says `any`. Option labels stay strings: children_props does not list `options`, so the
 * renderer would not render a component there.
 */
const OPTION =
  '{ label: string; value: string | number | boolean; disabled?: boolean; title?: string; search?: string }';
const OPTIONS = [`(string | number | boolean | ${OPTION})[]`, 'Record<string, string>'];
const SLIDER_MARKS = [`Record<number, string | { label: string; style?: ${STYLE} }>`];
const SLIDER_TOOLTIP = [
  "{ always_visible?: boolean; placement?: 'left' | 'right' | 'top' | 'bottom' | 'topLeft' | 'topRight' | " +
    `'bottomLeft' | 'bottomRight'; template?: string; style?: ${STYLE}; transform?: string }`,
];
const SUPPLEMENTS: Record<string, string[]> = {
  'dash_core_components.Checklist.options': OPTIONS,
  'dash_core_components.Dropdown.options': OPTIONS,
  'dash_core_components.RadioItems.options': OPTIONS,
  'dash_core_components.Slider.marks': SLIDER_MARKS,
  'dash_core_components.RangeSlider.marks': SLIDER_MARKS,
  'dash_core_components.Slider.tooltip': SLIDER_TOOLTIP,
  'dash_core_components.RangeSlider.tooltip': SLIDER_TOOLTIP,
  // 'YYYY-MM-DD' (lib/types.ts: `${string}-${string}-${string}`)
  'dash_core_components.DatePickerSingle.date': ['string'],
  'dash_core_components.DatePickerRange.start_date': ['string'],
  'dash_core_components.DatePickerRange.end_date': ['string'],
};
const usedSupplements = new Set<string>();

function propType(where: string, prop: string, descriptor: Descriptor): string {
  const supplement = SUPPLEMENTS[`${where}.${prop}`];
  if (supplement && descriptor.kind === 'any') {
    usedSupplements.add(`${where}.${prop}`);
    return withNull(supplement, descriptor.required);
  }
  if (prop === 'id') return 'ComponentId';
  if (prop === 'children') return 'Children';
  if (isStyleProp(prop, descriptor)) return withNull([STYLE], descriptor.required);
  return withNull(typeMembers(descriptor), descriptor.required);
}

function propertyName(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : quote(name);
}

function quote(text: string): string {
  return `'${JSON.stringify(text).slice(1, -1).replaceAll('\\"', '"').replaceAll("'", "\\'")}'`;
}

// ---------------------------------------------------------------------------------------------------
// children_props (dash-protocol.md 1.3)

/** Dash's path syntax: `a`, `a.b`, `a[]`, `a[].b`, `a{}`; the props other than `children` that hold components. */
function componentPaths(descriptor: Descriptor, at: string): string[] {
  switch (descriptor.kind) {
    case 'node':
    case 'element':
      return [at];
    case 'oneOfType': {
      const nested = descriptor.types.flatMap((type) => componentPaths(type, at));
      return [...new Set(nested)];
    }
    case 'arrayOf':
      return componentPaths(descriptor.of, `${at}[]`);
    case 'objectOf':
      return componentPaths(descriptor.of, `${at}{}`);
    case 'shape':
    case 'exact':
      return Object.entries(descriptor.shape).flatMap(([key, value]) =>
        componentPaths(value, `${at}.${key}`),
      );
    default:
      return [];
  }
}

function childrenProps(props: Record<string, Descriptor>): string[] {
  return Object.entries(props)
    .filter(([prop]) => prop !== 'children' && !isInternal(prop))
    .flatMap(([prop, descriptor]) => componentPaths(descriptor, prop));
}

/** What Dash 4.3 sends for these libraries; a difference after an upgrade deserves a look. */
const DASH_CHILDREN_PROPS: Record<string, Record<string, string[]>> = {
  dash_html_components: {},
  dash_core_components: { Clipboard: ['copied_children'], Loading: ['custom_spinner'], Tab: ['label'] },
};

// ---------------------------------------------------------------------------------------------------
// Output

function render(library: Library): string {
  const lines: string[] = [];
  const used = new Set<string>();
  const body: string[] = [];
  const children: Record<string, string[]> = {};

  for (const [type, props] of library.components) {
    body.push(`export type ${type}Props = {`);
    for (const [prop, descriptor] of Object.entries(props)) {
      if (isInternal(prop)) continue;
      const ts = propType(`${library.namespace}.${type}`, prop, descriptor);
      for (const name of ['ComponentId', 'Children']) if (ts.includes(name)) used.add(name);
      if (prop.includes('*')) {
        // `data-*` / `aria-*`: any attribute with that prefix.
        const [prefix, suffix] = prop.split('*', 2) as [string, string];
        body.push(`  [attribute: \`${prefix}\${string}${suffix}\`]: ${ts} | undefined;`);
      } else {
        body.push(`  ${propertyName(prop)}${descriptor.required ? '' : '?'}: ${ts};`);
      }
    }
    body.push('};');
    body.push(`export const ${type} = componentBuilder<${type}Props>('${library.namespace}', '${type}');`);
    body.push('');
    children[type] = childrenProps(props);
  }

  const expected = DASH_CHILDREN_PROPS[library.namespace] ?? {};
  for (const type of library.components.keys()) {
    const derived = JSON.stringify(children[type]);
    const dash = JSON.stringify(expected[type] ?? []);
    if (derived !== dash) {
      console.warn(
        `warning: ${library.namespace}.${type}: children_props ${derived} from metadata, Dash 4.3 has ${dash}`,
      );
    }
  }

  lines.push(
    `// Generated by scripts/generate-components.ts from ${library.spec}`,
    `// (${library.sources.join(', ')}). Do not edit: run \`npm run generate:components\`.`,
    '',
  );
  const typeImports = ['Children', 'ComponentId']
    .filter((name) => used.has(name))
    .map((name) => `type ${name}`);
  lines.push(`import { ${[...typeImports, 'componentBuilder'].join(', ')} } from '../component.ts';`, '');
  lines.push(...body);
  lines.push(
    '/** Per component type, the props other than `children` that may hold components (`children_props`). */',
    'export const childrenProps: Record<string, string[]> = {',
  );
  for (const [type, paths] of Object.entries(children)) {
    lines.push(`  ${type}: [${paths.map(quote).join(', ')}],`);
  }
  lines.push('};', '');
  return lines.join('\n');
}

function main(): void {
  const html = loadLibrary('dash-html-components', 'dash_html_components', [
    'dash_html_components/dash_html_components.min.js',
  ]);
  // proptypes.js assigns onto window.dash_core_components, so the bundle must have run first.
  const dcc = loadLibrary('dash-core-components', 'dash_core_components', [
    'dash_core_components/dash_core_components.js',
    'dash_core_components/proptypes.js',
  ]);
  const outputs = [
    { library: html, target: path.join(OUT_DIR, 'html.ts') },
    { library: dcc, target: path.join(OUT_DIR, 'dcc.ts') },
  ].map((output) => ({ ...output, text: render(output.library) }));
  for (const key of Object.keys(SUPPLEMENTS)) {
    if (!usedSupplements.has(key))
      console.warn(`warning: type supplement for ${key} unused (metadata changed?)`);
  }

  mkdirSync(OUT_DIR, { recursive: true });
  for (const { library, target, text } of outputs) {
    const previous = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
    const what = `${path.relative(ROOT, target)} (${library.components.size} components)`;
    if (previous === text) {
      console.log(`${what}: unchanged`);
    } else {
      writeFileSync(target, text);
      console.log(`${what}: written`);
    }
  }
}

try {
  main();
} catch (error) {
  console.error(`generate-components: ${(error as Error).message}`);
  process.exit(1);
}
