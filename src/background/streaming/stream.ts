/**
 * Streaming callbacks (api.md, third round): a callback whose function is a generator function
 * streams. A stream is a job whose updates are its yields: each yield, shaped like a return value,
 * becomes setProps calls on the callback's own outputs, sent through the job's channel as any
 * setProps call is, by every manager, in order and never dropped. The orchestrator answers them to
 * the page's polls as `sideUpdate`, where a Patch applies to the value the page holds and
 * consecutive whole values of one prop merge (the latest wins; see combinePropUpdates).
 */

import { noUpdate } from '../../callbacks/no-update.ts';
import { type OutputShape, outputResponse } from '../../callbacks/outputs.ts';
import type { OutputEntry } from '../../callbacks/spec.ts';

type Stream = Iterator<unknown, unknown, undefined> | AsyncIterator<unknown, unknown, undefined>;

/** A generator function (`function*` or `async function*`): its callback streams. */
export function isStreamingFunction(fn: unknown): boolean {
  const kind = (fn as { constructor?: { name?: string } } | undefined)?.constructor?.name;
  return kind === 'AsyncGeneratorFunction' || kind === 'GeneratorFunction';
}

/** What a generator function returned when called: a generator object. */
export function isStream(value: unknown): value is Stream {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<PropertyKey, unknown>;
  return (
    typeof candidate.next === 'function' &&
    typeof candidate.return === 'function' &&
    (Symbol.asyncIterator in candidate || Symbol.iterator in candidate)
  );
}

/**
 * Runs a stream to its end: each yield's outputs go to `send` (id → props, as setProps). Returns
 * the final value for the job's result: what the generator returned, or noUpdate when it returned
 * nothing (its yields already delivered everything). An abort of `signal` (cancel, supersede,
 * timeout) ends the generator: its `finally` blocks run, and the abort's reason is thrown.
 */
export async function runStream(
  stream: Stream,
  shape: OutputShape,
  outputsList: unknown,
  send: (id: string, props: Record<string, unknown>) => void,
  signal: AbortSignal,
): Promise<unknown> {
  const aborted = abortion(signal);
  let done = false;
  try {
    for (;;) {
      const next = Promise.resolve(stream.next());
      // Left behind by an abort, its later failure has nobody to report to.
      next.catch(() => {});
      const step = await Promise.race([next, aborted.promise]);
      if (step === ABORTED) {
        // The try ends once the generator has: its finally blocks run before the manager hears
        // of the end (a generator that never gets there is hard-stopped like any job).
        done = true;
        await Promise.resolve(stream.return?.(undefined)).catch(() => {});
        throw abortReason(signal);
      }
      if (step.done) {
        done = true;
        return step.value === undefined ? noUpdate : step.value;
      }
      const updates = outputResponse(shape, outputsList as OutputEntry | OutputEntry[], step.value);
      for (const [id, props] of Object.entries(updates)) send(id, toJson(props));
    }
  } finally {
    aborted.dispose();
    // Ends a generator left mid-way by a yield that does not fit the outputs: its finally blocks run.
    if (!done) Promise.resolve(stream.return?.(undefined)).catch(() => {});
  }
}

const ABORTED = Symbol('aborted');

function abortion(signal: AbortSignal): { promise: Promise<typeof ABORTED>; dispose: () => void } {
  let onAbort = () => {};
  const promise = new Promise<typeof ABORTED>((resolve) => {
    onAbort = () => resolve(ABORTED);
    if (signal.aborted) resolve(ABORTED);
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('the stream was stopped');
}

/** Components, Patches and noUpdate become plain JSON, as on the wire. */
function toJson(props: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(props)) as Record<string, unknown>;
}
