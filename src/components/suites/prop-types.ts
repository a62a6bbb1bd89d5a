/**
 * A `PropTypes` that records what each validator was built from, so a suite's runtime prop metadata
 * can be read back: `PropTypes.oneOf(['a', 'b'])` becomes `{kind: 'oneOf', values: ['a', 'b']}`.
 */

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

export type Descriptor = { required?: boolean } & (
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

/** Whether a value is a validator built by the recording PropTypes (not a bundle's own copy). */
export function isRecorded(value: unknown): boolean {
  return typeof value === 'object' && value !== null && RECORDED.has(value);
}

/** A hand-written validator function (or anything else) says nothing about the type. */
export function asDescriptor(value: unknown): Descriptor {
  return typeof value === 'object' && value !== null && RECORDED.has(value)
    ? (value as Descriptor)
    : { kind: 'any' };
}

export function recordingPropTypes(): Record<string, unknown> {
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
