/**
 * The stores the monitor's tests run against: an SqliteManager file in a temp dir, or a private
 * redis-server with two `dash-ts worker` processes of test/apps/monitor-app.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DashWorker, startDashWorker } from '../support/dash-worker.ts';
import { startRedis } from '../support/redis.ts';

export interface MonitorFixture {
  /** Environment for the server processes (the store: DASH_TS_TEST_DB or DASH_TS_TEST_REDIS). */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

export type ManagerName = 'sqlite' | 'bullmq';

export async function monitorFixture(manager: ManagerName): Promise<MonitorFixture> {
  return manager === 'sqlite' ? sqliteFixture() : bullmqFixture();
}

async function sqliteFixture(): Promise<MonitorFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'dash-ts-monitor-'));
  return {
    env: { DASH_TS_TEST_DB: join(dir, 'bg.db') },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function bullmqFixture(): Promise<MonitorFixture> {
  const redis = await startRedis();
  const env = { DASH_TS_TEST_REDIS: redis.url };
  const starts = await Promise.allSettled([
    startDashWorker('test/apps/monitor-app.ts', env),
    startDashWorker('test/apps/monitor-app.ts', env),
  ]);
  const workers: DashWorker[] = starts.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = starts.find((s) => s.status === 'rejected');
  if (failed) {
    // One that did start must not outlive the test.
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await redis.destroy();
    throw failed.reason;
  }
  return {
    env,
    cleanup: async () => {
      await Promise.all(workers.map((worker) => worker.stop('SIGTERM')));
      await redis.destroy();
    },
  };
}
