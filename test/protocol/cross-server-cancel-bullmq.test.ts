/**
 * Cross-server cancel and supersede before the handle (./cross-server-cancel.ts) on BullMQManager:
 * two `dash-ts run` processes and two `dash-ts worker`s on one private redis-server; the test
 * holds Redis's writes with CLIENT PAUSE WRITE (scripts are held too, reads go on).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { Redis } from 'ioredis';
import { type DashWorker, startDashWorker } from '../support/dash-worker.ts';
import { startRedis } from '../support/redis.ts';
import { type ServerProcess, startServerProcess } from '../support/server-process.ts';
import { crossServerCancelSuite } from './cross-server-cancel.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-cross-cancel-'));
const redis = await startRedis();
const env = { DASH_TS_TEST_REDIS: redis.url, DASH_TS_TEST_RUNS: join(dir, 'runs.txt') };
const servers: ServerProcess[] = [];
const workers: DashWorker[] = [];

before(async () => {
  workers.push(
    ...(await Promise.all([1, 2].map(() => startDashWorker('test/apps/bg-quick-cancel.ts', env)))),
  );
  servers.push(await startServerProcess('test/apps/bg-quick-cancel.ts', env));
  servers.push(await startServerProcess('test/apps/bg-quick-cancel.ts', env));
});

after(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await Promise.all(workers.map((worker) => worker.stop('SIGTERM')));
  await redis.destroy();
  rmSync(dir, { recursive: true, force: true });
});

crossServerCancelSuite({
  servers: () => [servers[0]!, servers[1]!],
  runsFile: env.DASH_TS_TEST_RUNS,
  async pageHasJob(endId) {
    // The manager's own set of the page's unfinished jobs (bullmq/page-load.ts), whatever its prefix.
    const client = new Redis(redis.url);
    try {
      const [key] = await client.keys(`*:dash:pagejobs:${endId}`);
      return key !== undefined && (await client.zcard(key)) > 0;
    } finally {
      client.disconnect();
    }
  },
  async holdStore() {
    const admin = new Redis(redis.url);
    await admin.call('CLIENT', 'PAUSE', '4000', 'WRITE');
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      await admin.call('CLIENT', 'UNPAUSE');
      admin.disconnect();
    };
  },
});
