/**
 * `Patch`: a partial update of a property, as Dash's `dash.Patch`. It records operations and goes
 * over the wire as `{ "__dash_patch_update": "__dash_patch_update", "operations": [...] }`; the
 * renderer applies them to the value it already has, so a long list grows by one item per answer
 * instead of being resent whole.
 */

/** A key into the patched value: an object key or an array index (negative counts from the end). */
export type PatchKey = string | number;

export type PatchOperationName =
  | 'Assign'
  | 'Delete'
  | 'Append'
  | 'Prepend'
  | 'Insert'
  | 'Extend'
  | 'Remove'
  | 'Clear'
  | 'Reverse'
  | 'Merge'
  | 'Add'
  | 'Sub'
  | 'Mul'
  | 'Div';

/** One operation, exactly as Dash serialises it (`params` keys in Dash's order). */
export interface PatchOperation {
  operation: PatchOperationName;
  location: PatchKey[];
  params: Record<string, unknown>;
}

export interface PatchJson {
  __dash_patch_update: '__dash_patch_update';
  operations: PatchOperation[];
}

const MARKER = '__dash_patch_update';

export class Patch {
  /**
   * The wire marker on the instance too, so a Patch is recognised structurally even when it was
   * built by another copy of dash-ts (where `instanceof` fails).
   */
  readonly __dash_patch_update = MARKER;
  /** Shared with every view `at()` returns, as in Dash, so any view serialises the whole patch. */
  #operations: PatchOperation[] = [];
  #location: PatchKey[] = [];

  /** A view of a nested part of the value; operations on it are recorded in this patch. */
  at(...path: PatchKey[]): Patch {
    path.forEach(assertKey);
    const view = new Patch();
    view.#operations = this.#operations;
    view.#location = [...this.#location, ...path];
    return view;
  }

  /** The operations recorded so far (copies). */
  get operations(): PatchOperation[] {
    return this.#operations.map((op) => ({ ...op, location: [...op.location], params: { ...op.params } }));
  }

  /** Where this view points (`[]` for the patch itself). */
  get location(): PatchKey[] {
    return [...this.#location];
  }

  assign(value: unknown): this {
    return this.#record('Assign', { value });
  }

  delete(): this {
    return this.#record('Delete', {});
  }

  append(value: unknown): this {
    return this.#record('Append', { value });
  }

  prepend(value: unknown): this {
    return this.#record('Prepend', { value });
  }

  insert(index: number, value: unknown): this {
    if (!Number.isInteger(index)) throw new TypeError(`Patch.insert: index must be an integer, got ${index}`);
    return this.#record('Insert', { value, index });
  }

  extend(values: readonly unknown[]): this {
    if (!Array.isArray(values)) throw new TypeError(`Patch.extend: ${String(values)} should be an array`);
    return this.#record('Extend', { value: values });
  }

  remove(value: unknown): this {
    return this.#record('Remove', { value });
  }

  clear(): this {
    return this.#record('Clear', {});
  }

  reverse(): this {
    return this.#record('Reverse', {});
  }

  merge(value: Record<string, unknown>): this {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new TypeError('Patch.merge: the value must be an object');
    }
    return this.#record('Merge', { value });
  }

  add(value: number): this {
    return this.#record('Add', { value });
  }

  sub(value: number): this {
    return this.#record('Sub', { value });
  }

  mul(value: number): this {
    return this.#record('Mul', { value });
  }

  div(value: number): this {
    return this.#record('Div', { value });
  }

  toJSON(): PatchJson {
    return { __dash_patch_update: MARKER, operations: this.#operations };
  }

  #record(operation: PatchOperationName, params: Record<string, unknown>): this {
    this.#operations.push({ operation, location: [...this.#location], params });
    return this;
  }
}

function assertKey(key: unknown): asserts key is PatchKey {
  if (typeof key === 'string' || (typeof key === 'number' && Number.isInteger(key))) return;
  throw new TypeError(`Patch.at: a key must be a string or an integer index, got ${String(key)}`);
}

/** A patch as it arrives from anywhere: a Patch, or its JSON (from a background job's process). */
export function isPatch(value: unknown): value is Patch | PatchJson {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return record[MARKER] === MARKER && Array.isArray(record.operations);
}

function patchOperations(value: Patch | PatchJson): PatchOperation[] {
  // A Patch's `operations` getter and a patch JSON's `operations` array read the same.
  return value.operations;
}

/**
 * Two updates of one prop within one answer (two `setProps` calls, or a job's calls between two
 * polls) become one value without losing either: patches concatenate; a patch after a plain value
 * is that value assigned whole, then patched (the renderer's Assign at `[]` yields the value).
 */
export function combinePropUpdates(previous: unknown, next: unknown): unknown {
  if (previous === undefined || !isPatch(next)) return next;
  const earlier: PatchOperation[] = isPatch(previous)
    ? patchOperations(previous)
    : [{ operation: 'Assign', location: [], params: { value: previous } }];
  return { __dash_patch_update: MARKER, operations: [...earlier, ...patchOperations(next)] };
}

/**
 * A patch applied to a value, as the renderer applies it (dash-renderer's patch.ts): for readers
 * that hold whole values instead of the page's props, such as an agent reading a stream's
 * progress. A location that is not there is created as the renderer's assocPath creates it.
 */
export function applyPatch(value: unknown, patch: Patch | PatchJson): unknown {
  let result = value;
  for (const { operation, location, params } of patchOperations(patch)) {
    result =
      operation === 'Delete'
        ? updateAt(result, location, undefined)
        : updateAt(result, location, (previous) => applyOperation(operation, previous, params));
  }
  return result;
}

/** `value` with the part at `location` changed, or removed when `change` is undefined. */
function updateAt(
  value: unknown,
  location: PatchKey[],
  change: ((previous: unknown) => unknown) | undefined,
): unknown {
  if (location.length === 0) return change ? change(value) : undefined;
  const [key, ...rest] = location as [PatchKey, ...PatchKey[]];
  if (Array.isArray(value) && typeof key === 'number') {
    const index = key < 0 ? value.length + key : key;
    const copy = [...value];
    if (rest.length === 0 && !change) copy.splice(index, 1);
    else copy[index] = updateAt(copy[index], rest, change);
    return copy;
  }
  const record: Record<string, unknown> =
    typeof value === 'object' && value !== null ? { ...(value as Record<string, unknown>) } : {};
  if (rest.length === 0 && !change) delete record[String(key)];
  else record[String(key)] = updateAt(record[String(key)], rest, change);
  return record;
}

function applyOperation(
  operation: Exclude<PatchOperationName, 'Delete'>,
  previous: unknown,
  params: Record<string, unknown>,
): unknown {
  const list = Array.isArray(previous) ? previous : [];
  const { value } = params;
  switch (operation) {
    case 'Assign':
      return value;
    case 'Append':
      return [...list, value];
    case 'Prepend':
      return [value, ...list];
    case 'Insert':
      return [...list.slice(0, params.index as number), value, ...list.slice(params.index as number)];
    case 'Extend':
      return [...list, ...(value as unknown[])];
    case 'Remove':
      return list.filter((item) => JSON.stringify(item) !== JSON.stringify(value));
    case 'Clear':
      return [];
    case 'Reverse':
      return [...list].reverse();
    case 'Merge':
      return { ...(previous as Record<string, unknown>), ...(value as Record<string, unknown>) };
    case 'Add':
      return (previous as number) + (value as number);
    case 'Sub':
      return (previous as number) - (value as number);
    case 'Mul':
      return (previous as number) * (value as number);
    case 'Div':
      return (previous as number) / (value as number);
  }
}
