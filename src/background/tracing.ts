/**
 * OpenTelemetry traces (api.md "Agents"), all of dash-ts's span code in one place. Spans go
 * through `@opentelemetry/api`, so they are no-ops unless the app registers an SDK.
 *
 * One trace per callback request (`dash-ts callback`, around a `/_dash-update-component`
 * request). A background job started by it carries the request span's W3C `traceparent` and its
 * queue time inside the job's context snapshot (JobSubmission.context.trace), through SQLite or
 * Redis to the process that runs it, where each try records a `dash-ts job run` span (child of the
 * request), and the first try also the `dash-ts job queue` span, from the submit to its start.
 * Attributes: `dash_ts.callback`, `dash_ts.job_id`, `dash_ts.attempt`, `dash_ts.outcome`.
 * An agent's call (the MCP server's tools/call) is a callback request too, its span marked
 * `dash_ts.agent`.
 */
import { context, type Span, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import type { JobOutcome, JobTraceContext } from './manager.ts';

export const TRACER_NAME = 'dash-ts';

export const ATTRIBUTES = {
  callback: 'dash_ts.callback',
  jobId: 'dash_ts.job_id',
  attempt: 'dash_ts.attempt',
  outcome: 'dash_ts.outcome',
  agent: 'dash_ts.agent',
} as const;

function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/** Runs a callback request inside its `dash-ts callback` span (the trace's root here). */
export function traceCallbackRequest(callbackId: string, serve: () => Promise<Response>): Promise<Response> {
  return tracer().startActiveSpan(
    'dash-ts callback',
    { attributes: { [ATTRIBUTES.callback]: callbackId } },
    async (span) => {
      try {
        const response = await serve();
        span.setAttribute('http.response.status_code', response.status);
        span.setAttribute(ATTRIBUTES.outcome, response.status < 400 ? 'ok' : 'error');
        if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        return response;
      } catch (error) {
        fail(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/**
 * Runs an agent's call of a callback inside its `dash-ts callback` span (the trace's root here):
 * a job it starts carries it, as a page's request's. `failed` tells a result that is an error.
 */
export function traceAgentCall<T>(
  callbackId: string,
  agent: string,
  call: () => Promise<T>,
  failed: (result: T) => boolean,
): Promise<T> {
  return tracer().startActiveSpan(
    'dash-ts callback',
    { attributes: { [ATTRIBUTES.callback]: callbackId, [ATTRIBUTES.agent]: agent } },
    async (span) => {
      try {
        const result = await call();
        span.setAttribute(ATTRIBUTES.outcome, failed(result) ? 'error' : 'ok');
        return result;
      } catch (error) {
        fail(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** What a job carries of the active trace, or undefined where nothing is being traced. */
export function jobTraceContext(): JobTraceContext | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return undefined;
  const flags = spanContext.traceFlags.toString(16).padStart(2, '0');
  return {
    traceparent: `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`,
    queuedAt: Date.now(),
  };
}

/**
 * Runs one try of a job inside its `dash-ts job run` span, a child of the request that started
 * it (its first try also records the queue wait before it).
 */
export async function traceJobRun(
  carried: JobTraceContext | undefined,
  job: { callbackId: string; jobId: string | undefined; attempt: number },
  run: () => Promise<JobOutcome>,
): Promise<JobOutcome> {
  const parent = carried && parentContext(carried.traceparent);
  if (!parent) return run();
  const attributes = {
    [ATTRIBUTES.callback]: job.callbackId,
    [ATTRIBUTES.attempt]: job.attempt,
    ...(job.jobId ? { [ATTRIBUTES.jobId]: job.jobId } : {}),
  };
  if (job.attempt === 1) {
    tracer().startSpan('dash-ts job queue', { attributes, startTime: carried.queuedAt }, parent).end();
  }
  const span = tracer().startSpan('dash-ts job run', { attributes }, parent);
  try {
    const outcome = await context.with(trace.setSpan(parent, span), run);
    span.setAttribute(ATTRIBUTES.outcome, outcome.kind);
    if (outcome.kind !== 'result' && outcome.kind !== 'prevent-update') {
      span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.message });
    }
    return outcome;
  } catch (error) {
    fail(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** The context of a W3C `traceparent` (version 00), else undefined. */
function parentContext(traceparent: string) {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(traceparent);
  if (!match) return undefined;
  const spanContext = {
    traceId: match[1]!,
    spanId: match[2]!,
    traceFlags: Number.parseInt(match[3]!, 16),
    isRemote: true,
  };
  if (!trace.isSpanContextValid(spanContext)) return undefined;
  return trace.setSpanContext(context.active(), spanContext);
}

function fail(span: Span, error: unknown): void {
  span.setAttribute(ATTRIBUTES.outcome, 'error');
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR });
}
