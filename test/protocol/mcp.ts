/**
 * The MCP server (issue 19; src/app/mcp/) driven by the SDK's own client (Client +
 * StreamableHTTPClientTransport) against running `dash-ts run` processes of test/apps/mcp-app.ts:
 * tools listed, an ordinary one called, a background one run as a task to completion with its
 * progress seen (and called without a task, with progress notifications), a stream's yields as
 * progress, a task cancelled (its job aborted, its process free again), limits, bad arguments,
 * 401 without the token, the jobs kept apart from the jobs API's and shown in the monitor.
 * Run on SqliteManager (mcp.test.ts) and BullMQManager (mcp-bullmq.test.ts, two servers).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  type CallToolResult,
  CallToolResultSchema,
  type GetTaskResult,
} from '@modelcontextprotocol/sdk/types.js';

const AUTH = { Authorization: 'Bearer mcp-token' };

export interface McpSuiteOptions {
  /** The app's URL; `other`, when given, a second server process sharing the same store. */
  url: () => string;
  other?: () => string;
  runsFile: string;
}

async function connect(url: string, headers: Record<string, string> = AUTH): Promise<Client> {
  const client = new Client({ name: 'dash-ts-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${url}/_mcp`), { requestInit: { headers } }),
  );
  return client;
}

/** Polls tasks/get until `done`; returns every status seen. */
async function pollTask(client: Client, taskId: string, done: (t: GetTaskResult) => boolean) {
  const seen: GetTaskResult[] = [];
  for (let i = 0; i < 600; i++) {
    const task = await client.experimental.tasks.getTask(taskId);
    seen.push(task);
    if (done(task)) return seen;
    await sleep(50);
  }
  throw new Error(`task ${taskId} never got there: ${JSON.stringify(seen.at(-1))}`);
}

const ended = (t: GetTaskResult) =>
  t.status === 'completed' || t.status === 'failed' || t.status === 'cancelled';

async function startTask(client: Client, name: string, args: Record<string, unknown>): Promise<string> {
  for await (const message of client.experimental.tasks.callToolStream({ name, arguments: args }, undefined, {
    task: { ttl: 60_000 },
  })) {
    if (message.type === 'taskCreated') return message.task.taskId;
    if (message.type === 'error') throw message.error;
  }
  throw new Error('no task was created');
}

export function mcpSuite(options: McpSuiteOptions): void {
  const runs = () => {
    try {
      return readFileSync(options.runsFile, 'utf8');
    } catch {
      return '';
    }
  };

  describe('MCP server', () => {
    it('answers 401 without the token or with a wrong one', async () => {
      const initialize = JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      });
      const headers = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };
      const wrong: Record<string, string>[] = [
        {},
        { Authorization: 'Bearer wrong' },
        { Authorization: 'mcp-token' },
      ];
      for (const auth of wrong) {
        const res = await fetch(`${options.url()}/_mcp`, {
          method: 'POST',
          headers: { ...headers, ...auth },
          body: initialize,
        });
        assert.equal(res.status, 401, JSON.stringify(auth));
        assert.equal(res.headers.get('WWW-Authenticate'), 'Bearer realm="dash-ts mcp"');
      }
      // The SDK's client is refused too (its error carries the status).
      await assert.rejects(connect(options.url(), {}), (error: { code?: number }) => error.code === 401);
      // A browser page from elsewhere is refused even with the token.
      const foreign = await fetch(`${options.url()}/_mcp`, {
        method: 'POST',
        headers: { ...headers, ...AUTH, Origin: 'http://evil.example' },
        body: initialize,
      });
      assert.equal(foreign.status, 403);
    });

    it('lists the callbacks that have a description, background ones as tasks', async () => {
      const client = await connect(options.url());
      try {
        const { tools } = await client.listTools();
        assert.deepEqual(
          tools.map((t) => t.name),
          ['double', 'square', 'wait', 'count'],
        );
        const square = tools.find((t) => t.name === 'square')!;
        assert.equal(square.description, 'Squares n plus offset, reporting each step as progress');
        assert.deepEqual(Object.keys(square.inputSchema.properties ?? {}), ['n.value', 'offset.value']);
        assert.deepEqual(square.execution, { taskSupport: 'optional' });
        // Each argument's schema is that of the prop it reads (dcc.Input's value), described.
        const n = square.inputSchema.properties!['n.value'] as Record<string, unknown>;
        assert.deepEqual(n.type, ['string', 'number', 'null']);
        assert.match(String(n.description), /^Input n\.value/);
        const wait = tools.find((t) => t.name === 'wait')!;
        assert.deepEqual(Object.keys(wait.inputSchema.properties ?? {}), ['ms', 'label']);
        const double = tools.find((t) => t.name === 'double')!;
        assert.equal(double.execution, undefined);
        const unit = double.inputSchema.properties!['unit.value'] as Record<string, unknown>;
        assert.match(String(unit.description), /^State unit\.value/);
        assert.ok(Array.isArray(unit.anyOf), JSON.stringify(unit));
        assert.deepEqual(Object.keys(double.outputSchema?.properties ?? {}), [
          'double-out.children',
          'unit.value',
        ]);
      } finally {
        await client.close();
      }
    });

    it('calls an ordinary callback at once: its outputs as the structured result', async () => {
      const client = await connect(options.url());
      try {
        const result = (await client.callTool({
          name: 'double',
          arguments: { 'n.value': 4, 'unit.value': 'km' },
        })) as CallToolResult;
        assert.equal(result.isError, undefined);
        assert.deepEqual(result.structuredContent, { 'double-out.children': '8 km', 'unit.value': 'km' });
        const bad = (await client.callTool({ name: 'double', arguments: { n: 4 } })) as CallToolResult;
        assert.equal(bad.isError, true);
        assert.match(JSON.stringify(bad.content), /no argument \\"n\\".*\\"n\.value\\", \\"unit\.value\\"/);
        await assert.rejects(client.callTool({ name: 'hidden', arguments: {} }), /no tool is named "hidden"/);
      } finally {
        await client.close();
      }
    });

    it('runs a background callback as a task: progress in tasks/get, outputs in tasks/result', async () => {
      const client = await connect(options.url());
      try {
        const taskId = await startTask(client, 'square', { 'n.value': 4, 'offset.value': 1 });
        const seen = await pollTask(client, taskId, ended);
        assert.equal(seen.at(-1)!.status, 'completed', JSON.stringify(seen.at(-1)));
        const progress = seen.map((t) => t._meta?.['dash-ts/progress']).filter((p) => p !== undefined);
        assert.ok(
          progress.length > 0 && progress.every((p) => /^step [123]$/.test(String(p))),
          JSON.stringify(seen),
        );
        const working = seen.filter((t) => t.status === 'working').map((t) => t.statusMessage);
        assert.ok(working.length > 0, JSON.stringify(seen));
        const result = (await client.experimental.tasks.getTaskResult(
          taskId,
          CallToolResultSchema,
        )) as CallToolResult;
        assert.deepEqual(result.structuredContent, { 'square-out.children': 17 });
        // Read again: the answer is kept.
        assert.equal((await client.experimental.tasks.getTask(taskId)).status, 'completed');
        const twice = await client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
        assert.deepEqual(twice.structuredContent, { 'square-out.children': 17 });
      } finally {
        await client.close();
      }
    });

    // Only where a second server process shares the store (mcp-bullmq.test.ts).
    if (options.other) {
      it('answers a task started on one server process from another', async () => {
        const first = await connect(options.url());
        const second = await connect(options.other!());
        try {
          const taskId = await startTask(first, 'square', { 'n.value': 6 });
          const seen = await pollTask(second, taskId, ended);
          assert.equal(seen.at(-1)!.status, 'completed', JSON.stringify(seen));
          const result = await second.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
          assert.deepEqual(result.structuredContent, { 'square-out.children': 36 });
          // The job is kept: the first server answers it too, though the second read its outcome.
          assert.equal((await first.experimental.tasks.getTask(taskId)).status, 'completed');
          const again = await first.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
          assert.deepEqual(again.structuredContent, { 'square-out.children': 36 });
        } finally {
          await first.close();
          await second.close();
        }
      });
    }

    it('waits for a background callback called without a task, with progress notifications', async () => {
      const client = await connect(options.url());
      try {
        const notes: string[] = [];
        const result = (await client.callTool({ name: 'square', arguments: { 'n.value': 3 } }, undefined, {
          onprogress: (p) => notes.push(p.message ?? ''),
          timeout: 60_000,
        })) as CallToolResult;
        assert.deepEqual(result.structuredContent, { 'square-out.children': 9 });
        assert.ok(
          notes.length > 0 && notes.every((n) => /^progress: step [123]$/.test(n)),
          JSON.stringify(notes),
        );
      } finally {
        await client.close();
      }
    });

    it("reports a job's error as the task's failure", async () => {
      const client = await connect(options.url());
      try {
        const taskId = await startTask(client, 'square', { 'n.value': 'four' });
        const last = (await pollTask(client, taskId, ended)).at(-1)!;
        assert.equal(last.status, 'failed');
        assert.match(last.statusMessage ?? '', /n must be a number, got "four"/);
        const result = (await client.experimental.tasks.getTaskResult(
          taskId,
          CallToolResultSchema,
        )) as CallToolResult;
        assert.equal(result.isError, true);
      } finally {
        await client.close();
      }
    });

    it("reports a stream's yields as progress, and its last outputs as the result", async () => {
      const client = await connect(options.url());
      try {
        const taskId = await startTask(client, 'count', { 'n.value': 3 });
        const seen = await pollTask(client, taskId, ended);
        assert.equal(seen.at(-1)!.status, 'completed');
        const progress = seen.map((t) => JSON.stringify(t._meta?.['dash-ts/progress'] ?? null));
        assert.ok(
          progress.some((p) => /counted [123]/.test(p)),
          JSON.stringify(seen),
        );
        const result = (await client.experimental.tasks.getTaskResult(
          taskId,
          CallToolResultSchema,
        )) as CallToolResult;
        assert.deepEqual(result.structuredContent, { 'count-out.children': 'counted 3' });
      } finally {
        await client.close();
      }
    });

    it('cancels a task: its job is aborted and its process takes the next job', async () => {
      const client = await connect(options.url());
      try {
        const taskId = await startTask(client, 'wait', { ms: 60_000, label: 'mcp-cancel-1' });
        await pollTask(client, taskId, (t) => t.statusMessage === 'running');
        const cancelled = await client.experimental.tasks.cancelTask(taskId);
        assert.equal(cancelled.status, 'cancelled');
        for (let i = 0; !runs().includes('mcp-cancel-1 aborted'); i++) {
          assert.ok(i < 200, 'the job was not aborted');
          await sleep(50);
        }
        assert.equal((await client.experimental.tasks.getTask(taskId)).status, 'cancelled');
        const result = (await client.experimental.tasks.getTaskResult(
          taskId,
          CallToolResultSchema,
        )) as CallToolResult;
        assert.equal(result.isError, true);
        // One job slot: the next job runs at once, so the cancelled one no longer holds it.
        const begun = Date.now();
        const next = await startTask(client, 'square', { 'n.value': 5 });
        assert.equal((await pollTask(client, next, ended)).at(-1)!.status, 'completed');
        assert.ok(Date.now() - begun < 20_000, `the next job took ${Date.now() - begun} ms`);
      } finally {
        await client.close();
      }
    });

    it('applies backgroundLimits to agents, lists their tasks, shows them in the monitor only', async () => {
      const client = await connect(options.url());
      try {
        const held = [];
        for (let i = 1; i <= 3; i++)
          held.push(await startTask(client, 'wait', { ms: 60_000, label: `held-${i}` }));
        await assert.rejects(
          startTask(client, 'wait', { ms: 1, label: 'over' }),
          /backgroundLimits\.perPage = 3/,
        );
        const listed = (await client.experimental.tasks.listTasks()).tasks.map((t) => t.taskId);
        assert.deepEqual([...listed].sort(), [...held].sort());
        // The monitor shows them; the jobs API (another agent's owner) does not reach them.
        const monitor = { Authorization: 'Bearer monitor-token' };
        const view = await (
          await fetch(`${options.url()}/_dash-ts/jobs/api/jobs`, { headers: monitor })
        ).text();
        assert.ok(
          held.every((id) => view.includes(id)),
          view,
        );
        const api = await fetch(`${options.url()}/_dash-ts/jobs/api/jobs/${held[0]}`, { headers: monitor });
        assert.equal(api.status, 404);
        for (const taskId of held) {
          assert.equal((await client.experimental.tasks.cancelTask(taskId)).status, 'cancelled');
        }
      } finally {
        await client.close();
      }
    });
  });
}
