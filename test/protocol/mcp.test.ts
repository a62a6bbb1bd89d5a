/** The MCP suite (./mcp.ts) on SqliteManager: a `dash-ts run` process with one job process. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { type ServerProcess, startServerProcess } from '../support/server-process.ts';
import { mcpSuite } from './mcp.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-mcp-'));
const env = { DASH_TS_TEST_DB: join(dir, 'bg.db'), DASH_TS_TEST_RUNS: join(dir, 'runs.txt') };
let server: ServerProcess;

before(async () => {
  server = await startServerProcess('test/apps/mcp-app.ts', env);
});

after(async () => {
  await server?.stop('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

mcpSuite({ url: () => server.url, runsFile: env.DASH_TS_TEST_RUNS });
