/**
 * A component prop's type as its prop-types validator says, e.g. `PropTypes.oneOf(['a', 'b'])` is
 * `{kind: 'oneOf', values: ['a', 'b']}`. The extractor's recording PropTypes builds them inside the
 * bundle's realm (extract/realm.ts); wire.ts checks them on the way out.
 */
import type { Leaf } from './extract/protocol.ts';

export { LEAVES, type Leaf } from './extract/protocol.ts';

export type Descriptor = { required?: boolean } & (
  | { kind: Leaf }
  | { kind: 'oneOf'; values: unknown[] }
  | { kind: 'oneOfType'; types: Descriptor[] }
  | { kind: 'arrayOf' | 'objectOf'; of: Descriptor }
  | { kind: 'shape' | 'exact'; shape: Record<string, Descriptor> }
  | { kind: 'instanceOf'; name: string }
);
