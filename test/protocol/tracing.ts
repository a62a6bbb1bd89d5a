/**
 * OpenTelemetry traces (issue 19; src/background/tracing.ts) against test/apps/traced.ts: a
 * background job's start request is one trace, with the job's queue and run spans recorded by
 * the worker process (read from the spans file its SDK writes) as children of the request span
 * (read from the server's InMemorySpanExporter), and a retried job's tries as separate run spans
 * with `dash_ts.attempt`; an MCP call traced the same way. Run on SqliteManager (tracing.test.ts) and BullMQManager (tracing-bullmq.test.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Dash } from '../../src/index.ts';
import { postUpdate } from '../support/http.ts';

interface FileSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
  pid: number;
}

export function tracingSuite(app: Dash, memory: InMemorySpanExporter, spansFile: string): void {
  async function pageToken(): Promise<string> {
    const html = await (await app.fetch(new Request('http://localhost/'))).text();
    return JSON.parse(/<script id="_dash-config" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!)
      .end_id as string;
  }

  const body = (name: string, value: unknown) => ({
    output: `${name}-out.children`,
    outputs: { id: `${name}-out`, property: 'children' },
    inputs: [{ id: `${name}-in`, property: 'value', value }],
    changedPropIds: [`${name}-in.value`],
  });

  /** Starts the job and polls it to its answer; returns the trace id of the start request. */
  async function runToEnd(
    name: string,
    value: unknown,
  ): Promise<{ traceId: string; requestSpanId: string; answer: string }> {
    memory.reset();
    const endId = await pageToken();
    let answer = (await (await postUpdate(app, body(name, value), `?endId=${endId}`)).json()) as {
      cacheKey: string;
      job: string;
      response?: unknown;
    };
    const request = memory.getFinishedSpans().find((s) => s.name === 'dash-ts callback');
    assert.ok(request, 'no request span was recorded');
    assert.equal(request.attributes['dash_ts.callback'], `${name}-out.children`);
    for (let i = 0; answer.response === undefined; i++) {
      assert.ok(i < 200, 'the job never finished');
      await sleep(50);
      const res = await postUpdate(
        app,
        body(name, null),
        `?endId=${endId}&cacheKey=${answer.cacheKey}&job=${answer.job}`,
      );
      if (res.status === 200) answer = { ...answer, ...((await res.json()) as object) };
    }
    return {
      traceId: request.spanContext().traceId,
      requestSpanId: request.spanContext().spanId,
      answer: JSON.stringify(answer.response),
    };
  }

  async function workerSpans(traceId: string, count: number): Promise<FileSpan[]> {
    for (let i = 0; ; i++) {
      let lines: FileSpan[] = [];
      try {
        lines = readFileSync(spansFile, 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l));
      } catch {}
      const ours = lines.filter((s) => s.traceId === traceId && s.name.startsWith('dash-ts job'));
      if (ours.length >= count || i > 100) return ours;
      await sleep(50);
    }
  }

  describe('OpenTelemetry traces', () => {
    it('one trace: the request span, and the queue and run spans recorded in the worker process', async () => {
      const { traceId, requestSpanId, answer } = await runToEnd('double', 21);
      assert.match(answer, /42/);
      const spans = await workerSpans(traceId, 2);
      const queue = spans.filter((s) => s.name === 'dash-ts job queue');
      const run = spans.filter((s) => s.name === 'dash-ts job run');
      assert.equal(queue.length, 1, JSON.stringify(spans));
      assert.equal(run.length, 1, JSON.stringify(spans));
      for (const span of [...queue, ...run]) {
        assert.equal(span.parentSpanId, requestSpanId);
        assert.notEqual(span.pid, process.pid, 'the span was not recorded in a worker process');
        assert.equal(span.attributes['dash_ts.callback'], 'double-out.children');
        assert.equal(typeof span.attributes['dash_ts.job_id'], 'string');
        assert.equal(span.attributes['dash_ts.attempt'], 1);
      }
      assert.equal(run[0]!.attributes['dash_ts.outcome'], 'result');
    });

    it("an agent's MCP call is one trace: its callback span, and the job's spans in the worker", async () => {
      memory.reset();
      const client = new Client({ name: 'tracing-test', version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL('http://localhost/_mcp'), {
          fetch: (url, init) => app.fetch(new Request(url, init)),
        }),
      );
      try {
        const result = await client.callTool({ name: 'double', arguments: { 'double-in.value': 8 } });
        assert.deepEqual(result.structuredContent, { 'double-out.children': 16 });
      } finally {
        await client.close();
      }
      const call = memory.getFinishedSpans().find((s) => s.name === 'dash-ts callback');
      assert.ok(call, 'no callback span was recorded');
      assert.equal(call.attributes['dash_ts.agent'], 'mcp');
      assert.equal(call.attributes['dash_ts.outcome'], 'ok');
      const spans = await workerSpans(call.spanContext().traceId, 2);
      assert.deepEqual(spans.map((s) => s.name).sort(), ['dash-ts job queue', 'dash-ts job run']);
      for (const span of spans) assert.equal(span.parentSpanId, call.spanContext().spanId);
    });

    it('a retried job: each try is a run span with its attempt', async () => {
      const { traceId, answer } = await runToEnd('flaky', 5);
      assert.match(answer, /ok 5 on try 2/);
      const runs = (await workerSpans(traceId, 3)).filter((s) => s.name === 'dash-ts job run');
      const byAttempt = runs
        .map((s) => [s.attributes['dash_ts.attempt'], s.attributes['dash_ts.outcome']])
        .sort();
      assert.deepEqual(byAttempt, [
        [1, 'error'],
        [2, 'result'],
      ]);
      assert.equal(new Set(runs.map((s) => s.attributes['dash_ts.job_id'])).size, 1);
    });
  });
}
