/**
 * Streaming callbacks over HTTP, as the renderer drives them (issue 17):
 *
 * 1. Yield → the update answered to a waiting poll, per place a stream runs: the server process
 *    (ordinary stream), an SqliteManager pool process, an InProcessManager. A sample is a yield
 *    that lands while a poll is held: the answer's arrival minus the yield's timestamp.
 * 2. STREAMS concurrent streams of 20 yields/s for SECONDS on one server (ordinary streams, in the
 *    server): every Patch arrives, in order; the server's CPU per yield, against the same number
 *    of jobs of the same length without yields.
 *
 *   node --import tsx bench/streaming.ts          (STREAMS=500 SECONDS=5 by default)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { newTab, now, post, processTree, type Server, startServer, stopProcess } from './client.ts';

const STREAMS = Number(process.env.STREAMS ?? 500);
const SECONDS = Number(process.env.SECONDS ?? 5);
const POLL_GAP_MS = 50; // a stream's default interval: the renderer's wait between answers

type Where = 'in-server' | 'in-worker' | 'plain';

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

/** CPU seconds the server and its workers used so far. */
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

/** Runs `use` against a fresh `dash-ts run bench/streaming-app.ts` on the given manager. */
async function withServer<T>(
  managerKind: 'sqlite' | 'in-process',
  use: (server: Server) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'dash-ts-bench-stream-'));
  const server = await startServer({ BENCH_MANAGER: managerKind, BENCH_STORE: join(dir, 'bg.db') }, [
    'bin/dash-ts.js',
    'run',
    'bench/streaming-app.ts',
    '--port',
    '0',
  ]);
  try {
    return await use(server);
  } finally {
    await stopProcess(server.process);
    rmSync(dir, { recursive: true, force: true });
  }
}

function latency(managerKind: 'sqlite' | 'in-process', where: Where): Promise<void> {
  return withServer(managerKind, async (server) => {
    await stream(await newTab(server), where, 3, 50); // warm up
    const samples: number[] = [];
    let lost = 0;
    for (let k = 0; k < 4; k++) {
      const tab = await newTab(server);
      const result = await stream(tab, where, 40, 120);
      samples.push(...result.latencies);
      if (!inOrder(result.ticks, 40)) lost++;
    }
    const label = where === 'in-server' ? 'server process (ordinary stream)' : `${managerKind} worker`;
    console.log(
      `yield → held poll, ${label}: p50 ${percentile(samples, 50).toFixed(1)} ms, p95 ${percentile(samples, 95).toFixed(1)} ms (${samples.length} samples; streams with a lost or reordered Patch: ${lost})`,
    );
  });
}

function scale(where: Where): Promise<number> {
  return withServer('in-process', async (server) => {
    const n = SECONDS * 20;
    const tabs = await Promise.all(Array.from({ length: STREAMS }, () => newTab(server)));
    const pids = processTree([server.process.pid!]);
    const cpuBefore = cpuSeconds(pids);
    const started = now();
    const results = await Promise.all(tabs.map((tab) => stream(tab, where, n, 50)));
    const wall = (now() - started) / 1000;
    const cpu = cpuSeconds(processTree([server.process.pid!])) - cpuBefore;
    const complete = results.filter((r) => inOrder(r.ticks, n)).length;
    const requests = results.reduce((sum, r) => sum + r.requests, 0);
    const yields = where === 'plain' ? 0 : STREAMS * n;
    console.log(
      `${STREAMS} ${where === 'plain' ? 'plain jobs' : 'streams'} of ${SECONDS} s${where === 'plain' ? '' : ` × 20 yields/s`}: wall ${wall.toFixed(1)} s, server CPU ${cpu.toFixed(2)} s, ${requests} requests` +
        (where === 'plain'
          ? ''
          : `, ${complete}/${STREAMS} streams got every Patch in order, ${((cpu / yields) * 1e6).toFixed(0)} µs CPU per yield`),
    );
    return cpu;
  });
}

const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`machine load before: ${load}`);
await latency('in-process', 'in-server');
await latency('sqlite', 'in-worker');
await latency('in-process', 'in-worker');
const streamed = await scale('in-server');
const plain = await scale('plain');
console.log(
  `streaming cost over plain jobs: ${(streamed - plain).toFixed(2)} s CPU for ${STREAMS * SECONDS * 20} yields`,
);
console.log(`machine load after: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
