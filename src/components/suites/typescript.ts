/**
 * Suite metadata to a TypeScript module: one `<Type>Props` type and one builder per component,
 * plus the `children_props` the renderer needs. The module's frame (header, imports, how a builder
 * is made) is the caller's: dash-ts's own html/dcc modules and a user's generated suite module
 * differ only there.
 */
import type { SuiteMetadata } from './metadata.ts';
import type { Descriptor } from './prop-types.ts';

export interface ModuleFrame {
  /** Comment lines at the top, without the `//`. */
  header: string[];
  /** Import lines, given which of `Children` and `ComponentId` the prop types use. */
  imports(typeNames: string[]): string[];
  /** Lines before the first component (e.g. registering the suite with its children_props). */
  preamble?(childrenProps: Record<string, string[]>): string[];
  /** The expression that builds component `type`'s builder, typed by `<type>Props`. */
  builder(type: string): string;
  /** Ends the module with `export const childrenProps = {...}`. */
  exportChildrenProps: boolean;
  /** Long prop types used by several props become one named type each (suites like Mantine repeat them). */
  shareLongTypes?: boolean;
  /** Prop types for `<namespace>.<Type>.<prop>` used while the metadata says only `any`. */
  supplements?: Record<string, string[]>;
}

export interface RenderedModule {
  text: string;
  childrenProps: Record<string, string[]>;
  /** The supplements that applied. */
  supplemented: Set<string>;
}

/** Props the renderer supplies itself; a layout must not set them. */
function isInternal(prop: string): boolean {
  return prop === 'setProps' || prop === 'componentPath' || prop.startsWith('_dashprivate_');
}

export const STYLE = 'Record<string, string | number>';

function isStyleProp(prop: string, descriptor: Descriptor): boolean {
  if (prop === 'style') return true;
  // Metadata often types other CSS-object props (`*_style`, `*Style`, `style_*`) as `any` or `object`.
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
export function withNull(members: string[], required: boolean | undefined): string {
  if (required || members.includes('unknown') || members.includes('Children') || members.includes('null')) {
    return members.join(' | ');
  }
  return [...members, 'null'].join(' | ');
}

// ---------------------------------------------------------------------------------------------------
// Text from a package (names, props, literals, version) reaches the module only through these:
// as a quoted literal, as an identifier that passed IDENTIFIER, or as comment text.

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function propertyName(name: string): string {
  return IDENTIFIER.test(name) ? name : quote(name);
}

/**
 * `text` as a single-quoted string literal: JSON's escapes (quotes, backslashes, control
 * characters, lone surrogates), plus the line separators U+2028/2029 (line breaks to TypeScript)
 * and `</` (so no `</script>` appears even if the text is ever inlined in a page).
 */
export function quote(text: string): string {
  const escaped = JSON.stringify(text)
    .slice(1, -1)
    .replaceAll('\\"', '"')
    .replaceAll("'", "\\'")
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029')
    .replaceAll('</', '<\\/');
  return `'${escaped}'`;
}

const LINE_BREAKS: Record<string, string> = {
  '\r': '\\r',
  '\n': '\\n',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** Text for a `//` or `/* *\/` comment: line breaks shown as `\n`-style escapes, `*\/` broken up. */
export function commentText(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]/g, (c) => LINE_BREAKS[c]!).replaceAll('*/', '*\\/');
}

/**
 * A `data-*`/`aria-*` prop as a template-literal index signature, when its prefix and suffix are
 * plain attribute-name characters (nothing a template literal would read); otherwise undefined,
 * and the prop is a quoted property like any other.
 */
function wildcardSignature(prop: string, ts: string): string | undefined {
  const match = /^([A-Za-z0-9_-]*)\*([A-Za-z0-9_-]*)$/.exec(prop);
  if (!match) return undefined;
  return `  [attribute: \`${match[1]}\${string}${match[2]}\`]: ${ts} | undefined;`;
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

function childrenPropsOf(props: Record<string, Descriptor>): string[] {
  return Object.entries(props)
    .filter(([prop]) => prop !== 'children' && !isInternal(prop))
    .flatMap(([prop, descriptor]) => componentPaths(descriptor, prop));
}

// ---------------------------------------------------------------------------------------------------
// The module

export function renderModule(metadata: SuiteMetadata, frame: ModuleFrame): RenderedModule {
  const supplemented = new Set<string>();
  const used = new Set<string>();
  const body: string[] = [];
  const childrenProps: Record<string, string[]> = {};

  const propType = (where: string, prop: string, descriptor: Descriptor): string => {
    const supplement = frame.supplements?.[`${where}.${prop}`];
    if (supplement && descriptor.kind === 'any') {
      supplemented.add(`${where}.${prop}`);
      return withNull(supplement, descriptor.required);
    }
    if (prop === 'id') return 'ComponentId';
    if (prop === 'children') return 'Children';
    if (isStyleProp(prop, descriptor)) return withNull([STYLE], descriptor.required);
    return withNull(typeMembers(descriptor), descriptor.required);
  };

  for (const type of metadata.components.keys()) {
    if (!IDENTIFIER.test(type))
      throw new Error(`component type ${quote(type)} is not a JavaScript identifier`);
  }
  const typed = [...metadata.components].map(([type, props]) => ({
    type,
    props,
    fields: Object.entries(props)
      .filter(([prop]) => !isInternal(prop))
      .map(([prop, descriptor]) => ({
        prop,
        descriptor,
        ts: propType(`${metadata.namespace}.${type}`, prop, descriptor),
      })),
  }));
  const shared = frame.shareLongTypes
    ? sharedTypes(typed.flatMap((t) => t.fields))
    : new Map<string, string>();

  for (const { type, props, fields } of typed) {
    body.push(`export type ${type}Props = {`);
    for (const { prop, descriptor, ts: full } of fields) {
      for (const name of ['ComponentId', 'Children']) if (full.includes(name)) used.add(name);
      const ts = shared.get(full) ?? full;
      // `data-*` / `aria-*`: any attribute with that prefix.
      const wildcard = prop.includes('*') ? wildcardSignature(prop, ts) : undefined;
      body.push(wildcard ?? `  ${propertyName(prop)}${descriptor.required ? '' : '?'}: ${ts};`);
    }
    body.push('};');
    body.push(`export const ${type} = ${frame.builder(type)};`);
    body.push('');
    childrenProps[type] = childrenPropsOf(props);
  }
  if (shared.size > 0) {
    body.unshift(
      '// Prop types that several components share.',
      ...[...shared].map(([ts, alias]) => `type ${alias} = ${ts};`),
      '',
    );
  }

  const lines = frame.header.map((line) => (line ? `// ${commentText(line)}` : '//'));
  lines.push('');
  lines.push(...frame.imports(['Children', 'ComponentId'].filter((name) => used.has(name))), '');
  if (frame.preamble) lines.push(...frame.preamble(childrenProps), '');
  lines.push(...body);
  if (frame.exportChildrenProps) {
    lines.push(
      '/** Per component type, the props other than `children` that may hold components (`children_props`). */',
      'export const childrenProps: Record<string, string[]> = {',
      ...childrenPropsLines(childrenProps, '  '),
      '};',
      '',
    );
  }
  return { text: lines.join('\n'), childrenProps, supplemented };
}

const SHARED_MIN_LENGTH = 60;

/** Type text → alias (`<Prop>Value`, numbered on clashes), for long types that occur more than once. */
function sharedTypes(fields: { prop: string; ts: string }[]): Map<string, string> {
  const counts = new Map<string, { count: number; prop: string }>();
  for (const { prop, ts } of fields) {
    if (ts.length < SHARED_MIN_LENGTH) continue;
    const seen = counts.get(ts);
    if (seen) seen.count++;
    else counts.set(ts, { count: 1, prop });
  }
  const aliases = new Map<string, string>();
  const taken = new Set<string>();
  for (const [ts, { count, prop }] of counts) {
    if (count < 2) continue;
    const base = `${prop.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase()).replace(/^./, (c) => c.toUpperCase())}Value`;
    const name = /^[A-Za-z]/.test(base) ? base : `Prop${base}`;
    let alias = name;
    for (let n = 2; taken.has(alias); n++) alias = `${name}${n}`;
    taken.add(alias);
    aliases.set(ts, alias);
  }
  return aliases;
}

export function childrenPropsLines(childrenProps: Record<string, string[]>, indent: string): string[] {
  return Object.entries(childrenProps).map(
    ([type, paths]) => `${indent}${type}: [${paths.map(quote).join(', ')}],`,
  );
}
