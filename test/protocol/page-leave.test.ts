/** whenPageLeaves and supersede over the wire (./page-leave.ts) on SqliteManager: real workers. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { Dash } from '../../src/index.ts';
import { pageLeaveSuite } from './page-leave.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-page-leave-'));
process.env.DASH_TS_TEST_DB = join(dir, 'bg.db');
process.env.DASH_TS_TEST_RUNS = join(dir, 'runs.txt');
const app: Dash = (await import('../apps/bg-leave.ts')).app;

after(async () => {
  await app.options.backgroundManager?.close();
  rmSync(dir, { recursive: true, force: true });
});

pageLeaveSuite(app, process.env.DASH_TS_TEST_RUNS);
