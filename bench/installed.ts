/**
 * The installed package as users run it: this checkout packed (`npm pack`), installed into a fresh
 * `npm init -y` project (test/packaging/consumer.ts), bench/app.ts copied there importing 'dash-ts',
 * run with the compiled `dash-ts` bin on the Node that runs the benchmark. Measures (issue 7):
 *
 * - `dash-ts run app.ts` → first 200 on the page, median of 5 cold starts;
 * - SqliteManager (default pool), memory at rest and peak under 32 clients of 0.5 s sleeping jobs;
 * - a pool replaced after a hard stop (every worker SIGKILLed) → the next trivial job's result;
 * - BullMQManager: server + 2 `dash-ts worker`, memory at rest.
 *
 * Memory is the resident set (RSS) of the server or worker processes and all their descendants.
 * Alone: `node --import tsx bench/installed.ts`; `npm run bench` runs it last (BENCH_PACKAGE=0 skips).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, newProject, removeTempDirs, userEnv } from '../test/packaging/consumer.ts';
import { startRedis } from '../test/support/redis.ts';

type Say = (line: string) => void;
const SLEEPY_CLIENTS = 32;
const LOAD_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

interface Running {
  child: ChildProcess;
  /** What the process wrote to stderr (errors only: DASH_TS_LOG=error). */
  log: () => string;
}

/** Every process now: pid, parent pid, resident KiB (one `ps` snapshot). */
function processes(): [number, number, number][] {
  return execFileSync('ps', ['-eo', 'pid=,ppid=,rss='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number, number]);
}

/** Resident memory of `roots` and every descendant, in MiB. */
function treeMiB(roots: number[]): number {
  const rows = processes();
  const inTree = new Set(roots);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of rows) {
      if (inTree.has(ppid) && !inTree.has(pid)) {
        inTree.add(pid);
        grew = true;
      }
    }
  }
  return rows.filter(([pid]) => inTree.has(pid)).reduce((sum, [, , rss]) => sum + rss, 0) / 1024;
}

function childrenOf(parent: number): number[] {
  return processes()
    .filter(([, ppid]) => ppid === parent)
    .map(([pid]) => pid);
}

function launch(dir: string, args: string[], env: Record<string, string>): Running {
  const bin = join(dir, 'node_modules', 'dash-ts', 'dist', 'cli', 'bin.js');
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: dir,
    env: userEnv({ DASH_TS_LOG: 'error', ...env }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  return { child, log: () => log };
}

async function stop(running: Running): Promise<void> {
  const { child } = running;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await gone;
}

/** Polls the page until it answers 200; resolves with the ms since `since`. */
async function firstOk(url: string, since: number, deadlineMs = 30_000): Promise<number> {
  for (;;) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - since;
    } catch {
      // Not listening yet.
    }
    if (performance.now() - since > deadlineMs) throw new Error(`${url} gave no 200 within ${deadlineMs} ms`);
    await sleep(5);
  }
}

async function serveApp(
  dir: string,
  env: Record<string, string>,
): Promise<Running & { url: string; ms: number }> {
  const port = await freePort();
  const since = performance.now();
  const running = launch(dir, ['run', 'app.ts', '--port', String(port)], env);
  const url = `http://127.0.0.1:${port}`;
  const ms = await firstOk(url, since).catch((error: Error) => {
    running.child.kill('SIGKILL');
    throw new Error(`${error.message}\n${running.log()}`);
  });
  return { ...running, url, ms };
}

/** Runs one background job the way the renderer does, polling every `pollMs`; resolves at its result. */
async function job(url: string, endId: string, kind: 'trivial' | 'sleepy', value: unknown, pollMs: number) {
  const body = JSON.stringify({
    output: `${kind}.children`,
    outputs: { id: kind, property: 'children' },
    inputs: [{ id: `${kind}-in`, property: 'value', value }],
    changedPropIds: [`${kind}-in.value`],
  });
  const post = async (query: string) => {
    const res = await fetch(`${url}/_dash-update-component?endId=${endId}${query}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    if (res.status !== 200) throw new Error(`${kind} job: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as { cacheKey: string; job: string; response?: unknown };
  };
  const first = await post('');
  for (let answer = first; !answer.response; ) {
    await sleep(pollMs);
    answer = await post(`&cacheKey=${first.cacheKey}&job=${first.job}`);
  }
}

async function endIdOf(url: string): Promise<string> {
  const page = await (await fetch(url)).text();
  return JSON.parse(/<script id="_dash-config" type="application\/json">(.*?)<\/script>/s.exec(page)![1]!)
    .end_id;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function measureInstalledPackage(say: Say): Promise<string[]> {
  say('installed package: npm pack and install into a fresh project');
  const app = readFileSync(new URL('./app.ts', import.meta.url), 'utf8').replace(
    "'../src/index.ts'",
    "'dash-ts'",
  );
  const dir = await newProject({ 'app.ts': app });
  const store = (n: number) => ({ BENCH_STORE: join(dir, `bench-${n}.db`) });
  const lines: string[] = [];
  try {
    say('installed package: start-up, 5 cold starts');
    const starts: number[] = [];
    for (let i = 0; i < 5; i++) {
      const server = await serveApp(dir, store(i));
      starts.push(server.ms);
      await stop(server);
    }

    say('installed package: SqliteManager memory, at rest and under 32 sleeping clients');
    const server = await serveApp(dir, store(9));
    const endId = await endIdOf(server.url);
    await job(server.url, endId, 'trivial', 'warm-up', 10);
    await sleep(2000);
    const sqliteRest = treeMiB([server.child.pid!]);
    let peak = sqliteRest;
    let running = true;
    const sampler = (async () => {
      while (running) {
        peak = Math.max(peak, treeMiB([server.child.pid!]));
        await sleep(50);
      }
    })();
    let sleepyDone = 0;
    const until = performance.now() + LOAD_SECONDS * 1000;
    await Promise.all(
      Array.from({ length: SLEEPY_CLIENTS }, async (_, client) => {
        // A page load per client, as each browser tab has: calls from one page load supersede.
        const tab = await endIdOf(server.url);
        for (let n = 0; performance.now() < until; n++) {
          await job(server.url, tab, 'sleepy', `${client}-${n}`, 100);
          sleepyDone++;
        }
      }),
    );
    running = false;
    await sampler;

    say('installed package: pool replaced after a hard stop → next result');
    // The time runs from the SIGKILL of every worker to the result of a trivial job sent once the
    // server has noticed the exits, so it covers forking, importing the app and taking the job.
    const replaced: number[] = [];
    for (let round = 0; round < 5; round++) {
      await sleep(1000);
      const workers = childrenOf(server.child.pid!);
      const killedAt = performance.now();
      for (const pid of workers) process.kill(pid, 'SIGKILL');
      // Once the server has reaped every killed worker it knows they are gone: no job goes to a dead one.
      while (childrenOf(server.child.pid!).some((pid) => workers.includes(pid))) await sleep(2);
      await job(server.url, endId, 'trivial', `after-kill-${round}`, 2);
      replaced.push(performance.now() - killedAt);
    }
    await stop(server);

    say('installed package: BullMQManager at rest (server + 2 dash-ts worker)');
    const redis = await startRedis();
    const bullEnv = { BENCH_MANAGER: 'bullmq', BENCH_REDIS: redis.url };
    let bullmqRest: number;
    const workers = [0, 1].map(() => launch(dir, ['worker', 'app.ts'], bullEnv));
    try {
      const bullServer = await serveApp(dir, bullEnv);
      await job(bullServer.url, await endIdOf(bullServer.url), 'trivial', 'warm-up', 10);
      await sleep(2000);
      bullmqRest = treeMiB([bullServer.child.pid!, ...workers.map((w) => w.child.pid!)]);
      await stop(bullServer);
    } finally {
      await Promise.all(workers.map(stop));
      await redis.stop();
    }

    const rows: [string, string, string, boolean][] = [
      [
        '`dash-ts run app.ts` → first 200, median of 5 (max)',
        `${median(starts).toFixed(0)} ms (${Math.max(...starts).toFixed(0)} ms)`,
        '≤ 1 s',
        median(starts) <= 1000,
      ],
      [
        'SqliteManager (default pool), at rest',
        `${sqliteRest.toFixed(0)} MiB`,
        '≤ 200 MiB',
        sqliteRest <= 200,
      ],
      [
        `SqliteManager, peak under ${SLEEPY_CLIENTS} clients of 0.5 s jobs (${sleepyDone} jobs in ${LOAD_SECONDS} s)`,
        `${peak.toFixed(0)} MiB`,
        '≤ 250 MiB',
        peak <= 250,
      ],
      [
        'every pool worker SIGKILLed → next trivial result, median of 5 (max)',
        `${median(replaced).toFixed(0)} ms (${Math.max(...replaced).toFixed(0)} ms)`,
        '≤ 300 ms',
        median(replaced) <= 300,
      ],
      [
        'BullMQManager, server + 2 `dash-ts worker`, at rest',
        `${bullmqRest.toFixed(0)} MiB`,
        '≤ 350 MiB',
        bullmqRest <= 350,
      ],
    ];
    lines.push(
      `\nThe installed package (npm pack → fresh project, compiled bin, Node ${process.version}, ${
        (process.features as { typescript?: unknown }).typescript ? "Node's type stripping" : 'tsx'
      } for app.ts):\n`,
      '| figure | measured | target | met? |',
      '|---|---|---|---|',
      ...rows.map(
        ([what, value, target, met]) => `| ${what} | ${value} | ${target} | ${met ? 'yes' : '**no**'} |`,
      ),
    );
  } finally {
    removeTempDirs();
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await measureInstalledPackage((line) => process.stderr.write(`bench: ${line}\n`)))
    console.log(line);
}
