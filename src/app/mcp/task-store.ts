/**
 * The SDK's TaskStore over the app's jobs (calls.ts): the SDK answers tasks/get, tasks/result,
 * tasks/list and tasks/cancel through it. A task is a job of the MCP server's owner and its id is
 * the job id, so the state lives in the manager's store, not in this process or MCP session (the
 * endpoint is stateless: any server process answers any request).
 */
import type { CreateTaskOptions, TaskStore } from '@modelcontextprotocol/sdk/experimental/tasks';
import type { Request, RequestId, Result, Task } from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { AgentCalls } from './calls.ts';

export class JobTaskStore implements TaskStore {
  constructor(private readonly calls: AgentCalls) {}

  /**
   * Tasks are created by tools/call itself (calls.ts starts the job and answers its task); the
   * SDK asks here only when a handler creates one, which none of ours does.
   */
  async createTask(_options: CreateTaskOptions, _requestId: RequestId, request: Request): Promise<Task> {
    throw new McpError(ErrorCode.InvalidRequest, `tasks are created by tools/call, not by ${request.method}`);
  }

  getTask(taskId: string): Promise<Task | null> {
    return this.calls.task(taskId);
  }

  /** A job's result is stored by the worker that ran it, never by a request. */
  async storeTaskResult(taskId: string): Promise<void> {
    throw new McpError(ErrorCode.InvalidRequest, `task ${taskId}: its job stores its own result`);
  }

  getTaskResult(taskId: string): Promise<Result> {
    return this.calls.taskResult(taskId);
  }

  /** Only a cancel comes here (tasks/cancel); a job's other states come from its worker. */
  async updateTaskStatus(taskId: string, status: Task['status']): Promise<void> {
    if (status !== 'cancelled') {
      throw new McpError(ErrorCode.InvalidRequest, `task ${taskId}: its job sets its own status`);
    }
    await this.calls.cancelTask(taskId);
  }

  async listTasks(): Promise<{ tasks: Task[] }> {
    return { tasks: await this.calls.listTasks() };
  }
}
