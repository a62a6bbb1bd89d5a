/**
 * What the command sends the metadata extractor (a child process under Node's permission model,
 * ../extraction.ts) and what it answers on stdout: plain JSON, validated again by the command
 * (../wire.ts) before any of it reaches the generator.
 */

export interface ExtractionRequest {
  /** Names the package in messages, e.g. `dash-table@7.4.1`. */
  label: string;
  /** The namespace the bundle is expected to define (`window[namespace]`). */
  namespace: string;
  /** The folder the extractor reads from (the package's real path); a file whose real path leaves it is refused. */
  root: string;
  /** Scripts to run in order, absolute paths inside `root`. */
  files: { path: string; shownAs: string; generatedMetadata?: boolean }[];
  /** What `document.currentScript.src` says while they run. */
  scriptUrl: string;
  /** Where shipped sources with `<Type>.propTypes = {...}` declarations are looked for, if anywhere. */
  sourceDir?: string;
  /** The pattern of a component type name (a capitalised JS identifier): exports that miss it are helpers. */
  componentName: string;
}

/**
 * A prop-types validator as data. `values` holds a oneOf's literals, anything other than a string,
 * a finite number, a boolean or null as `{}`; `shape` is a list of pairs so that no key (not even
 * `__proto__`) is special.
 */
export type WireDescriptor = {
  kind: string;
  required?: boolean;
  values?: unknown[];
  types?: WireDescriptor[];
  of?: WireDescriptor;
  shape?: [string, WireDescriptor][];
  name?: string;
};

export type ExtractionResult =
  | { ok: true; namespace: string; components: [string, [string, WireDescriptor][]][] }
  | { ok: false; message: string };

/** How deep a descriptor may nest; deeper parts say `any` (the extractor) or are refused (the command). */
export const MAX_DEPTH = 32;

/** The prop-types validators that take no argument, as descriptor kinds. */
export type Leaf =
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

export const LEAVES: ReadonlySet<string> = new Set<Leaf>([
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
]);
