/**
 * One registry of job functions, keyed by a stable hash of callback id and function source.
 * The web server and every worker fill it the same way, by importing the same app module
 * (its `app.callback(...)` calls register here), so a key names the same function everywhere.
 */
import { createHash } from 'node:crypto';
import type { CallbackFunction } from '../callbacks/spec.ts';

export interface JobFunction {
  readonly key: string;
  readonly callbackId: string;
  readonly fn: CallbackFunction;
  /** How many progress outputs the callback declares (0: setProgress is an error). */
  readonly progressCount: number;
  /** Record-style inputs: the function takes one object of values. */
  readonly recordStyle: boolean;
}

export function jobFunctionKey(callbackId: string, fn: CallbackFunction): string {
  return createHash('sha256').update(callbackId).update('\n').update(fn.toString()).digest('hex');
}

export class Registrar {
  readonly #byKey = new Map<string, JobFunction>();

  register(entry: Omit<JobFunction, 'key'>): JobFunction {
    const key = jobFunctionKey(entry.callbackId, entry.fn);
    const registered = { ...entry, key };
    this.#byKey.set(key, registered);
    return registered;
  }

  get(key: string): JobFunction | undefined {
    return this.#byKey.get(key);
  }

  get keys(): string[] {
    return [...this.#byKey.keys()];
  }
}

/** The process-wide registrar: every app in this process registers its job functions here. */
export const registrar = new Registrar();
