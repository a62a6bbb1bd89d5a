/**
 * Parses and validates a `/_dash-update-component` body against the callback it names.
 * Everything that does not fit becomes a BadRequestError naming the problem.
 */
import { BadRequestError } from '../base/errors.ts';
import { type DependencyId, idMatches, idToString } from './dependencies.ts';
import {
  type BackgroundBasics,
  type CallbackRegistry,
  cleanPropertyName,
  type RegisteredCallback,
} from './registry.ts';
import type { DependencyValue, DependencyValueEntry, OutputEntry } from './spec.ts';

export interface CallbackRequest<B extends BackgroundBasics = BackgroundBasics> {
  callback: RegisteredCallback<B>;
  /** As sent: an entry for a single output, a list for several, null for none. */
  outputs: OutputEntry | OutputEntry[] | null;
  inputs: DependencyValueEntry[];
  state: DependencyValueEntry[];
  changedPropIds: string[];
}

export function parseCallbackBody(text: string): Record<string, unknown> {
  if (text.trim() === '') throw new BadRequestError('the request body is empty; expected a JSON object');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new BadRequestError(`the request body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequestError('the request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

export function readCallbackRequest<B extends BackgroundBasics>(
  body: Record<string, unknown>,
  registry: CallbackRegistry<B>,
): CallbackRequest<B> {
  const { output } = body;
  if (typeof output !== 'string' || output === '') {
    throw new BadRequestError('"output" must be the callback id string from /_dash-dependencies');
  }
  const callback = registry.get(output);
  if (!callback) throw new BadRequestError(`no callback has output ${JSON.stringify(output)}`, 404);
  if (callback.clientside) {
    throw new BadRequestError(
      `callback ${JSON.stringify(output)} is a clientside callback: it runs in the browser`,
    );
  }

  const inputs = readDependencyList(body.inputs, callback.inputs, 'inputs');
  const state = readDependencyList(body.state ?? [], callback.state, 'state');
  const outputs = readOutputs(body.outputs, callback);
  const changedPropIds = readChangedPropIds(body.changedPropIds);
  return { callback, outputs, inputs, state, changedPropIds };
}

interface Declared {
  id: DependencyId;
  property: string;
  isMultiValued: boolean;
  toString(): string;
}

function readDependencyList(raw: unknown, declared: Declared[], field: string): DependencyValueEntry[] {
  if (!Array.isArray(raw)) throw new BadRequestError(`"${field}" must be a list`);
  if (raw.length !== declared.length) {
    throw new BadRequestError(
      `"${field}" has ${raw.length} entries but the callback declares ${declared.length}: inputs do not match the callback definition`,
    );
  }
  return raw.map((entry, i) => {
    const want = declared[i]!;
    if (want.isMultiValued) {
      if (!Array.isArray(entry)) throw new BadRequestError(`"${field}[${i}]" must be a list for ${want}`);
      return entry.map((item, j) => readDependencyValue(item, want, `${field}[${i}][${j}]`));
    }
    return readDependencyValue(entry, want, `${field}[${i}]`);
  });
}

function readDependencyValue(raw: unknown, want: Declared, where: string): DependencyValue {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new BadRequestError(`"${where}" must be an object {id, property, value}`);
  }
  const entry = raw as Record<string, unknown>;
  if (typeof entry.property !== 'string') throw new BadRequestError(`"${where}.property" must be a string`);
  if (!idMatches(want.id, entry.id) || cleanPropertyName(entry.property) !== want.property) {
    throw new BadRequestError(`"${where}" is ${describeDependency(entry)}, which does not match ${want}`);
  }
  const value: DependencyValue = { id: entry.id as DependencyValue['id'], property: entry.property };
  if ('value' in entry) value.value = entry.value;
  return value;
}

function readOutputs(raw: unknown, callback: RegisteredCallback): CallbackRequest['outputs'] {
  if (callback.outputMode === 'none') return null;
  if (callback.outputMode === 'single') return readOutputEntry(raw, callback.outputs[0]!, 'outputs');
  if (!Array.isArray(raw) || raw.length !== callback.outputs.length) {
    throw new BadRequestError(
      `"outputs" must be a list of ${callback.outputs.length} outputs for ${callback.id}`,
    );
  }
  return raw.map((entry, i) => readOutputEntry(entry, callback.outputs[i]!, `outputs[${i}]`));
}

function readOutputEntry(raw: unknown, want: Declared, where: string): OutputEntry {
  if (want.isMultiValued) {
    if (!Array.isArray(raw)) throw new BadRequestError(`"${where}" must be a list for ${want}`);
    return raw.map((item, j) => readDependencyValue(item, want, `${where}[${j}]`));
  }
  const { id, property } = readDependencyValue(raw, want, where);
  return { id, property };
}

function readChangedPropIds(raw: unknown): string[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw) || raw.some((p) => typeof p !== 'string')) {
    throw new BadRequestError('"changedPropIds" must be a list of strings');
  }
  return raw;
}

function describeDependency(entry: Record<string, unknown>): string {
  const id = entry.id;
  const idText =
    typeof id === 'string'
      ? id
      : typeof id === 'object' && id !== null
        ? idToString(id as never)
        : String(id);
  return `${idText}.${String(entry.property)}`;
}
