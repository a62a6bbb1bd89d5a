/**
 * `npm run bench`: drives a real `dash-ts run` server over HTTP exactly as the renderer does
 * (start, then poll `interval` ms after each answer) and prints the figures of bench/RESULTS.md.
 *
 *   npm run bench                  full run (about a minute)
 *   BENCH_SECONDS=2 npm run bench  shorter throughput windows
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const INTERVAL = Number(process.env.BENCH_INTERVAL ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const now = () => performance.timeOrigin + performance.now();

interface Server {
  url: string;
  process: ChildProcess;
  endId: string;
}

async function startServer(store: string): Promise<Server> {
  const child = spawn(process.execPath, ['bin/dash-ts.js', 'run', 'bench/app.ts', '--port', '0'], {
    env: { ...process.env, BENCH_STORE: store, BENCH_INTERVAL: String(INTERVAL), DASH_TS_LOG: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let log = '';
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      const match = /serving .* on (http:\/\/\S+)/.exec(log);
      if (match) resolve(match[1]!);
    };
    child.stderr!.on('data', onData);
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${log}`)));
  });
  const page = await (await fetch(url)).text();
  const endId = JSON.parse(
    /<script id="_dash-config" type="application\/json">(.*?)<\/script>/s.exec(page)![1]!,
  ).end_id;
  return { url, process: child, endId };
}

type Kind = 'trivial' | 'sleepy' | 'busy';

interface JobResult {
  ok: boolean;
  startedAt?: number;
  sentAt: number;
  doneAt: number;
  progress: unknown[];
}

function bodyFor(kind: Kind, value: unknown, nulled = false) {
  return JSON.stringify({
    output: `${kind}.children`,
    outputs: { id: kind, property: 'children' },
    inputs: [{ id: `${kind}-in`, property: 'value', value: nulled ? null : value }],
    changedPropIds: [`${kind}-in.value`],
  });
}

interface Answer {
  cacheKey: string;
  job: string;
  progress?: Record<string, unknown>;
  response?: Record<string, { children: { value: unknown; startedAt: number } }>;
}

async function post(server: Server, query: string, body: string): Promise<{ status: number; json?: Answer }> {
  const res = await fetch(`${server.url}/_dash-update-component?endId=${server.endId}${query}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body,
  });
  if (res.status !== 200) {
    await res.arrayBuffer();
    return { status: res.status };
  }
  return { status: 200, json: (await res.json()) as Answer };
}

/** One callback execution as the renderer performs it. */
async function runJob(
  server: Server,
  kind: Kind,
  value: unknown,
  onProgress?: (p: unknown, job: string) => void,
) {
  const sentAt = now();
  const progress: unknown[] = [];
  let answer = await post(server, '', bodyFor(kind, value));
  const handles = answer.json;
  for (;;) {
    if (answer.status !== 200 || !answer.json || !handles) {
      return { ok: false, sentAt, doneAt: now(), progress } satisfies JobResult;
    }
    const p = answer.json.progress?.[`${kind}-progress.children`];
    if (p !== undefined) {
      progress.push(p);
      onProgress?.(p, handles.job);
    }
    if (answer.json.response) {
      const result = answer.json.response[kind]!.children;
      return { ok: result.value === value, startedAt: result.startedAt, sentAt, doneAt: now(), progress };
    }
    await sleep(INTERVAL);
    answer = await post(
      server,
      `&cacheKey=${handles.cacheKey}&job=${handles.job}`,
      bodyFor(kind, value, true),
    );
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Resident memory of the server and all its descendants (the pool's workers), in MiB. */
function treeRssMiB(pid: number): number {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) {
    const taskDir = `/proc/${pids[i]}/task`;
    if (!existsSync(taskDir)) continue;
    for (const tid of readdirSync(taskDir)) {
      const children = readFileSync(`${taskDir}/${tid}/children`, 'utf8').trim();
      if (children) pids.push(...children.split(/\s+/).map(Number));
    }
  }
  let kib = 0;
  for (const p of pids) {
    try {
      const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      kib += Number(match?.[1] ?? 0);
    } catch {
      // exited meanwhile
    }
  }
  return kib / 1024;
}

async function throughput(server: Server, kind: Kind, clients: number, seconds: number) {
  const deadline = now() + seconds * 1000;
  let done = 0;
  let failed = 0;
  let peakMiB = 0;
  const latencies: number[] = [];
  const sampler = setInterval(() => {
    peakMiB = Math.max(peakMiB, treeRssMiB(server.process.pid!));
  }, 200);
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      let n = 0;
      while (now() < deadline) {
        const result = await runJob(server, kind, `${client}-${n++}`);
        if (result.ok) {
          done++;
          latencies.push(result.doneAt - result.sentAt);
        } else failed++;
      }
    }),
  );
  clearInterval(sampler);
  return { perSecond: done / seconds, failed, peakMiB, p50: percentile(latencies, 50) };
}

async function cancelToIdle(server: Server): Promise<number> {
  let pid = 0;
  let job = '';
  const running = runJob(server, 'busy', 'x', (p, j) => {
    pid = Number(p);
    job = j;
  });
  while (!pid) await sleep(5);
  await sleep(200);
  const cancelBody = JSON.stringify({
    output: 'busy-cancel.id',
    outputs: { id: 'busy-cancel', property: 'id' },
    inputs: [{ id: 'busy-cancel', property: 'n_clicks', value: 1 }],
    changedPropIds: ['busy-cancel.n_clicks'],
  });
  const cancelledAt = now();
  await post(server, `&cancelJob=${job}`, cancelBody);
  // The CPU is free when the process running the busy loop is gone (or a zombie).
  for (;;) {
    let state = 'gone';
    try {
      state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0]!;
    } catch {}
    if (state === 'gone' || state === 'Z') break;
    await sleep(1);
  }
  const idleAt = now();
  await running;
  return idleAt - cancelledAt;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dash-ts-bench-'));
  const server = await startServer(join(dir, 'bench.db'));
  const rows: [string, string][] = [];
  try {
    // Warm-up: every worker has run a job.
    for (let i = 0; i < 20; i++) await runJob(server, 'trivial', `warm-${i}`);
    await sleep(1000);
    rows.push(['memory at rest (server + workers)', `${treeRssMiB(server.process.pid!).toFixed(0)} MiB`]);

    const starts: number[] = [];
    const totals: number[] = [];
    for (let i = 0; i < 200; i++) {
      const result = await runJob(server, 'trivial', `seq-${i}`);
      starts.push(result.startedAt! - result.sentAt);
      totals.push(result.doneAt - result.sentAt);
    }
    rows.push([
      'request → job start, p50 / p95',
      `${percentile(starts, 50).toFixed(2)} ms / ${percentile(starts, 95).toFixed(2)} ms`,
    ]);
    rows.push([
      'request → result, trivial job, p50 / p95',
      `${percentile(totals, 50).toFixed(2)} ms / ${percentile(totals, 95).toFixed(2)} ms`,
    ]);

    for (const clients of [1, 8, 32]) {
      const t = await throughput(server, 'trivial', clients, SECONDS);
      rows.push([
        `trivial jobs/s, ${clients} clients`,
        `${t.perSecond.toFixed(0)} /s (p50 ${t.p50.toFixed(1)} ms, failed ${t.failed}, peak ${t.peakMiB.toFixed(0)} MiB)`,
      ]);
    }
    for (const clients of [1, 8, 32]) {
      const t = await throughput(server, 'sleepy', clients, SECONDS + 2);
      rows.push([
        `0.5 s progress jobs/s, ${clients} clients`,
        `${t.perSecond.toFixed(1)} /s (p50 ${t.p50.toFixed(0)} ms, failed ${t.failed}, peak ${t.peakMiB.toFixed(0)} MiB)`,
      ]);
    }

    const cancels: number[] = [];
    for (let i = 0; i < 5; i++) cancels.push(await cancelToIdle(server));
    rows.push([
      'cancel → CPU idle (job ignores its signal), p50 / max',
      `${percentile(cancels, 50).toFixed(1)} ms / ${Math.max(...cancels).toFixed(1)} ms`,
    ]);

    const identical = await Promise.all(Array.from({ length: 32 }, () => runJob(server, 'trivial', 'same')));
    rows.push([
      '32 clients, identical inputs at once: results delivered',
      `${identical.filter((r) => r.ok).length} / 32`,
    ]);
  } finally {
    server.process.kill('SIGTERM');
    await new Promise((r) => server.process.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `\ndash-ts background benchmark — SqliteManager (default workers, concurrency ${process.env.BENCH_CONCURRENCY ?? 16}), interval ${INTERVAL} ms, ${SECONDS} s windows`,
  );
  console.log('| figure | value |\n|---|---|');
  for (const [name, value] of rows) console.log(`| ${name} | ${value} |`);
}

await main();
