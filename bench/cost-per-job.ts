/**
 * Cost per job (issue 16, item 6), each figure side by side in one run with the same client
 * (bench/client.ts: a page load per client, start then poll as the renderer does):
 *
 * - floor: trivial jobs/s of SqliteManager (bench/app.ts, default pool) against a no-work Hono
 *   endpoint answering each start at once (bench/no-work.ts); target ours / floor ≥ 0.33;
 * - peak: SqliteManager's memory (server + pool) at its peak under 32 clients of 0.5 s jobs, after
 *   a trivial burst; target ≤ 250 MiB. With the default pool (one process per CPU, one job slot
 *   each): every slot is a process of its own since issue 20 (~75 MiB each), so the target is
 *   about what the server keeps after a burst, not about how many slots an app chooses;
 * - cancel: a busy job that ignores its signal is cancelled; the time until every process of the
 *   server's tree (server, pool, and the process that replaces the stopped one) is idle; target
 *   ≤ 150 ms;
 * - scale: CPU-bound jobs (50 ms of computation) per second on BullMQManager with 1, 2 and 4
 *   `dash-ts worker` processes (concurrency 1 each) and one server, on a private redis-server.
 *
 * `npm run bench` runs it (BENCH_COST=0 skips); alone:
 *
 *   node --import tsx bench/cost-per-job.ts        COST_CASES=floor,peak,cancel,scale  COST_SECONDS=5
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { type DashWorker, startDashWorker } from '../test/support/dash-worker.ts';
import { startRedis } from '../test/support/redis.ts';
import {
  BUSY_CANCEL_BODY,
  type Kind,
  newTab,
  now,
  post,
  processState,
  processTree,
  rssMiB,
  runJob,
  type Server,
  startServer,
  stopProcess,
  threadsOf,
} from './client.ts';

const SECONDS = Number(process.env.COST_SECONDS ?? 5);
const CASES = new Set((process.env.COST_CASES ?? 'floor,peak,cancel,scale').split(','));
const load = () => loadavg()[0]!.toFixed(1);

/** Jobs/s with `clients` tabs looping for `seconds`; `sample` runs every 100 ms meanwhile. */
async function rate(server: Server, kind: Kind, clients: number, seconds: number, sample?: () => void) {
  const tabs = await Promise.all(Array.from({ length: clients }, () => newTab(server)));
  let done = 0;
  let failed = 0;
  const sampler = sample ? setInterval(sample, 100) : undefined;
  const deadline = now() + seconds * 1000;
  await Promise.all(
    tabs.map(async (tab, client) => {
      for (let n = 0; now() < deadline; n++) {
        if ((await runJob(tab, kind, `${client}-${n}`)).ok) done++;
        else failed++;
      }
    }),
  );
  clearInterval(sampler);
  return { perSecond: done / seconds, failed };
}

/**
 * Every case of COST_CASES, as the rows of one Markdown table (with its heading): each figure
 * beside its baseline or target, and the machine's 1-minute load average when it was taken.
 */
export async function measureCostPerJob(say: (line: string) => void): Promise<string[]> {
  const rows: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'dash-ts-cost-'));
  const heading = `\nCost per job (bench/cost-per-job.ts), ${new Date().toISOString()}: ${cpus().length} CPUs, Node ${process.version}, load ${load()} at the start\n`;

  if (CASES.has('floor') || CASES.has('peak') || CASES.has('cancel')) {
    // The default pool (one process per CPU) with one job slot per process, as an app gets it.
    const ours = await startServer({
      BENCH_MANAGER: 'sqlite',
      BENCH_STORE: join(dir, 'bench.db'),
      BENCH_CONCURRENCY: process.env.COST_CONCURRENCY ?? '1',
    });
    try {
      for (let i = 0; i < 20; i++) await runJob(ours, 'trivial', `warm-${i}`);
      if (CASES.has('floor')) {
        const floor = await startServer({}, ['--import', 'tsx', 'bench/no-work.ts']);
        try {
          await rate(floor, 'trivial', 4, 1);
          say('floor: no-work endpoint, 32 clients');
          const bare = await rate(floor, 'trivial', 32, SECONDS);
          say('floor: SqliteManager, 32 clients');
          const mine = await rate(ours, 'trivial', 32, SECONDS);
          rows.push(
            `| SqliteManager trivial jobs/s, 32 clients / no-work endpoint, same client | ${mine.perSecond.toFixed(0)} / ${bare.perSecond.toFixed(0)} = **${(mine.perSecond / bare.perSecond).toFixed(2)}** (failed ${mine.failed} / ${bare.failed}) | ≥ 0.33 | load ${load()} |`,
          );
        } finally {
          await stopProcess(floor.process);
        }
      }
      if (CASES.has('peak')) {
        say('peak: trivial burst, then 32 clients of 0.5 s jobs');
        await rate(ours, 'trivial', 32, SECONDS);
        let peak = { tree: 0, server: 0, processes: 0 };
        const sleepy = await rate(ours, 'sleepy', 32, SECONDS, () => {
          const pids = processTree([ours.process.pid!]);
          const tree = rssMiB(pids);
          if (tree > peak.tree) {
            // Pool processes run worker-entry; the rest of the tree is the server and tsx's esbuild.
            const pool = pids.filter((pid) => {
              try {
                return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('worker-entry');
              } catch {
                return false;
              }
            }).length;
            peak = { tree, server: rssMiB([ours.process.pid!]), processes: pool };
          }
        });
        rows.push(
          `| SqliteManager peak (server + pool, default pool of ${peak.processes} one-slot processes) under 32 clients of 0.5 s jobs, after a trivial burst | **${peak.tree.toFixed(0)} MiB** (server ${peak.server.toFixed(0)}, pool and tsx's esbuild ${(peak.tree - peak.server).toFixed(0)}; ${sleepy.perSecond.toFixed(1)} jobs/s) | ≤ 250 MiB | load ${load()} |`,
        );
      }
      if (CASES.has('cancel')) {
        say('cancel: busy job cancelled → every process of the server idle');
        const times: { gone: number; idle: number }[] = [];
        for (let i = 0; i < 5; i++) times.push(await cancelToAllIdle(ours));
        const median = (values: number[]) => values.sort((a, b) => a - b)[2]!;
        const idle = median(times.map((t) => t.idle));
        const gone = median(times.map((t) => t.gone));
        rows.push(
          `| SqliteManager cancel of a job that ignores its signal → every process (server, pool, the stopped one's replacement) idle, median / max of 5 | **${idle.toFixed(0)} ms** / ${Math.max(...times.map((t) => t.idle)).toFixed(0)} ms (the stopped process gone after ${gone.toFixed(0)} ms, median) | ≤ 150 ms | load ${load()} |`,
        );
      }
    } finally {
      await stopProcess(ours.process);
    }
  }

  if (CASES.has('scale')) {
    const redis = await startRedis();
    const env = { BENCH_MANAGER: 'bullmq', BENCH_REDIS: redis.url, BENCH_CONCURRENCY: '1' };
    const server = await startServer(env);
    const workers: DashWorker[] = [];
    try {
      const figures: string[] = [];
      for (const count of [1, 2, 4]) {
        while (workers.length < count)
          workers.push(await startDashWorker('bench/app.ts', env, ['--concurrency', '1']));
        await sleep(500);
        await rate(server, 'cpu', 8, 1);
        say(`scale: ${count} dash-ts worker(s), 16 clients of 50 ms CPU-bound jobs`);
        const measured = await rate(server, 'cpu', 16, SECONDS);
        figures.push(`${count}: ${measured.perSecond.toFixed(1)} /s`);
      }
      rows.push(
        `| CPU-bound (50 ms) jobs/s on BullMQManager by \`dash-ts worker\` count (concurrency 1 each) | ${figures.join(', ')} | — (${cpus().length} CPUs; ideal 20 /s per busy CPU) | load ${load()} |`,
      );
    } finally {
      await stopProcess(server.process);
      await Promise.all(workers.map((worker) => worker.stop('SIGTERM')));
      await redis.destroy();
    }
  }

  rmSync(dir, { recursive: true, force: true });
  return [heading, '| figure | measured | target | machine |', '|---|---|---|---|', ...rows];
}

/**
 * Cancels the bench app's busy job (it spins, ignoring its signal, so only the hard stop ends it)
 * and times how long until no process of the server's tree wants the CPU: none has a runnable
 * thread for 5 ms in a row, using under 0.5 ms of CPU meanwhile. That counts the pool starting
 * the stopped process's replacement, which a job-process figure alone (bench/run.ts) does not.
 */
async function cancelToAllIdle(server: Server): Promise<{ gone: number; idle: number }> {
  const tab = await newTab(server);
  let pid = 0;
  let job = '';
  const running = runJob(tab, 'busy', 'x', (p, j) => {
    pid = Number(p);
    job = j;
  });
  while (!pid) await sleep(5);
  await sleep(200);
  const cancelledAt = now();
  await post(tab, `&cancelJob=${job}`, BUSY_CANCEL_BODY);
  let gone: number | undefined;
  const watch = (async () => {
    while (!['gone', 'Z'].includes(processState(pid))) await sleep(1);
    gone = now() - cancelledAt;
  })();
  await running;
  const tree = () => processTree([server.process.pid!]);
  const usage = () =>
    tree().reduce(
      (sum, p) => {
        const t = threadsOf(p);
        return { runnable: sum.runnable + t.runnable, cpuMs: sum.cpuMs + t.cpuMs };
      },
      { runnable: 0, cpuMs: 0 },
    );
  let idleSince: { at: number; cpuMs: number; pids: string } | undefined;
  for (;;) {
    const u = usage();
    const pids = tree().join(',');
    const stopped = ['gone', 'Z'].includes(processState(pid));
    if (!stopped || u.runnable > 0 || (idleSince && idleSince.pids !== pids)) idleSince = undefined;
    else idleSince ??= { at: now(), cpuMs: u.cpuMs, pids };
    if (idleSince && now() - idleSince.at >= 5) {
      if (u.cpuMs - idleSince.cpuMs < 0.5) {
        await watch;
        return { gone: gone!, idle: idleSince.at - cancelledAt };
      }
      idleSince = undefined;
    }
    await sleep(1);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const line of await measureCostPerJob((line) => process.stderr.write(`cost: ${line}\n`)))
    console.log(line);
}
