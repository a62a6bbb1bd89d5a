/**
 * What an agent's MCP requests do, apart from the SDK's wiring (endpoint.ts): tools/list,
 * tools/call and the task methods (through task-store.ts).
 *
 * An ordinary callback runs at once, through the same dispatch as a page's request. A background
 * callback (or an ordinary stream) is a job started through the jobs API's core (JobsApi.startJob:
 * the orchestrator's one start path, so limits, retries, timeouts, fair turns and the monitor
 * apply), under the MCP server's own owner. Called as a task, the task id is the job id: any
 * server process that shares the manager's store can answer tasks/get, tasks/result and
 * tasks/cancel for it. Called without a task, the call waits for the job, reporting its progress
 * as MCP progress notifications when the client asked for them, and cancels it if the client goes.
 */

import type { CallToolResult, CreateTaskResult, Task, Tool } from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { AppCallback } from '../../background/callback-spec.ts';
import {
  type AgentJob,
  API_KEEP_SECONDS,
  type JobsApi,
  namedArgumentsRequest,
} from '../../background/jobs-api.ts';
import type { JobRequest } from '../../background/orchestrator.ts';
import { traceAgentCall } from '../../background/tracing.ts';
import { BackgroundUnavailableError, BadRequestError } from '../../base/errors.ts';
import type { Logger } from '../../base/log.ts';
import type { RequestInfo } from '../../callbacks/context.ts';
import type { CallbackOutcome } from '../../callbacks/dispatch.ts';
import { outputResponse } from '../../callbacks/outputs.ts';
import { agentTools, type PropSchemaOf, structuredOutputs, toolDefinition } from './tools.ts';

/** What the MCP server needs from the app. */
export interface McpHost {
  logger: Logger;
  jobs: JobsApi;
  callbacks(): readonly AppCallback[];
  /** Runs an ordinary callback as a page's request would (callbacks/dispatch.ts, the app's onError). */
  runCallback(request: JobRequest, info: RequestInfo): Promise<CallbackOutcome>;
  /** The prop schemas of the app's layout, for tool arguments and results (props.ts). */
  schemaOf(): Promise<PropSchemaOf>;
}

/** How long a finished task's result is kept for tasks/result (the job's keep; the task's ttl). */
export const TASK_TTL_MS = API_KEEP_SECONDS * 1000;
/** Where an agent's task progress is, beside its statusMessage. */
export const PROGRESS_META = 'dash-ts/progress';

export interface CallOptions {
  /** Set when the client asked for a task (tools/call with `task`). */
  task?: { ttl?: number };
  /** Reports progress to the client (absent when it gave no progress token). */
  progress?: (progress: number, message: string) => Promise<void>;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
}

export class AgentCalls {
  readonly #warned = new Set<string>();

  constructor(private readonly host: McpHost) {}

  async listTools(): Promise<Tool[]> {
    const schemaOf = await this.host.schemaOf();
    return [...this.#tools().values()].map((callback) => toolDefinition(callback, schemaOf));
  }

  async call(
    name: string,
    args: Record<string, unknown>,
    info: RequestInfo,
    options: CallOptions,
  ): Promise<CallToolResult | CreateTaskResult> {
    const callback = this.#tools().get(name);
    if (!callback) throw new McpError(ErrorCode.InvalidParams, `no tool is named ${JSON.stringify(name)}`);
    if (options.task && !callback.background) {
      throw new McpError(ErrorCode.InvalidParams, `tool ${name} runs at once: call it without a task`);
    }
    // One trace per call, as per page request: a job it starts carries it to its worker.
    return traceAgentCall(
      callback.id,
      'mcp',
      () => this.#call(callback, args, info, options),
      (done) => 'isError' in done && done.isError === true,
    );
  }

  async #call(
    callback: AppCallback,
    args: Record<string, unknown>,
    info: RequestInfo,
    options: CallOptions,
  ): Promise<CallToolResult | CreateTaskResult> {
    try {
      if (!callback.background) return await this.#runOrdinary(callback, args, info);
      const started = await this.host.jobs.startJob(callback, args, info, 'mcp');
      if (started.kind === 'refused') {
        if (options.task) throw new McpError(ErrorCode.InvalidRequest, started.refusal.message);
        return failure(started.refusal.message);
      }
      if (options.task) return { task: (await this.task(started.jobId))! };
      return await this.#waitFor(started.jobId, options);
    } catch (error) {
      if (error instanceof BadRequestError || error instanceof BackgroundUnavailableError) {
        // An agent corrects its arguments from the message; a task request has no result to carry it.
        if (options.task) throw new McpError(ErrorCode.InvalidParams, error.message);
        return failure(error.message);
      }
      throw error;
    }
  }

  /** tasks/get: the job as a task, or null when it is not the MCP server's (or no longer kept). */
  async task(taskId: string): Promise<Task | null> {
    const job = await this.host.jobs.job(taskId, 'mcp');
    return job && !expired(job) ? asTask(taskId, job) : null;
  }

  /** tasks/result once the task has ended: the tool's result, or its error. */
  async taskResult(taskId: string): Promise<CallToolResult> {
    const job = await this.host.jobs.job(taskId, 'mcp');
    if (!job || expired(job)) throw new McpError(ErrorCode.InvalidParams, `Task not found: ${taskId}`);
    return jobResult(job);
  }

  /** tasks/cancel: the job is cancelled as a page's cancel does it (its process is stopped). */
  async cancelTask(taskId: string): Promise<void> {
    if (!(await this.host.jobs.cancelJob(taskId, 'mcp'))) {
      throw new McpError(ErrorCode.InvalidParams, `Task not found: ${taskId}`);
    }
  }

  /** tasks/list: the MCP server's unfinished jobs, whichever server process started them. */
  async listTasks(): Promise<Task[]> {
    const tasks = await Promise.all((await this.host.jobs.unfinishedJobs('mcp')).map((id) => this.task(id)));
    return tasks.filter((task) => task !== null);
  }

  #tools(): Map<string, AppCallback> {
    return agentTools(this.host.callbacks(), this.host.logger, this.#warned);
  }

  async #runOrdinary(
    callback: AppCallback,
    args: Record<string, unknown>,
    info: RequestInfo,
  ): Promise<CallToolResult> {
    const outcome = await this.host.runCallback(namedArgumentsRequest(callback, args), info);
    switch (outcome.kind) {
      case 'no-content':
        return result({}, 'no update (the callback raised PreventUpdate or has no outputs)');
      case 'update': {
        const done = result(structuredOutputs(outcome.body.response));
        if (outcome.body.sideUpdate) done._meta = { 'dash-ts/setProps': outcome.body.sideUpdate };
        return done;
      }
      case 'failure':
        this.host.logger.error(`mcp: callback ${callback.id} failed`, outcome.error);
        return failure(`callback ${callback.name} failed: ${outcome.error.message}`);
    }
  }

  /** A background tool called without a task: waits for its job, reporting progress. */
  async #waitFor(jobId: string, options: CallOptions): Promise<CallToolResult> {
    let reported = 0;
    let lastProgress: unknown = null;
    try {
      for (;;) {
        if (options.signal.aborted) throw new McpError(ErrorCode.ConnectionClosed, 'the client went away');
        const job = await this.host.jobs.job(jobId, 'mcp', 1000);
        if (!job) return failure(`job ${jobId} is no longer known here`);
        const { view } = job;
        if (options.progress && view.progress !== null && view.progress !== lastProgress) {
          lastProgress = view.progress;
          await options.progress(++reported, progressText(view.progress));
        }
        if (view.status !== 'queued' && view.status !== 'running') return jobResult(job);
      }
    } finally {
      // The caller is gone: nobody will read the result, so the job stops, as a page's does.
      if (options.signal.aborted) await this.host.jobs.cancelJob(jobId, 'mcp');
    }
  }
}

function asTask(taskId: string, job: AgentJob): Task {
  const { view } = job;
  const status =
    view.status === 'finished'
      ? 'completed'
      : view.status === 'failed' || view.status === 'cancelled'
        ? view.status
        : 'working';
  const interval = job.callback?.background?.interval ?? 1000;
  const task: Task & { _meta?: Record<string, unknown> } = {
    taskId,
    status,
    ttl: TASK_TTL_MS,
    createdAt: new Date(job.createdAt).toISOString(),
    lastUpdatedAt: new Date(job.updatedAt).toISOString(),
    pollInterval: Math.min(Math.max(interval, 100), 1000),
    statusMessage: statusMessage(job),
  };
  if (view.progress !== null) task._meta = { [PROGRESS_META]: view.progress };
  return task;
}

function statusMessage(job: AgentJob): string {
  const { view } = job;
  switch (view.status) {
    case 'queued':
      return 'queued: waiting for a worker';
    case 'running':
      return view.progress === null ? 'running' : progressText(view.progress);
    case 'finished':
      return 'finished';
    case 'cancelled':
      return 'cancelled';
    case 'failed':
      return `${view.error?.kind ?? 'error'}: ${view.error?.message ?? ''}`;
  }
}

/** Progress as words for an agent: a string as it is, anything else as JSON (kept short). */
function progressText(progress: unknown): string {
  const text = typeof progress === 'string' ? progress : JSON.stringify(progress);
  return `progress: ${text.length > 2000 ? `${text.slice(0, 1997)}...` : text}`;
}

function jobResult(job: AgentJob): CallToolResult {
  const { view, outcome, callback } = job;
  if (view.status === 'cancelled') return failure('the job was cancelled');
  if (view.status === 'failed') return failure(`${view.error?.kind}: ${view.error?.message}`);
  if (view.status !== 'finished') return failure(`the job has not finished (${view.status})`);
  // A stream's outputs are what its yields left them at, and then what it returned, if anything.
  const streamed = callback?.background?.streams && isRecord(view.progress) ? view.progress : {};
  if (outcome?.kind !== 'result' || !callback) {
    if (Object.keys(streamed).length > 0) return result(streamed);
    return result({}, 'no update (the callback raised PreventUpdate)');
  }
  const { outputs } = namedArgumentsRequest(callback, {});
  try {
    return result({ ...streamed, ...structuredOutputs(outputResponse(callback, outputs, outcome.value)) });
  } catch (error) {
    // The value does not fit the outputs (InvalidCallbackReturnValue): the agent is told why.
    return failure((error as Error).message);
  }
}

function result(structured: Record<string, unknown>, text?: string): CallToolResult {
  return {
    content: [{ type: 'text', text: text ?? JSON.stringify(structured) }],
    structuredContent: structured,
  };
}

function failure(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/** A task ended longer than its ttl ago is no longer answered. */
function expired(job: AgentJob): boolean {
  const ended = job.view.status !== 'queued' && job.view.status !== 'running';
  return ended && Date.now() - job.updatedAt > TASK_TTL_MS;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
