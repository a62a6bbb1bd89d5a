/** The jobs API suite (./jobs-api.ts) on BullMQManager: a private redis-server, one `dash-ts worker`. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { Dash } from '../../src/index.ts';
import { type DashWorker, startDashWorker } from '../support/dash-worker.ts';
import { startRedis } from '../support/redis.ts';
import { jobsApiSuite } from './jobs-api.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-jobs-api-bullmq-'));
const redis = await startRedis();
const env = { DASH_TS_TEST_REDIS: redis.url, DASH_TS_TEST_RUNS: join(dir, 'runs.txt') };
Object.assign(process.env, env);
const app: Dash = (await import('../apps/jobs-api.ts')).app;
let worker: DashWorker;

before(async () => {
  worker = await startDashWorker('test/apps/jobs-api.ts', env);
});

after(async () => {
  await app.options.backgroundManager?.close();
  await worker.stop('SIGTERM');
  await redis.destroy();
  rmSync(dir, { recursive: true, force: true });
});

jobsApiSuite(app, env.DASH_TS_TEST_RUNS);
