/**
 * The tracing fixture (test/protocol/tracing*.test.ts): registers the OpenTelemetry SDK in every
 * process that imports it (the server and the worker processes alike, as an app would): an
 * AsyncLocalStorage context manager and a BasicTracerProvider whose spans go to the SDK's
 * InMemorySpanExporter and, as JSON lines, to DASH_TS_TEST_SPANS (so the test reads what the
 * workers recorded). The manager is a BullMQManager when DASH_TS_TEST_REDIS is set, else an
 * SqliteManager on DASH_TS_TEST_DB.
 */
import { appendFileSync } from 'node:fs';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { BullMQManager } from '../../src/background/bullmq/index.ts';
import { type CallbackContext, Dash, html, Input, Output, SqliteManager } from '../../src/index.ts';

export const memory = new InMemorySpanExporter();

/** One JSON line per span, with the pid of the process that recorded it. */
const toFile: SpanExporter = {
  export(spans: ReadableSpan[], done) {
    const lines = spans.map((span) =>
      JSON.stringify({
        name: span.name,
        traceId: span.spanContext().traceId,
        spanId: span.spanContext().spanId,
        parentSpanId: span.parentSpanContext?.spanId,
        attributes: span.attributes,
        pid: process.pid,
      }),
    );
    appendFileSync(process.env.DASH_TS_TEST_SPANS!, `${lines.join('\n')}\n`);
    done({ code: 0 });
  },
  shutdown: async () => {},
};

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(
  new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(memory), new SimpleSpanProcessor(toFile)],
  }),
);

const redis = process.env.DASH_TS_TEST_REDIS;
export const app = new Dash({
  backgroundManager: redis
    ? new BullMQManager({ connection: redis, queueName: 'traced' })
    : new SqliteManager({ path: process.env.DASH_TS_TEST_DB, workers: 1 }),
  // An agent's call is traced as a page's request is (test: "an MCP call").
  mcp: {},
});
app.layout = html.Div({ id: 'root' });

app.callback(
  {
    description: 'Doubles n',
    background: true,
    output: Output('double-out', 'children'),
    inputs: [Input('double-in', 'value')],
  },
  async function double(n: number) {
    return n * 2;
  },
);

/** Fails its first try, succeeds on the second. */
app.callback(
  {
    background: true,
    output: Output('flaky-out', 'children'),
    inputs: [Input('flaky-in', 'value')],
    retry: { attempts: 2, backoff: 0.1 },
  },
  async function flaky(n: number, ctx: CallbackContext) {
    if (ctx.attempt === 1) throw new Error('first try fails');
    return `ok ${n} on try ${ctx.attempt}`;
  },
);
