/**
 * Issue 20's two-tab scenario, run N times (default 5): on a BullMQManager with two
 * `dash-ts worker --concurrency 4` and three CPU-burning processes beside them, two page loads
 * ("tabs") run the same background callback with identical inputs; each try draws a random id
 * when it starts and tags its progress (setProps) and result with it. Tab A cancels its job
 * once both run. Counted: runs in which tab B's job started more than once, or whose result is
 * not the id of its first start.
 *
 *   node --import tsx bench/two-tab-cancel.ts [runs] [--quiet] [--one-worker]
 *
 * --quiet: no CPU burners; --one-worker: a single `dash-ts worker --concurrency 4`, so A and B are
 * always neighbours (with two, BullMQ puts them on one worker in some runs only).
 *
 * This module is also the app the workers run (`dash-ts worker bench/two-tab-cancel.ts`, with
 * TWO_TAB_REDIS set). The job is examples/distributed.ts's prime counter: CPU work in chunks,
 * yielding and checking its signal between them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Manager } from '../src/background/manager.ts';
import { consoleLogger } from '../src/base/log.ts';
import { BullMQManager, type CallbackContext, Dash, html, Input, noUpdate, Output } from '../src/index.ts';
import { type DashWorker, startDashWorker } from '../test/support/dash-worker.ts';
import { startRedis } from '../test/support/redis.ts';
import { submission } from '../test/support/submission.ts';

const QUEUE = 'two-tab';
const LIMIT = 5_000_000;

const redisUrl = process.env.TWO_TAB_REDIS;
export const app = new Dash({
  title: 'two tabs',
  backgroundManager: redisUrl ? new BullMQManager({ connection: redisUrl, queueName: QUEUE }) : undefined,
});
app.layout = html.Div({ id: 'root' });
app.callback(
  {
    background: true,
    output: Output('result', 'children'),
    inputs: [Input('run', 'n_clicks'), Input('log', 'value'), Input('limit', 'value')],
  },
  async (tab: string, log: string, limit: number, ctx: CallbackContext) => {
    const id = randomBytes(4).toString('hex');
    appendFileSync(log, `start ${tab} ${id} ${process.pid} ${process.ppid}\n`);
    const chunks = 100;
    let primes = 0;
    for (let chunk = 0; chunk < chunks; chunk++) {
      await new Promise((resolve) => setImmediate(resolve));
      if (ctx.signal.aborted) return noUpdate;
      const from = Math.floor((limit * chunk) / chunks) + 1;
      const to = Math.floor((limit * (chunk + 1)) / chunks);
      for (let k = Math.max(2, from); k <= to; k++) if (isPrime(k)) primes++;
      ctx.setProps('status', { children: `${id} ${chunk + 1}` });
    }
    return `${id} ${primes}`;
  },
);
const functionKey = app.registry.get('result.children')!.background!.functionKey;

function isPrime(k: number): boolean {
  if (k < 4) return k > 1;
  if (k % 2 === 0) return false;
  for (let d = 3; d * d <= k; d += 2) if (k % d === 0) return false;
  return true;
}

interface RunResult {
  bStarts: number;
  bTags: string[];
  bResult: string | undefined;
  twice: boolean;
  /** Tabs A and B started in the same job process. */
  shared: boolean;
  /** Tabs A and B ran on the same `dash-ts worker` (neighbours). */
  sameWorker: boolean;
  /** Tab A's job process was gone after the cancel (hard-stopped) rather than idle. */
  aKilled: boolean;
}

async function oneRun(manager: Manager, dir: string, i: number): Promise<RunResult> {
  const log = join(dir, `run-${i}.log`);
  appendFileSync(log, '');
  // Identical inputs, two page loads: only the tab label (an input the job ignores) differs.
  const a = submission(functionKey, ['A', log, LIMIT]);
  const b = submission(functionKey, ['B', log, LIMIT]);
  await manager.submit(a);
  await manager.submit(b);
  const started = (tab: string) =>
    readFileSync(log, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith(`start ${tab} `));
  while (started('A').length === 0 || started('B').length === 0) await sleep(20);
  // Both run; a little progress first, as a user would see before clicking cancel.
  await sleep(300);
  await manager.cancel(a.id, 'cancel');
  const tags = new Set<string>();
  let result: string | undefined;
  const deadline = Date.now() + 180_000;
  for (;;) {
    const update = await manager.takeUpdate(b.id, 500);
    for (const side of update.sideUpdates) tags.add(String(side.props.children).split(' ')[0]!);
    if (update.outcome) {
      result =
        update.outcome.kind === 'result' ? String(update.outcome.value) : JSON.stringify(update.outcome);
      break;
    }
    if (Date.now() > deadline) throw new Error(`tab B's job did not finish within 180 s`);
  }
  // Drain A so the next run starts clean.
  while ((await manager.takeUpdate(a.id, 200)).state !== 'unknown') await sleep(50);
  const bStarts = started('B');
  const firstId = bStarts[0]?.split(' ')[2];
  const pidOf = (line: string | undefined) => line?.split(' ')[3];
  const workerOf = (line: string | undefined) => line?.split(' ')[4];
  const aPid = Number(pidOf(started('A')[0]));
  return {
    bStarts: bStarts.length,
    bTags: [...tags],
    bResult: result,
    twice: bStarts.length !== 1 || tags.size !== 1 || result?.split(' ')[0] !== firstId,
    shared: pidOf(started('A')[0]) === pidOf(bStarts[0]),
    sameWorker: workerOf(started('A')[0]) === workerOf(bStarts[0]),
    aKilled: !existsSync(`/proc/${aPid}`),
  };
}

function burner(): ChildProcess {
  return spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });
}

async function main(): Promise<void> {
  const runs = Number(process.argv.find((arg) => /^\d+$/.test(arg)) ?? 5);
  const quiet = process.argv.includes('--quiet');
  const redis = await startRedis();
  const dir = mkdtempSync(join(tmpdir(), 'dash-ts-two-tab-'));
  const env = { TWO_TAB_REDIS: redis.url };
  const module = fileURLToPath(import.meta.url);
  const burners: ChildProcess[] = [];
  let workers: DashWorker[] = [];
  const manager = new BullMQManager({ connection: redis.url, queueName: QUEUE });
  try {
    const count = process.argv.includes('--one-worker') ? 1 : 2;
    workers = await Promise.all(
      Array.from({ length: count }, () =>
        // A loaded machine (the case measured) starts five processes per worker slowly.
        startDashWorker(module, env, ['--concurrency', '4'], { startTimeoutMs: 120_000 }),
      ),
    );
    await manager.start({ appModule: undefined, logger: consoleLogger });
    // Burning once the workers run (their start is not what is measured).
    if (!quiet) burners.push(burner(), burner(), burner());
    let twice = 0;
    let shared = 0;
    let neighbours = 0;
    let killed = 0;
    for (let i = 1; i <= runs; i++) {
      const result = await oneRun(manager, dir, i);
      if (result.twice) twice++;
      if (result.shared) shared++;
      if (result.sameWorker) neighbours++;
      if (result.aKilled) killed++;
      console.log(
        `run ${i}: tab B started ${result.bStarts}×, progress ids ${result.bTags.join(',')}, result ${result.bResult}` +
          `, A and B ${result.shared ? 'in one job process' : 'in different job processes'}` +
          ` ${result.sameWorker ? 'of one worker' : 'of two workers'}` +
          `, A ${result.aKilled ? 'hard-stopped' : 'stopped by itself'}` +
          (result.twice ? '  <-- tab B ran twice' : ''),
      );
    }
    console.log(
      `${quiet ? 'quiet' : '3 CPU burners'}: tab B started more than once in ${twice} of ${runs} runs ` +
        `(A and B on one worker in ${neighbours}, in one job process in ${shared}; A hard-stopped in ${killed})`,
    );
  } finally {
    for (const child of burners) child.kill('SIGKILL');
    await manager.close();
    await Promise.all(workers.map((worker) => worker.stop('SIGTERM')));
    await redis.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
