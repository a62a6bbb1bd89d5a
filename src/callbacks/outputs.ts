/** Maps what a callback returned onto its outputs: the `response` object of Dash's answer. */
import { InvalidCallbackReturnValue } from '../base/errors.ts';
import { idToString } from './dependencies.ts';
import { isNoUpdate } from './no-update.ts';
import type { RegisteredCallback } from './registry.ts';
import { cleanPropertyName } from './registry.ts';
import type { CallbackRequest } from './request.ts';
import type { OutputEntry } from './spec.ts';

export type OutputResponse = Record<string, Record<string, unknown>>;

/** What mapping a value onto outputs needs of a callback (a job's process has only this). */
export type OutputShape = Pick<RegisteredCallback, 'id' | 'outputMode'> & {
  outputs: readonly { toString(): string }[];
};

export function outputResponse(
  callback: OutputShape,
  outputs: CallbackRequest['outputs'],
  result: unknown,
): OutputResponse {
  const response: OutputResponse = {};
  if (callback.outputMode === 'none') {
    if (result !== undefined && result !== null && !isNoUpdate(result)) {
      throw new InvalidCallbackReturnValue(
        `callback ${callback.id} has no outputs but returned ${preview(result)}; return nothing (or use setProps)`,
      );
    }
    return response;
  }
  if (callback.outputMode === 'single') {
    assign(response, outputs as OutputEntry, result, callback.outputs[0]!.toString());
    return response;
  }
  const entries = outputs as OutputEntry[];
  if (isNoUpdate(result)) return response;
  if (!Array.isArray(result) || result.length !== entries.length) {
    throw new InvalidCallbackReturnValue(
      `callback ${callback.id} has ${entries.length} outputs and must return an array of ${entries.length} values, got ${preview(result)}`,
    );
  }
  entries.forEach((entry, i) => {
    assign(response, entry, result[i], callback.outputs[i]!.toString());
  });
  return response;
}

function assign(response: OutputResponse, entry: OutputEntry, value: unknown, declared: string): void {
  if (isNoUpdate(value)) return;
  if (Array.isArray(entry)) {
    // An ALL output: one value per matching component, in the order the renderer sent them.
    if (!Array.isArray(value) || value.length !== entry.length) {
      throw new InvalidCallbackReturnValue(
        `output ${declared} matches ${entry.length} components, so its value must be an array of ${entry.length}, got ${preview(value)}`,
      );
    }
    entry.forEach((item, i) => {
      assign(response, item, value[i], declared);
    });
    return;
  }
  const key = idToString(entry.id);
  response[key] ??= {};
  response[key][cleanPropertyName(entry.property)] = value === undefined ? null : value;
}

function preview(value: unknown): string {
  if (value === undefined) return 'undefined';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
