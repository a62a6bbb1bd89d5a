/**
 * One registry of job functions. The web server and every worker fill it the same way, by
 * importing the same app module (its `app.callback(...)` calls register here), so a key names the
 * same function everywhere.
 *
 * A key is the callback id plus a hash of the source text of the file that registered it, as
 * that file is on disk: every process that loads the app reads the same text, whatever compiles
 * it (tsx, Node's type stripping, none), where `fn.toString()` is that compiler's output and
 * differs between them. A worker running another version of the app's file has other keys, so it
 * is never given a function the server did not mean. Only a function whose file is unknown (an
 * eval, a REPL) falls back to its `toString()`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { CallbackFunction } from '../callbacks/spec.ts';

export interface JobFunction {
  readonly key: string;
  readonly callbackId: string;
  readonly fn: CallbackFunction;
  /** How many progress outputs the callback declares (0: setProgress is an error). */
  readonly progressCount: number;
  /** Record-style inputs: the function takes one object of values. */
  readonly recordStyle: boolean;
  /** How its return value maps onto outputs (a stream's yields do too); default 'single'. */
  readonly outputMode?: 'single' | 'multi' | 'none';
  /** The declared outputs (`id.prop`), for messages about values that do not fit them. */
  readonly outputs?: readonly string[];
}

export interface JobFunctionEntry extends Omit<JobFunction, 'key'> {
  /** The file whose code registered the callback (undefined where unknown). */
  readonly definedIn: string | undefined;
}

const fileHashes = new Map<string, string | undefined>();

function sourceHash(path: string): string | undefined {
  if (!fileHashes.has(path)) {
    let hash: string | undefined;
    try {
      // Line endings normalised: a checkout on another OS is the same version of the file.
      const text = readFileSync(path, 'utf8').replace(/\r\n/g, '\n');
      hash = createHash('sha256').update(text).digest('hex');
    } catch {
      hash = undefined;
    }
    fileHashes.set(path, hash);
  }
  return fileHashes.get(path);
}

export function jobFunctionKey(
  callbackId: string,
  fn: CallbackFunction,
  definedIn: string | undefined,
): string {
  const fileHash = definedIn === undefined ? undefined : sourceHash(definedIn);
  const version = fileHash === undefined ? `function:${fn.toString()}` : `file:${fileHash}`;
  return createHash('sha256').update(callbackId).update('\n').update(version).digest('hex');
}

export class Registrar {
  readonly #byKey = new Map<string, JobFunction>();

  register({ definedIn, ...entry }: JobFunctionEntry): JobFunction {
    const key = jobFunctionKey(entry.callbackId, entry.fn, definedIn);
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

/**
 * The process-wide registrar: every app in this process registers its job functions here. Kept
 * on globalThis, so that should a process hold two copies of dash-ts (an app that loads it as
 * CommonJS beside the worker's ES module copy), both fill and read one registry.
 */
const GLOBAL_KEY = Symbol.for('dash-ts.registrar');
const holder = globalThis as { [GLOBAL_KEY]?: Registrar };
holder[GLOBAL_KEY] ??= new Registrar();
export const registrar: Registrar = holder[GLOBAL_KEY];
