/**
 * whenPageLeaves and supersede over the wire (./page-leave.ts) on BullMQManager: a private
 * redis-server and two real `dash-ts worker` processes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { Dash } from '../../src/index.ts';
import { type DashWorker, startDashWorker } from '../support/dash-worker.ts';
import { startRedis } from '../support/redis.ts';
import { pageLeaveSuite } from './page-leave.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-page-leave-'));
const redis = await startRedis();
const env = { DASH_TS_TEST_REDIS: redis.url, DASH_TS_TEST_RUNS: join(dir, 'runs.txt') };
Object.assign(process.env, env);
const app: Dash = (await import('../apps/bg-leave.ts')).app;
const workers: DashWorker[] = [];

before(async () => {
  workers.push(...(await Promise.all([1, 2].map(() => startDashWorker('test/apps/bg-leave.ts', env)))));
});

after(async () => {
  await app.options.backgroundManager?.close();
  await Promise.all(workers.map((worker) => worker.stop('SIGTERM')));
  await redis.destroy();
  rmSync(dir, { recursive: true, force: true });
});

pageLeaveSuite(app, env.DASH_TS_TEST_RUNS);
