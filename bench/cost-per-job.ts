/**
 * Cost per job (issue 16, item 6), each figure side by side in one run with the same client
 * (bench/client.ts: a page load per client, start then poll as the renderer does):
 *
 * - floor: trivial jobs/s of SqliteManager (bench/app.ts, default pool) against a no-work Hono
 *   endpoint answering each start at once (bench/no-work.ts); target ours / floor ≥ 0.33;
 * - peak: SqliteManager's memory (server + pool) at its peak under 32 clients of 0.5 s jobs, after
 *   a trivial burst; target ≤ 250 MiB;
 * - scale: CPU-bound jobs (50 ms of computation) per second on BullMQManager with 1, 2 and 4
 *   `dash-ts worker` processes (concurrency 1 each) and one server, on a private redis-server.
 *
 *   node --import tsx bench/cost-per-job.ts        COST_CASES=floor,peak,scale  COST_SECONDS=5
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type DashWorker, startDashWorker } from '../test/support/dash-worker.ts';
import { startRedis } from '../test/support/redis.ts';
import {
  type Kind,
  newTab,
  now,
  runJob,
  type Server,
  startServer,
  stopProcess,
  treeRssMiB,
} from './client.ts';

const SECONDS = Number(process.env.COST_SECONDS ?? 5);
const CASES = new Set((process.env.COST_CASES ?? 'floor,peak,scale').split(','));
const say = (line: string) => process.stderr.write(`cost: ${line}\n`);
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

const rows: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'dash-ts-cost-'));
console.log(
  `cost per job, ${new Date().toISOString()}: ${cpus().length} CPUs, Node ${process.version}, load ${load()}`,
);

if (CASES.has('floor') || CASES.has('peak')) {
  const ours = await startServer({ BENCH_MANAGER: 'sqlite', BENCH_STORE: join(dir, 'bench.db') });
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
      let peak = 0;
      const sleepy = await rate(ours, 'sleepy', 32, SECONDS, () => {
        peak = Math.max(peak, treeRssMiB([ours.process.pid!]));
      });
      rows.push(
        `| SqliteManager peak (server + pool) under 32 clients of 0.5 s jobs, after a trivial burst | **${peak.toFixed(0)} MiB** (${sleepy.perSecond.toFixed(0)} jobs/s) | ≤ 250 MiB | load ${load()} |`,
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
console.log('| figure | measured | target | machine |\n|---|---|---|---|');
for (const row of rows) console.log(row);
