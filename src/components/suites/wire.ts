/**
 * The extractor's answer, checked before any of it reaches the generator: it comes from a process
 * that ran the package's code, so its shape is verified here, not assumed. Component type names must
 * be capitalised JS identifiers; prop names and oneOf literals may be any string (the generator
 * quotes them); descriptors must be of the known kinds and no deeper than MAX_DEPTH.
 */
import { SuiteMetadataError } from './errors.ts';
import { MAX_DEPTH, type WireDescriptor } from './extract/protocol.ts';
import { type Descriptor, LEAVES } from './prop-types.ts';

/** A component type: a capitalised identifier (other exports are helpers). */
export const COMPONENT_NAME = /^[A-Z][A-Za-z0-9]*$/;

export interface SuiteMetadata {
  /** JS namespace the renderer resolves components in (`window[namespace]`). */
  namespace: string;
  /** Component type → prop name → what its validator says, in sorted type order. */
  components: Map<string, Record<string, Descriptor>>;
}

class Malformed extends Error {}

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Malformed(what);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function descriptor(value: unknown, depth: number): Descriptor {
  check(depth <= MAX_DEPTH, 'a descriptor nests too deep');
  check(isObject(value) && typeof value.kind === 'string', 'a descriptor has no kind');
  const wire = value as WireDescriptor;
  const required = wire.required === true ? { required: true } : {};
  switch (wire.kind) {
    case 'oneOf':
      check(Array.isArray(wire.values), 'a oneOf has no values');
      return {
        kind: 'oneOf',
        ...required,
        // Literals stay as they are; anything else is an object, which the generator reads as `unknown`.
        values: wire.values.map((v) =>
          typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null ? v : {},
        ),
      };
    case 'oneOfType':
      check(Array.isArray(wire.types), 'a oneOfType has no types');
      return { kind: 'oneOfType', ...required, types: wire.types.map((t) => descriptor(t, depth + 1)) };
    case 'arrayOf':
    case 'objectOf':
      return { kind: wire.kind, ...required, of: descriptor(wire.of, depth + 1) };
    case 'shape':
    case 'exact':
      return { kind: wire.kind, ...required, shape: fields(wire.shape, depth + 1) };
    case 'instanceOf':
      return { kind: 'instanceOf', ...required, name: String(wire.name) };
    default:
      check(LEAVES.has(wire.kind), `unknown descriptor kind ${JSON.stringify(wire.kind)}`);
      return { kind: wire.kind as 'any', ...required };
  }
}

/** `[name, descriptor]` pairs to a record; `Object.fromEntries` defines `__proto__` as a plain key. */
function fields(value: unknown, depth: number): Record<string, Descriptor> {
  check(Array.isArray(value), 'a prop list is not a list');
  const names = new Set<string>();
  return Object.fromEntries(
    value.map((pair: unknown) => {
      check(
        Array.isArray(pair) && pair.length === 2 && typeof pair[0] === 'string',
        'a prop is not [name, type]',
      );
      check(!names.has(pair[0]), `prop ${JSON.stringify(pair[0])} appears twice`);
      names.add(pair[0]);
      return [pair[0], descriptor(pair[1], depth)];
    }),
  );
}

/** The extractor's JSON answer for `label`, checked; a refusal or a malformed answer is a SuiteMetadataError. */
export function parseExtraction(text: string, label: string, namespace: string): SuiteMetadata {
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    throw new SuiteMetadataError(`${label}: the metadata extractor's answer is not JSON`);
  }
  if (isObject(answer) && answer.ok === false && typeof answer.message === 'string') {
    throw new SuiteMetadataError(answer.message);
  }
  try {
    check(isObject(answer) && answer.ok === true, 'no result');
    check(answer.namespace === namespace, 'the namespace differs from the one asked for');
    check(Array.isArray(answer.components), 'no component list');
    const components = new Map<string, Record<string, Descriptor>>();
    for (const entry of answer.components as unknown[]) {
      check(Array.isArray(entry) && entry.length === 2, 'a component is not [type, props]');
      const [type, props] = entry as [unknown, unknown];
      check(
        typeof type === 'string' && COMPONENT_NAME.test(type),
        `component type ${JSON.stringify(type)} is not an identifier`,
      );
      check(!components.has(type), `component ${type} appears twice`);
      components.set(type, fields(props, 0));
    }
    if (components.size === 0) {
      throw new SuiteMetadataError(
        `${label}: window.${namespace} holds no components (no capitalised exports with propTypes)`,
      );
    }
    return { namespace, components };
  } catch (error) {
    if (!(error instanceof Malformed)) throw error;
    throw new SuiteMetadataError(`${label}: the component metadata is malformed: ${error.message}`);
  }
}
