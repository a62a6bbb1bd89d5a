/** The tracing suite (./tracing.ts) on BullMQManager: a private redis-server, one `dash-ts worker`. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { type DashWorker, startDashWorker } from '../support/dash-worker.ts';
import { startRedis } from '../support/redis.ts';
import { tracingSuite } from './tracing.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-tracing-bullmq-'));
const redis = await startRedis();
const env = { DASH_TS_TEST_REDIS: redis.url, DASH_TS_TEST_SPANS: join(dir, 'spans.jsonl') };
Object.assign(process.env, env);
const { app, memory } = await import('../apps/traced.ts');
let worker: DashWorker;

before(async () => {
  worker = await startDashWorker('test/apps/traced.ts', env);
});

after(async () => {
  await app.options.backgroundManager?.close();
  await worker.stop('SIGTERM');
  await redis.destroy();
  rmSync(dir, { recursive: true, force: true });
});

tracingSuite(app, memory, env.DASH_TS_TEST_SPANS);
