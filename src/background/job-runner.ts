/**
 * Runs one job function where the work happens (a pool process, a `dash-ts worker`), with a
 * callback context rebuilt from the start request, and turns whatever happens into a JobOutcome.
 */

import { NonRetryableError, PreventUpdate } from '../base/errors.ts';
import { buildContext } from '../callbacks/context.ts';
import { idToString } from '../callbacks/dependencies.ts';
import type { JobContextSnapshot, JobOutcome } from './manager.ts';
import type { JobFunction } from './registrar.ts';
import { isStream, runStream } from './streaming/stream.ts';
import { traceJobRun } from './tracing.ts';

/** Where a running job's progress and setProps calls go. */
export interface JobChannel {
  progress(values: unknown[]): void;
  setProps(id: string, props: Record<string, unknown>): void;
}

/**
 * An async function or a generator function: it gives its process's event loop back between its
 * steps, so what it reports within one step can be sent together when the step ends. A plain
 * function may block the process until it returns, so what it reports must be sent at once.
 */
export function yieldsBetweenSteps(fn: unknown): boolean {
  const kind = (fn as { constructor?: { name?: string } } | undefined)?.constructor?.name;
  return kind === 'AsyncFunction' || kind === 'AsyncGeneratorFunction' || kind === 'GeneratorFunction';
}

export async function runJob(
  job: JobFunction,
  args: unknown[],
  context: JobContextSnapshot,
  channel: JobChannel,
  signal: AbortSignal,
  attempt = 1,
  jobId?: string,
): Promise<JobOutcome> {
  return traceJobRun(context.trace, { callbackId: job.callbackId, jobId, attempt }, () =>
    runTry(job, args, context, channel, signal, attempt),
  );
}

async function runTry(
  job: JobFunction,
  args: unknown[],
  context: JobContextSnapshot,
  channel: JobChannel,
  signal: AbortSignal,
  attempt: number,
): Promise<JobOutcome> {
  const ctx = buildContext({
    source: context,
    setProps: (id, props) => {
      if (typeof props !== 'object' || props === null || Array.isArray(props)) {
        throw new TypeError(`setProps(${JSON.stringify(id)}, props): props must be an object`);
      }
      channel.setProps(idToString(id), toJson(props) as Record<string, unknown>);
    },
    setProgress: (value) => channel.progress(progressValues(job, value)),
    signal,
    attempt,
  });
  let value: unknown;
  try {
    value = await job.fn(...args, ctx);
    if (isStream(value)) {
      const shape = {
        id: job.callbackId,
        outputMode: job.outputMode ?? 'single',
        outputs: job.outputs ?? [],
      };
      value = await runStream(value, shape, context.outputsList, channel.setProps.bind(channel), signal);
    }
  } catch (error) {
    if (error instanceof PreventUpdate || (error as Error)?.name === 'PreventUpdate')
      return { kind: 'prevent-update' };
    const err = error instanceof Error ? error : new Error(String(error));
    // By name too: the app module may import dash-ts from another copy than the worker's.
    if (error instanceof NonRetryableError || err.name === 'NonRetryableError') {
      return { kind: 'error', message: err.message, stack: err.stack, retryable: false };
    }
    return { kind: 'error', message: err.message, stack: err.stack };
  }
  try {
    return { kind: 'result', value: value === undefined ? null : toJson(value) };
  } catch (error) {
    return {
      kind: 'error',
      message: `the job's return value cannot be serialised to JSON: ${(error as Error).message}`,
    };
  }
}

/** One value per progress output: a single output takes the value as it is. */
function progressValues(job: JobFunction, value: unknown): unknown[] {
  if (job.progressCount === 0) {
    throw new Error(`setProgress: callback ${job.callbackId} declares no progress outputs`);
  }
  if (job.progressCount === 1) return [toJson(value)];
  if (!Array.isArray(value) || value.length !== job.progressCount) {
    throw new Error(
      `setProgress: callback ${job.callbackId} has ${job.progressCount} progress outputs; pass an array of ${job.progressCount} values`,
    );
  }
  return value.map(toJson);
}

/** Components, noUpdate and dates become plain JSON, as they will on the wire. */
function toJson(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? null : JSON.parse(text);
}
