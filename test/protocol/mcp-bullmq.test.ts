/**
 * The MCP suite (./mcp.ts) on BullMQManager: a private redis-server, one `dash-ts worker` with one
 * job slot, and two `dash-ts run` server processes sharing the store (a task started on one is
 * read on the other).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { type DashWorker, startDashWorker } from '../support/dash-worker.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { type ServerProcess, startServerProcess } from '../support/server-process.ts';
import { mcpSuite } from './mcp.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-mcp-bullmq-'));
let redis: TestRedis;
let worker: DashWorker;
const servers: ServerProcess[] = [];
const runsFile = join(dir, 'runs.txt');

before(async () => {
  redis = await startRedis();
  const env = { DASH_TS_TEST_REDIS: redis.url, DASH_TS_TEST_RUNS: runsFile };
  worker = await startDashWorker('test/apps/mcp-app.ts', env, ['--concurrency', '1']);
  servers.push(await startServerProcess('test/apps/mcp-app.ts', env));
  servers.push(await startServerProcess('test/apps/mcp-app.ts', env));
});

after(async () => {
  for (const server of servers) await server.stop('SIGTERM');
  await worker?.stop('SIGTERM');
  await redis?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

mcpSuite({ url: () => servers[0]!.url, other: () => servers[1]!.url, runsFile });
