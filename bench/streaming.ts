/**
 * Streaming callbacks over HTTP, as the renderer drives them (issue 17), part of `npm run bench`:
 *
 * 1. Yield → the update answered to a waiting poll, per place a stream runs: the server process
 *    (ordinary stream), an SqliteManager pool process, a `dash-ts worker` job process on
 *    BullMQManager (Redis), an InProcessManager. A sample is a yield that lands while a poll is
 *    held: the answer's arrival minus the yield's timestamp.
 * 2. Many concurrent streams of 20 yields/s on one server: every Patch arrives, in order; the CPU
 *    per yield of the server (and of its workers), against the same number of jobs of the same
 *    length without yields. STREAMS (500) for the streams that run in the server process
 *    (ordinary, InProcessManager); SqliteManager and BullMQ run each job in a process of its own,
 *    so they stream SLOTS (4) at once (500 would be 500 processes).
 *
 *   node --import tsx bench/streaming.ts      STREAMS=500 STREAM_SECONDS=3 SLOTS=4 by default
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type DashWorker, startDashWorker } from '../test/support/dash-worker.ts';
import { startRedis, type TestRedis } from '../test/support/redis.ts';
import { newTab, now, post, processTree, type Server, startServer, stopProcess } from './client.ts';

const STREAMS = Number(process.env.STREAMS ?? 500);
const SECONDS = Number(process.env.STREAM_SECONDS ?? 3);
const SLOTS = Number(process.env.SLOTS ?? 4);
const POLL_GAP_MS = 50; // a stream's default interval: the renderer's wait between answers
/** Latency samples: this many streams at once, each of LATENCY_YIELDS yields LATENCY_PERIOD_MS apart. */
const LATENCY_STREAMS = 4;
const LATENCY_YIELDS = 40;
const LATENCY_PERIOD_MS = 100;

type Where = 'in-server' | 'in-worker' | 'plain';
type ManagerKind = 'sqlite' | 'bullmq' | 'in-process';

function body(where: Where, args: [number, number], nulled = false): string {
  return JSON.stringify({
    output: `${where}.children`,
    outputs: { id: where, property: 'children' },
    inputs: [{ id: `${where}-in`, property: 'value', value: nulled ? null : args }],
    changedPropIds: [`${where}-in.value`],
  });
}

interface Tick {
  i: number;
  at: number;
}

/** The Patch appends an answer carries for `where`, in order. */
function appended(json: Record<string, unknown>, where: Where): Tick[] {
  const side = (json.sideUpdate as Record<string, { children?: unknown }> | undefined)?.[where]?.children;
  const resp = (json.response as Record<string, { children?: unknown }> | undefined)?.[where]?.children;
  const ticks: Tick[] = [];
  for (const value of [side, resp]) {
    const ops = (value as { operations?: { operation: string; params: { value: Tick } }[] } | undefined)
      ?.operations;
    for (const op of ops ?? []) if (op.operation === 'Append') ticks.push(op.params.value);
  }
  return ticks;
}

/** One stream as the renderer runs it; returns the ticks received and the held-poll latencies. */
async function stream(server: Server, where: Where, n: number, periodMs: number) {
  const ticks: Tick[] = [];
  const latencies: number[] = [];
  let answer = await post(server, '', body(where, [n, periodMs]));
  const handles = answer.json;
  let requests = 1;
  for (;;) {
    if (answer.status !== 200 || !answer.json || !handles) break;
    const got = appended(answer.json as unknown as Record<string, unknown>, where);
    ticks.push(...got);
    if ((answer.json as { response?: unknown }).response !== undefined) break;
    await sleep(POLL_GAP_MS);
    const sent = now();
    answer = await post(
      server,
      `&cacheKey=${handles.cacheKey}&job=${handles.job}`,
      body(where, [n, periodMs], true),
    );
    requests++;
    const received = now();
    // A yield that landed while this poll was held: how long it took to reach the client.
    const first = appended((answer.json ?? {}) as Record<string, unknown>, where)[0];
    if (first && first.at > sent) latencies.push(received - first.at);
  }
  return { ticks, latencies, requests, ok: answer.status === 200 || answer.status === 204 };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** CPU seconds the given processes used so far. */
function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {}
  }
  return ticks / 100;
}

function inOrder(ticks: Tick[], n: number): boolean {
  return ticks.length === n && ticks.every((t, k) => t.i === k + 1);
}

const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** A server of bench/streaming-app.ts on one manager, and what its CPU is counted over. */
interface Setup {
  server: Server;
  /** Roots of the process trees that count as "server (and workers)". */
  roots: number[];
  redis?: TestRedis;
}

/** Runs `use` against a fresh `dash-ts run bench/streaming-app.ts` on the given manager. */
async function withServer<T>(kind: ManagerKind, use: (setup: Setup) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'dash-ts-bench-stream-'));
  let redis: TestRedis | undefined;
  let server: Server | undefined;
  const workers: DashWorker[] = [];
  try {
    const env: Record<string, string> = {
      BENCH_MANAGER: kind,
      BENCH_STORE: join(dir, 'bg.db'),
      BENCH_SLOTS: String(SLOTS),
    };
    if (kind === 'bullmq') {
      redis = await startRedis();
      env.BENCH_REDIS = redis.url;
      // One dash-ts worker with SLOTS job processes: "one server" and what runs its jobs.
      workers.push(await startDashWorker('bench/streaming-app.ts', env));
    }
    server = await startServer(env, ['bin/dash-ts.js', 'run', 'bench/streaming-app.ts', '--port', '0']);
    return await use({ server, roots: [server.process.pid!, ...workers.map((w) => w.pid)], redis });
  } finally {
    await Promise.all([server && stopProcess(server.process), ...workers.map((w) => w.stop('SIGTERM'))]);
    await redis?.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

const PLACES: Record<string, string> = {
  'in-server': 'server process (ordinary stream, internal InProcessManager)',
  sqlite: 'SqliteManager pool process (`background: true`)',
  bullmq: 'BullMQManager, a `dash-ts worker` job process (Redis)',
  'in-process': 'InProcessManager (`background: true`)',
};

/** Yield → held poll, LATENCY_STREAMS streams at once: one table row. */
async function latency(setup: Setup, where: Where, place: string): Promise<string> {
  await stream(await newTab(setup.server), where, 3, 50); // warm up
  const tabs = await Promise.all(Array.from({ length: LATENCY_STREAMS }, () => newTab(setup.server)));
  const results = await Promise.all(tabs.map((tab) => stream(tab, where, LATENCY_YIELDS, LATENCY_PERIOD_MS)));
  const samples = results.flatMap((r) => r.latencies);
  const lost = results.filter((r) => !inOrder(r.ticks, LATENCY_YIELDS)).length;
  const p50 = percentile(samples, 50);
  const p95 = percentile(samples, 95);
  const met = p50 <= 20 && p95 <= 50 ? 'met' : '**missed**';
  return `| ${PLACES[place]} | ${p50.toFixed(1)} ms | ${p95.toFixed(1)} ms | ${samples.length} | ${lost} | ${load()} | ${met} |`;
}

interface ScaleResult {
  wall: number;
  cpu: number;
  redisCpu: number;
  /** CPU seconds of this process, the load generator that plays every page. */
  clientCpu: number;
  requests: number;
  complete: number;
}

/** `count` streams (or plain jobs) of SECONDS × 20 yields/s at once on one server. */
async function scale(setup: Setup, where: Where, count: number): Promise<ScaleResult> {
  const n = SECONDS * 20;
  const tabs = await Promise.all(Array.from({ length: count }, () => newTab(setup.server)));
  const pids = () => processTree(setup.roots);
  const cpuBefore = cpuSeconds(pids());
  const redisBefore = setup.redis?.pid ? cpuSeconds([setup.redis.pid]) : 0;
  const started = now();
  const clientBefore = process.cpuUsage();
  const results = await Promise.all(tabs.map((tab) => stream(tab, where, n, 50)));
  const wall = (now() - started) / 1000;
  const client = process.cpuUsage(clientBefore);
  // Processes replaced meanwhile are not counted; none is in these runs (no cancel, no crash).
  const cpu = cpuSeconds(pids()) - cpuBefore;
  const redisCpu = setup.redis?.pid ? cpuSeconds([setup.redis.pid]) - redisBefore : 0;
  return {
    wall,
    cpu,
    redisCpu,
    clientCpu: (client.user + client.system) / 1e6,
    requests: results.reduce((sum, r) => sum + r.requests, 0),
    complete: results.filter((r) => inOrder(r.ticks, n)).length,
  };
}

/** Streams against plain jobs of the same length, `count` of each: one table row. */
async function scaleRow(setup: Setup, where: Where, place: string, count: number): Promise<string> {
  const streamed = await scale(setup, where, count);
  const loadThen = load();
  const plain = await scale(setup, 'plain', count);
  const yields = count * SECONDS * 20;
  const perYield = (cpu: number) => `${((cpu / yields) * 1e6).toFixed(0)} µs`;
  const redis = setup.redis
    ? ` (+ Redis ${streamed.redisCpu.toFixed(2)} s / ${plain.redisCpu.toFixed(2)} s)`
    : '';
  return (
    `| ${PLACES[place]} | ${count} | ${streamed.complete}/${count} | ${streamed.wall.toFixed(1)} s / ${plain.wall.toFixed(1)} s ` +
    `| ${streamed.requests} / ${plain.requests} | ${streamed.cpu.toFixed(2)} s / ${plain.cpu.toFixed(2)} s${redis} ` +
    `| ${perYield(streamed.cpu)} | ${perYield(streamed.cpu - plain.cpu)} | ${streamed.clientCpu.toFixed(2)} s | ${loadThen} |`
  );
}

/**
 * Every figure, as the lines of two Markdown tables. `kinds`: the servers to measure (in-process
 * also measures ordinary streams); STREAM_MANAGERS=bullmq,sqlite narrows a standalone run.
 */
export async function measureStreaming(
  say: (line: string) => void,
  kinds: readonly ManagerKind[] = ['in-process', 'sqlite', 'bullmq'],
): Promise<string[]> {
  const latencyRows: string[] = [];
  const scaleRows: string[] = [];
  if (kinds.includes('in-process')) await measureInServer(say, latencyRows, scaleRows);
  for (const kind of kinds.filter((k) => k !== 'in-process')) {
    say(`streaming: ${kind}`);
    try {
      await withServer(kind, async (setup) => {
        latencyRows.push(await latency(setup, 'in-worker', kind));
        say(latencyRows.at(-1)!);
        scaleRows.push(await scaleRow(setup, 'in-worker', kind, SLOTS));
        say(scaleRows.at(-1)!);
      });
    } catch (error) {
      // A manager whose workers could not start (a loaded machine) leaves the others' figures.
      const reason = String((error as Error).message ?? error)
        .split('\n')
        .slice(0, 3)
        .join(' ');
      latencyRows.push(`| ${PLACES[kind]} | – | – | – | – | ${load()} | **not measured**: ${reason} |`);
    }
  }
  return [
    `\nStreaming (bench/streaming.ts), yield → the update answered to a waiting poll: ${LATENCY_STREAMS} streams at once of ${LATENCY_YIELDS} yields ${LATENCY_PERIOD_MS} ms apart, the renderer's ${POLL_GAP_MS} ms between polls:\n`,
    '| where the stream runs | p50 | p95 | samples | streams with a lost or reordered Patch | load (1, 5, 15 min) | target p50 ≤ 20 ms, p95 ≤ 50 ms |',
    '|---|---|---|---|---|---|---|',
    ...latencyRows,
    `\nConcurrent streams of 20 yields/s for ${SECONDS} s each (Patch appends) on one server, against as many plain jobs of the same length (streams / plain); CPU of the server and the processes that run its jobs:\n`,
    '| where the streams run | streams | every Patch, in order | wall | requests | CPU | CPU per yield | over plain jobs, per yield | bench client CPU (streams) | load (1, 5, 15 min) |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...scaleRows,
  ];
}

/** Ordinary streams (in the server process) and InProcessManager streams, on one server. */
async function measureInServer(say: (line: string) => void, latencyRows: string[], scaleRows: string[]) {
  say('streaming: InProcessManager server (ordinary and in-process streams)');
  await withServer('in-process', async (setup) => {
    latencyRows.push(await latency(setup, 'in-server', 'in-server'));
    latencyRows.push(await latency(setup, 'in-worker', 'in-process'));
    say(latencyRows.slice(-2).join('\n'));
    say(`streaming: ${STREAMS} ordinary streams`);
    scaleRows.push(await scaleRow(setup, 'in-server', 'in-server', STREAMS));
    say(`streaming: ${STREAMS} InProcessManager streams`);
    scaleRows.push(await scaleRow(setup, 'in-worker', 'in-process', STREAMS));
    say(scaleRows.slice(-2).join('\n'));
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(
    `machine load before: ${load()}; node ${process.version}; ${execFileSync('nproc').toString().trim()} CPUs`,
  );
  const kinds = process.env.STREAM_MANAGERS?.split(',') as ManagerKind[] | undefined;
  for (const line of await measureStreaming((line) => process.stderr.write(`bench: ${line}\n`), kinds))
    console.log(line);
  console.log(`machine load after: ${load()}`);
}
