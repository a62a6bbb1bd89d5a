/**
 * The fairness figure of bench/RESULTS.md: with one worker slot, page load A queues eight 0.2 s
 * jobs, then page load B queues one; how long does B's job wait to start? Against first come,
 * first served, measured in the same run with the same manager: B's job then comes from page
 * load A too (jobs of one page load run in order, so that is FIFO).
 *
 * This module is also the app whose job the workers run (`dash-ts worker bench/fairness.ts`):
 * with FAIRNESS_REDIS it is on a BullMQManager (queue "fairness", one job at a time).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobSubmission, Manager } from '../src/background/manager.ts';
import { consoleLogger } from '../src/base/log.ts';
import { BullMQManager, Dash, html, Input, Output, SqliteManager } from '../src/index.ts';
import { startDashWorker } from '../test/support/dash-worker.ts';
import { startRedis } from '../test/support/redis.ts';
import { submission } from '../test/support/submission.ts';

const QUEUE = 'fairness';
const JOB_MS = 200;
const FIRST_PAGE_JOBS = 8;

const redisUrl = process.env.FAIRNESS_REDIS;
export const app = new Dash({
  title: 'fairness benchmark',
  backgroundManager: redisUrl ? new BullMQManager({ connection: redisUrl, queueName: QUEUE }) : undefined,
});
app.layout = html.Div({ id: 'root' });
app.callback(
  { background: true, output: Output('step', 'children'), inputs: [Input('step-in', 'value')] },
  async () => {
    const startedAt = performance.timeOrigin + performance.now();
    await new Promise((resolve) => setTimeout(resolve, JOB_MS));
    return startedAt;
  },
);
const functionKey = app.registry.get('step.children')!.background!.functionKey;
const thisModule = fileURLToPath(import.meta.url);

function job(page: string, n: number): JobSubmission {
  return submission(functionKey, [n], {
    owner: { endId: page, callbackId: 'step.children', outputsKey: 'step.children' },
  });
}

async function startedAt(manager: Manager, jobId: string): Promise<number> {
  for (;;) {
    const { outcome } = await manager.takeUpdate(jobId, 1000);
    if (outcome?.kind === 'result') return outcome.value as number;
    if (outcome) throw new Error(`fairness job ended ${JSON.stringify(outcome)}`);
  }
}

/** B's wait in ms: `fair` puts B on a page load of its own, else on A's (first come, first served). */
async function secondPageWait(manager: Manager, fair: boolean): Promise<number> {
  const pageA = `a-${randomBytes(6).toString('hex')}`;
  const pageB = fair ? `b-${randomBytes(6).toString('hex')}` : pageA;
  const first = Array.from({ length: FIRST_PAGE_JOBS }, (_, n) => job(pageA, n));
  for (const submitted of first) await manager.submit(submitted);
  const second = job(pageB, FIRST_PAGE_JOBS);
  const submittedAt = performance.timeOrigin + performance.now();
  await manager.submit(second);
  const [waited] = await Promise.all([
    startedAt(manager, second.id).then((at) => at - submittedAt),
    ...first.map((j) => startedAt(manager, j.id)),
  ]);
  return waited;
}

async function figure(manager: Manager): Promise<string> {
  await secondPageWait(manager, true); // warm-up
  const fair = await secondPageWait(manager, true);
  const fifo = await secondPageWait(manager, false);
  return `${fair.toFixed(0)} ms | ${fifo.toFixed(0)} ms`;
}

/** The fairness rows for both managers (a fresh store / Redis of their own, one slot each). */
export async function measureFairness(say: (line: string) => void): Promise<string[]> {
  const rows: string[] = [];
  say('fairness: SqliteManager');
  const dir = mkdtempSync(join(tmpdir(), 'dash-ts-fairness-'));
  const sqlite = new SqliteManager({ path: join(dir, 'fairness.db'), workers: 1 });
  try {
    await sqlite.start({ appModule: thisModule, logger: consoleLogger });
    rows.push(`| SqliteManager (1 worker) | ${await figure(sqlite)} |`);
  } finally {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }
  say('fairness: BullMQManager');
  const redis = await startRedis();
  const worker = await startDashWorker('bench/fairness.ts', { FAIRNESS_REDIS: redis.url });
  const bullmq = new BullMQManager({ connection: redis.url, queueName: QUEUE });
  try {
    await bullmq.start({ appModule: undefined, logger: consoleLogger });
    rows.push(`| BullMQManager (1 dash-ts worker, concurrency 1) | ${await figure(bullmq)} |`);
  } finally {
    await bullmq.close();
    await worker.stop('SIGTERM');
    await redis.destroy();
  }
  return [
    `\nFairness: one worker slot; page load A queues ${FIRST_PAGE_JOBS} jobs of ${JOB_MS} ms, then page load B queues one. ` +
      "B's wait from submit to start, with fair turns (B is its own page load) and first come, first served " +
      "(the same jobs, B's on A's page load), same manager, same run.\n",
    "| manager | B's wait, fair turns | B's wait, FIFO |",
    '|---|---|---|',
    ...rows,
  ];
}
