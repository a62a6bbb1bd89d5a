/**
 * Reads a suite's prop metadata from its own bundle(s): they run in the sandbox, and every component
 * on `window[namespace]` reports its `propTypes` through the recording PropTypes.
 */

import { SuiteMetadataError } from './errors.ts';
import type { Descriptor } from './prop-types.ts';
import { asDescriptor, isRecorded } from './prop-types.ts';
import { createSandbox, evaluateScript } from './sandbox.ts';
import { evaluatePropTypes, propTypesDeclarations } from './source-prop-types.ts';

export { SuiteMetadataError };

export interface SuiteMetadata {
  /** JS namespace the renderer resolves components in (`window[namespace]`). */
  namespace: string;
  /** Component type → prop name → what its validator says, in sorted type order. */
  components: Map<string, Record<string, Descriptor>>;
}

export interface MetadataSource {
  /** Names the package in messages, e.g. `dash-table@7.4.1`. */
  label: string;
  /** The namespace the bundle is expected to define. */
  namespace: string;
  /** Scripts to run in order (the bundle, then any metadata file that decorates it), absolute paths. */
  files: { path: string; shownAs: string; generatedMetadata?: boolean }[];
  /** What `document.currentScript.src` says while they run. */
  scriptUrl: string;
  /**
   * The package folder, whose shipped sources are read for the components whose bundle carries
   * production (shim) prop-types.
   */
  sourceDir?: string;
}

type Exported = Record<string, { propTypes?: Record<string, unknown> } | undefined>;

const COMPONENT_NAME = /^[A-Z][A-Za-z0-9]*$/;

export function readSuiteMetadata(source: MetadataSource): SuiteMetadata {
  const context = createSandbox(source.scriptUrl);
  const before = new Set(Object.keys(context));
  for (const file of source.files) {
    if (file.generatedMetadata) tolerateUnexportedTypes(context, source.namespace);
    try {
      evaluateScript(context, file.path, { quoteKeys: file.generatedMetadata ?? false });
    } catch (error) {
      throw new SuiteMetadataError(
        `${source.label} is not a Dash component suite dash-ts can read: running ${file.shownAs}, which should ` +
          `define window.${source.namespace} and its components' propTypes, failed: ${(error as Error).message}`,
      );
    }
  }
  const exported = unwrapped(context[source.namespace]) as Exported | undefined;
  if (!exported || typeof exported !== 'object') {
    const defined = Object.keys(context).filter((key) => !before.has(key));
    throw new SuiteMetadataError(
      `${source.label}: ${source.files[0]?.shownAs} did not define window.${source.namespace}, so it is not a ` +
        `Dash component suite with that namespace (it defined ${defined.length ? defined.join(', ') : 'no globals'})`,
    );
  }
  const components = new Map<string, Record<string, Descriptor>>();
  const failed: string[] = [];
  let declarations: Map<string, string> | undefined;
  for (const type of Object.keys(exported).sort()) {
    if (!COMPONENT_NAME.test(type)) continue; // helpers, not components
    let propTypes = exported[type]?.propTypes as Record<string, unknown> | undefined;
    if (!informative(propTypes) && source.sourceDir) {
      declarations ??= propTypesDeclarations(source.sourceDir);
      const literal = declarations.get(type);
      if (literal) propTypes = evaluateDeclaration(context, literal, source.label, type);
    }
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
    throw new SuiteMetadataError(
      `${source.label}: no prop metadata (propTypes) for ${failed.join(', ')} in window.${source.namespace}` +
        (source.sourceDir ? ' nor in the sources the package ships' : ''),
    );
  }
  if (components.size === 0) {
    throw new SuiteMetadataError(
      `${source.label}: window.${source.namespace} holds no components (no capitalised exports with propTypes)`,
    );
  }
  return { namespace: source.namespace, components };
}

const UNWRAPPED = Symbol('unwrapped');

/**
 * Dash-generated metadata can decorate types the bundle does not export (dash_mantine_components
 * 2.x sets `pk.ChipGroupContext.propTypes`, an internal context): while it runs, such a missing type
 * reads as a throwaway object, so the file completes and the bundle's real components keep theirs.
 */
function tolerateUnexportedTypes(context: Record<string, unknown>, namespace: string): void {
  const real = unwrapped(context[namespace]);
  if (!real || typeof real !== 'object') return;
  context[namespace] = new Proxy(real, {
    get(target, key, receiver) {
      if (key === UNWRAPPED) return target;
      if (typeof key === 'string' && !(key in target) && COMPONENT_NAME.test(key)) return {};
      return Reflect.get(target, key, receiver);
    },
  });
}

function unwrapped(value: unknown): unknown {
  return (value as { [UNWRAPPED]?: unknown } | null | undefined)?.[UNWRAPPED] ?? value;
}

/** Production prop-types make every validator the same shim: such propTypes say nothing. */
function informative(propTypes: Record<string, unknown> | undefined): boolean {
  if (!propTypes || typeof propTypes !== 'object') return false;
  const values = Object.values(propTypes);
  return values.length === 0 || values.some(isRecorded);
}

function evaluateDeclaration(
  context: Record<string, unknown>,
  literal: string,
  label: string,
  type: string,
): Record<string, unknown> {
  try {
    return evaluatePropTypes(context, literal);
  } catch (error) {
    throw new SuiteMetadataError(
      `${label}: the propTypes of ${type} in its sources cannot be read: ${String((error as { message?: unknown })?.message ?? error)}`,
    );
  }
}
