/**
 * `npm run bench`: drives a real `dash-ts run` server over HTTP exactly as the renderer does
 * (start, then poll `interval` ms after each answer) and prints the figures of bench/RESULTS.md,
 * for each manager in turn:
 *
 * - sqlite: bench/app.ts on an SqliteManager in a fresh file, its pool inside the server;
 * - bullmq: a private redis-server on a free loopback port (never 6379), one server with
 *   bench/app.ts on a BullMQManager, and two `dash-ts worker bench/app.ts` processes; then, on the
 *   same Redis, a bare BullMQ Queue + Worker doing the same trivial job (bench/bare-bullmq.ts),
 *   so our overhead over the engine shows as "ours / bare".
 *
 *   npm run bench                         both modes (about two minutes)
 *   BENCH_MANAGER=bullmq npm run bench    one mode (sqlite or bullmq)
 *   BENCH_SECONDS=2 npm run bench         shorter throughput windows (both modes)
 *   BENCH_CONCURRENCY=16                  jobs each worker runs at once (default 16)
 *   BENCH_FAIRNESS=0                      skip the fairness figure (bench/fairness.ts)
 *   BENCH_STREAMING=0                     skip the streaming figures (bench/streaming.ts, about 2 min)
 *   BENCH_COST=0                          skip the cost-per-job figures (bench/cost-per-job.ts)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { type DashWorker, startDashWorker } from '../test/support/dash-worker.ts';
import { startRedis, type TestRedis } from '../test/support/redis.ts';
import { type BareRate, startBareBullMQ } from './bare-bullmq.ts';
import {
  BUSY_CANCEL_BODY,
  CONCURRENCY,
  INTERVAL,
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
  treeRssMiB,
} from './client.ts';
import { measureCostPerJob } from './cost-per-job.ts';
import { measureFairness } from './fairness.ts';
import { measureInstalledPackage } from './installed.ts';
import { monitorCostRow, printMonitorCost } from './monitor-cost.ts';
import { measureStreaming } from './streaming.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const BULLMQ_WORKERS = 2;
const CLIENTS = [1, 8, 32] as const;
const say = (line: string) => process.stderr.write(`bench: ${line}\n`);

type Mode = 'sqlite' | 'bullmq';
const MODES: Mode[] = (() => {
  const chosen = process.env.BENCH_MANAGER;
  if (chosen === undefined || chosen === '' || chosen === 'all') return ['sqlite', 'bullmq'];
  if (chosen === 'sqlite' || chosen === 'bullmq') return [chosen];
  throw new Error(`BENCH_MANAGER must be sqlite, bullmq or all, not ${chosen}`);
})();

/** What one mode runs: the server the clients talk to, and every process that counts as ours. */
interface Setup {
  mode: Mode;
  title: string;
  server: Server;
  /** Roots of the process trees whose memory is "server + workers". */
  roots: number[];
  redis?: TestRedis;
  /** Stops the server and workers (not Redis). */
  stopOurs(): Promise<void>;
  /** Stops everything and removes what the mode created. */
  close(): Promise<void>;
}

async function startSqlite(): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'dash-ts-bench-'));
  const server = await startServer({ BENCH_MANAGER: 'sqlite', BENCH_STORE: join(dir, 'bench.db') });
  return {
    mode: 'sqlite',
    title: `SqliteManager (default pool: ${availableParallelism()} worker processes)`,
    server,
    roots: [server.process.pid!],
    stopOurs: () => stopProcess(server.process),
    async close() {
      await stopProcess(server.process);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startBullMQ(): Promise<Setup> {
  // No persistence: the benchmark measures the job cycle, not fsync.
  const redis = await startRedis();
  const env = {
    BENCH_MANAGER: 'bullmq',
    BENCH_REDIS: redis.url,
    BENCH_CONCURRENCY: String(CONCURRENCY),
    BENCH_INTERVAL: String(INTERVAL),
  };
  const workers: DashWorker[] = [];
  let server: Server | undefined;
  const stopOurs = async () => {
    await Promise.all([server && stopProcess(server.process), ...workers.map((w) => w.stop('SIGTERM'))]);
  };
  const close = async () => {
    await stopOurs();
    await redis.destroy();
  };
  try {
    server = await startServer(env);
    for (let i = 0; i < BULLMQ_WORKERS; i++) workers.push(await startDashWorker('bench/app.ts', env));
  } catch (error) {
    await close();
    throw error;
  }
  return {
    mode: 'bullmq',
    title: `BullMQManager (${BULLMQ_WORKERS} dash-ts workers, Redis ${redisVersion()})`,
    server,
    roots: [server.process.pid!, ...workers.map((w) => w.pid)],
    redis,
    stopOurs,
    close,
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** CPU time a process has used (all its threads), in clock ticks (1/100 s on Linux). */
function cpuTicks(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime: fields 14 and 15 of stat(5), 12 and 13 after the command name.
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

type Role = [label: string, pids: () => number[]];

/** The processes of a mode by role, for "where the CPU goes". */
function roles(setup: Setup): Role[] {
  const [server, ...workers] = setup.roots;
  const jobRole = setup.mode === 'sqlite' ? 'pool workers' : 'job processes';
  const list: Role[] = [
    ['bench clients', () => [process.pid]],
    ['server', () => [server!]],
    [jobRole, () => processTree(setup.roots).filter((p) => !setup.roots.includes(p))],
  ];
  if (workers.length > 0) list.push(['dash-ts workers', () => workers]);
  if (setup.redis?.pid) list.push(['redis-server', () => [setup.redis!.pid!]]);
  return list;
}

/** Busy CPU ticks of the whole machine, all CPUs together (/proc/stat). */
function machineBusyTicks(): number {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .map(Number);
  return user! + nice! + system! + irq! + softirq! + steal!;
}

/**
 * Starts counting CPU time per role; the result gives each role's share (100% = one CPU) and its
 * CPU time per job, then what every other process on the machine used meanwhile (other work on a
 * shared machine slows the figures down).
 */
function cpuMeter(list: Role[]): (jobs: number) => string {
  const startedAt = now();
  const machineBefore = machineBusyTicks();
  const before = new Map<number, number>();
  for (const [, pids] of list) for (const p of pids()) before.set(p, cpuTicks(p));
  return (jobs) => {
    const seconds = (now() - startedAt) / 1000;
    const percent = (ticks: number) => `${(ticks / seconds).toFixed(0)}%`;
    let ours = 0;
    const parts = list.map(([role, pids]) => {
      const ticks = pids().reduce((sum, p) => sum + cpuTicks(p) - (before.get(p) ?? 0), 0);
      ours += ticks;
      return `${role} ${percent(ticks)} (${((ticks * 10) / jobs).toFixed(2)} ms/job)`;
    });
    const others = Math.max(0, machineBusyTicks() - machineBefore - ours);
    return `${parts.join(', ')}; other processes on the machine ${percent(others)}`;
  };
}

interface RedisCounters {
  commands: number;
  scripts: number;
  usec: number;
  bytesIn: number;
  bytesOut: number;
}

async function redisCounters(url: string): Promise<RedisCounters> {
  const client = new Redis(url, { lazyConnect: true });
  try {
    await client.connect();
    const info = (await client.info('commandstats')) + (await client.info('stats'));
    const counters: RedisCounters = { commands: 0, scripts: 0, usec: 0, bytesIn: 0, bytesOut: 0 };
    for (const [, command, calls, usec] of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
      counters.commands += Number(calls);
      counters.usec += Number(usec);
      if (command === 'evalsha' || command === 'eval') counters.scripts += Number(calls);
    }
    counters.bytesIn = Number(/^total_net_input_bytes:(\d+)/m.exec(info)?.[1] ?? 0);
    counters.bytesOut = Number(/^total_net_output_bytes:(\d+)/m.exec(info)?.[1] ?? 0);
    return counters;
  } finally {
    client.disconnect();
  }
}

/**
 * Starts counting Redis's work (INFO commandstats: commands run, scripts among them, time spent in
 * them, bytes in and out); the result gives it per job. Commands run by scripts count too.
 */
async function redisMeter(url: string): Promise<(jobs: number) => Promise<string>> {
  const before = await redisCounters(url);
  return async (jobs) => {
    const after = await redisCounters(url);
    const per = (key: keyof RedisCounters) => (after[key] - before[key]) / jobs;
    return (
      `${per('commands').toFixed(1)} commands (${per('scripts').toFixed(1)} scripts), ` +
      `${per('usec').toFixed(0)} µs in commands, ${(per('bytesIn') / 1024).toFixed(1)} KiB in / ` +
      `${(per('bytesOut') / 1024).toFixed(1)} KiB out per job`
    );
  };
}

async function throughput(setup: Setup, kind: Kind, clients: number, seconds: number) {
  let done = 0;
  let failed = 0;
  let peakMiB = 0;
  let redisPeakMiB = 0;
  const latencies: number[] = [];
  const sampler = setInterval(() => {
    peakMiB = Math.max(peakMiB, treeRssMiB(setup.roots));
    if (setup.redis?.pid) redisPeakMiB = Math.max(redisPeakMiB, treeRssMiB([setup.redis.pid]));
  }, 200);
  const cpu = cpuMeter(roles(setup));
  const redisWork = setup.redis && (await redisMeter(setup.redis.url));
  const deadline = now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      const tab = await newTab(setup.server);
      let n = 0;
      while (now() < deadline) {
        const result = await runJob(tab, kind, `${client}-${n++}`);
        if (result.ok) {
          done++;
          latencies.push(result.doneAt - result.sentAt);
        } else failed++;
      }
    }),
  );
  clearInterval(sampler);
  return {
    perSecond: done / seconds,
    failed,
    peakMiB,
    redisPeakMiB,
    p50: percentile(latencies, 50),
    cpu: cpu(done),
    redis: await redisWork?.(done),
  };
}

/**
 * Cancels a busy job that ignores its signal and times how long until its CPU is free: the
 * process that runs it (the job reports its `process.pid`: a pool worker, or a `dash-ts worker`'s
 * job process) is gone or a zombie, or idle: none of its threads wants the CPU for 5 ms in a row
 * and it used under 0.5 ms of CPU meanwhile (a spinning job is always runnable; a pause for
 * garbage collection is shorter).
 */
async function cancelToIdle(server: Server): Promise<{ ms: number; pid: number; how: string }> {
  let pid = 0;
  let job = '';
  const running = runJob(server, 'busy', 'x', (p, j) => {
    pid = Number(p);
    job = j;
  });
  while (!pid) await sleep(5);
  await sleep(100);
  // It spins: it wants the CPU (on a busy machine it may not get much of it).
  let busy = false;
  for (let i = 0; i < 20 && !busy; i++) {
    busy = threadsOf(pid).runnable > 0;
    await sleep(5);
  }
  const cancelledAt = now();
  await post(server, `&cancelJob=${job}`, BUSY_CANCEL_BODY);
  let idleSince: { at: number; cpuMs: number } | undefined;
  let ms: number;
  let how: string;
  for (;;) {
    const state = processState(pid);
    if (state === 'gone' || state === 'Z') {
      ms = now() - cancelledAt;
      how = 'exited';
      break;
    }
    const threads = threadsOf(pid);
    if (threads.runnable > 0) idleSince = undefined;
    else idleSince ??= { at: now(), cpuMs: threads.cpuMs };
    if (idleSince && now() - idleSince.at >= 5) {
      if (threads.cpuMs - idleSince.cpuMs < 0.5) {
        ms = idleSince.at - cancelledAt;
        how = 'idle';
        break;
      }
      idleSince = undefined;
    }
    await sleep(1);
  }
  await running;
  return { ms, pid, how: busy ? how : `${how}, NOT busy before the cancel` };
}

type Rows = Map<string, string>;

interface ModeResult {
  setup: Pick<Setup, 'mode' | 'title'>;
  rows: Rows;
  trivialPerSecond: Map<number, number>;
  startP50: number;
  bare?: BareResult;
  /** Where the CPU went during trivial jobs at 32 clients, and Redis's work per job. */
  cpu32?: string;
  redis32?: string;
}

async function measure(setup: Setup): Promise<ModeResult> {
  const { server } = setup;
  const rows: Rows = new Map();
  const trivialPerSecond = new Map<number, number>();
  // Warm-up: every worker has run a job.
  for (let i = 0; i < 20; i++) await runJob(server, 'trivial', `warm-${i}`);
  await Promise.all(
    Array.from({ length: 32 }, async (_, i) => runJob(await newTab(server), 'trivial', `warm-all-${i}`)),
  );
  await sleep(1000);
  const redisRest = setup.redis?.pid ? treeRssMiB([setup.redis.pid]) : undefined;
  const byRole = roles(setup)
    .filter(([role]) => role !== 'bench clients' && role !== 'redis-server')
    .map(([role, pids]) => `${role} ${rssMiB(pids()).toFixed(0)}`)
    .join(', ');
  rows.set('memory at rest (server + workers)', `${treeRssMiB(setup.roots).toFixed(0)} MiB (${byRole})`);

  const starts: number[] = [];
  const totals: number[] = [];
  for (let i = 0; i < 200; i++) {
    const result = await runJob(server, 'trivial', `seq-${i}`);
    starts.push(result.startedAt! - result.sentAt);
    totals.push(result.doneAt - result.sentAt);
  }
  const startP50 = percentile(starts, 50);
  rows.set(
    'request → job start, p50 / p95',
    `${startP50.toFixed(2)} ms / ${percentile(starts, 95).toFixed(2)} ms`,
  );
  rows.set(
    'request → result, trivial job, p50 / p95',
    `${percentile(totals, 50).toFixed(2)} ms / ${percentile(totals, 95).toFixed(2)} ms`,
  );

  let redisPeak = 0;
  let cpu32: string | undefined;
  let redis32: string | undefined;
  for (const clients of CLIENTS) {
    say(`${setup.mode}: trivial jobs, ${clients} clients`);
    const t = await throughput(setup, 'trivial', clients, SECONDS);
    trivialPerSecond.set(clients, t.perSecond);
    redisPeak = Math.max(redisPeak, t.redisPeakMiB);
    rows.set(
      `trivial jobs/s, ${clients} clients`,
      `${t.perSecond.toFixed(0)} /s (p50 ${t.p50.toFixed(1)} ms, failed ${t.failed}, peak ${t.peakMiB.toFixed(0)} MiB)`,
    );
    if (clients === 32) {
      cpu32 = t.cpu;
      redis32 = t.redis;
      rows.set('CPU during trivial jobs, 32 clients (100% = one CPU)', t.cpu);
      if (t.redis) rows.set('Redis work during trivial jobs, 32 clients', t.redis);
    }
  }
  for (const clients of CLIENTS) {
    say(`${setup.mode}: 0.5 s progress jobs, ${clients} clients`);
    const t = await throughput(setup, 'sleepy', clients, SECONDS + 2);
    redisPeak = Math.max(redisPeak, t.redisPeakMiB);
    rows.set(
      `0.5 s progress jobs/s, ${clients} clients`,
      `${t.perSecond.toFixed(1)} /s (p50 ${t.p50.toFixed(0)} ms, failed ${t.failed}, peak ${t.peakMiB.toFixed(0)} MiB)`,
    );
  }
  if (redisRest !== undefined) {
    rows.set(
      'Redis memory, at rest / peak under load',
      `${redisRest.toFixed(0)} MiB / ${redisPeak.toFixed(0)} MiB`,
    );
  }

  say(`${setup.mode}: cancel`);
  const cancels: Awaited<ReturnType<typeof cancelToIdle>>[] = [];
  for (let i = 0; i < 5; i++) cancels.push(await cancelToIdle(server));
  const cancelMs = cancels.map((c) => c.ms);
  const hows = [...new Set(cancels.map((c) => c.how))].join('/');
  const pids = new Set(cancels.map((c) => c.pid)).size;
  rows.set(
    'cancel → CPU idle (job ignores its signal), p50 / max',
    `${percentile(cancelMs, 50).toFixed(1)} ms / ${Math.max(...cancelMs).toFixed(1)} ms (${cancels.length} cancels on ${pids} processes: ${hows})`,
  );

  const tabs = await Promise.all(Array.from({ length: 32 }, () => newTab(server)));
  const identical = await Promise.all(tabs.map((tab) => runJob(tab, 'trivial', 'same')));
  rows.set(
    '32 clients, identical inputs at once: results delivered',
    `${identical.filter((r) => r.ok).length} / 32`,
  );
  return { setup, rows, trivialPerSecond, startP50, cpu32, redis32 };
}

interface BareResult {
  rates: Map<number, BareRate>;
  /** Where the CPU went at 32 producers. */
  cpu: string;
  /** Redis's work per job at 32 producers. */
  redis: string;
}

async function measureBare(redis: TestRedis): Promise<BareResult> {
  const bare = await startBareBullMQ({
    connection: redis.url,
    workers: BULLMQ_WORKERS,
    concurrency: CONCURRENCY,
  });
  const rates = new Map<number, BareRate>();
  let cpu = '';
  let redisPerJob = '';
  try {
    for (const producers of CLIENTS) {
      say(`bare BullMQ: ${producers} producers`);
      const meter = cpuMeter([
        ['bench process (producers)', () => [process.pid]],
        ['bare workers', () => bare.pids],
        ['redis-server', () => [redis.pid!]],
      ]);
      const redisWork = await redisMeter(redis.url);
      const rate = await bare.rate(producers, SECONDS);
      rates.set(producers, rate);
      if (producers === 32) {
        // The window's jobs and the warm-up's, one per producer.
        const jobs = rate.perSecond * SECONDS + producers;
        cpu = meter(jobs);
        redisPerJob = await redisWork(jobs);
      }
    }
  } finally {
    await bare.close();
  }
  return { rates, cpu, redis: redisPerJob };
}

async function runMode(mode: Mode): Promise<ModeResult> {
  say(`${mode}: starting`);
  const setup = mode === 'sqlite' ? await startSqlite() : await startBullMQ();
  let result: ModeResult;
  try {
    result = await measure(setup);
    if (setup.redis) {
      // Ours stopped first: the bare queue gets the machine to itself, as ours had it.
      await setup.stopOurs();
      result.bare = await measureBare(setup.redis);
    }
  } finally {
    await setup.close();
  }
  return result;
}

function redisVersion(): string {
  try {
    const out = execFileSync(process.env.REDIS_SERVER ?? '/usr/bin/redis-server', ['--version'], {
      encoding: 'utf8',
    });
    return /v=(\S+)/.exec(out)?.[1] ?? '?';
  } catch {
    return '?';
  }
}

function packageVersion(name: string): string {
  try {
    return JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')).version;
  } catch {
    return '?';
  }
}

function print(results: ModeResult[]): void {
  const gib = (totalmem() / 2 ** 30).toFixed(1);
  console.log(`\ndash-ts background benchmark, ${new Date().toISOString().slice(0, 10)}`);
  console.log(
    `machine: ${availableParallelism()} CPUs (nproc; ${cpus()[0]?.model.trim() ?? '?'}), ${gib} GiB memory, Linux ${release()}; Node ${process.version}`,
  );
  console.log(
    `load: interval ${INTERVAL} ms, ${SECONDS} s windows (${SECONDS + 2} s for 0.5 s jobs), concurrency ${CONCURRENCY} per worker` +
      (results.some((r) => r.setup.mode === 'bullmq') ? `, BullMQ ${packageVersion('bullmq')}` : ''),
  );
  console.log(
    `machine load (1-min load average): ${loadAtStart.toFixed(2)} at the start, ${loadavg()[0]!.toFixed(2)} at the end; ` +
      'other work on the machine shows as "other processes" in the CPU figures',
  );
  console.log();
  console.log(`| figure | ${results.map((r) => r.setup.title).join(' | ')} |`);
  console.log(`|---|${results.map(() => '---|').join('')}`);
  const figures = [...new Set(results.flatMap((r) => [...r.rows.keys()]))];
  for (const figure of figures) {
    console.log(`| ${figure} | ${results.map((r) => r.rows.get(figure) ?? '—').join(' | ')} |`);
  }
  const bullmq = results.find((r) => r.bare);
  if (!bullmq?.bare) return;
  console.log(
    `\nOur overhead over the engine: trivial jobs/s of BullMQManager (clients over HTTP, as above) next to a bare BullMQ Queue + ${BULLMQ_WORKERS} Worker processes (concurrency ${CONCURRENCY} each) on the same Redis, producers awaiting each job through QueueEvents. Target: ours / bare ≥ 0.5 at 32 clients; job start p50 < 10 ms.\n`,
  );
  console.log(
    '| clients / producers | ours jobs/s | bare BullMQ jobs/s (p50 cycle, p50 start) | ours / bare |',
  );
  console.log('|---|---|---|---|');
  for (const clients of CLIENTS) {
    const ours = bullmq.trivialPerSecond.get(clients)!;
    const bare = bullmq.bare.rates.get(clients)!;
    console.log(
      `| ${clients} | ${ours.toFixed(0)} /s | ${bare.perSecond.toFixed(0)} /s (${bare.p50.toFixed(1)} ms, ${bare.startP50.toFixed(1)} ms; failed ${bare.failed}) | ${(ours / bare.perSecond).toFixed(2)} |`,
    );
  }
  console.log(`| request → job start p50, 1 client | ${bullmq.startP50.toFixed(2)} ms | — | — |`);
  console.log('\nCPU at 32 clients / producers (100% = one CPU):\n');
  console.log(`- ours: ${bullmq.cpu32}`);
  console.log(`- bare: ${bullmq.bare.cpu}`);
  console.log('\nRedis work at 32 clients / producers (commands run by scripts included):\n');
  console.log(`- ours: ${bullmq.redis32}`);
  console.log(`- bare: ${bullmq.bare.redis}`);
}

const loadAtStart = loadavg()[0]!;
const results: ModeResult[] = [];
// BENCH_MAIN=0 skips the main figures (e.g. to measure only the monitor's recording cost).
if (process.env.BENCH_MAIN !== '0') {
  for (const mode of MODES) results.push(await runMode(mode));
  print(results);
}
if (process.env.BENCH_FAIRNESS !== '0') for (const line of await measureFairness(say)) console.log(line);
// Streaming callbacks on every manager: yield → held poll, and many streams at once (issue 17).
if (process.env.BENCH_STREAMING !== '0') for (const line of await measureStreaming(say)) console.log(line);
// Cost per job (issue 16, item 6): each figure beside its baseline, measured in this run.
if (process.env.BENCH_COST !== '0') for (const line of await measureCostPerJob(say)) console.log(line);
// The installed package (compiled, as users run it): memory and start-up targets of issue 7.
if (process.env.BENCH_PACKAGE !== '0')
  for (const line of await measureInstalledPackage(say)) console.log(line);
// The jobs monitor's recording cost: jobs/s with and without it (bench/monitor-cost.ts).
if (process.env.BENCH_MONITOR_COST !== '0') {
  const rows: string[] = [];
  for (const mode of MODES) {
    say(`${mode}: jobs monitor off and on`);
    rows.push(
      await monitorCostRow(mode, {
        start: () => (mode === 'sqlite' ? startSqlite() : startBullMQ()),
        close: (setup) => setup.close(),
        jobsPerSecond: async (setup) => {
          const rate = await throughput(setup, 'trivial', 32, SECONDS);
          // CPU per job moves less than jobs/s when other work shares the machine.
          say(
            `jobs monitor ${process.env.BENCH_MONITOR ? 'on' : 'off'}: ${rate.perSecond.toFixed(0)} /s; ${rate.cpu}`,
          );
          return rate.perSecond;
        },
      }),
    );
  }
  printMonitorCost(rows);
}
