/** Cancel and supersede before the handle (./cancel-before-handle.ts) on SqliteManager: real workers. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { Dash } from '../../src/index.ts';
import { cancelBeforeHandleSuite } from './cancel-before-handle.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-quick-cancel-'));
process.env.DASH_TS_TEST_DB = join(dir, 'bg.db');
process.env.DASH_TS_TEST_RUNS = join(dir, 'runs.txt');
const app: Dash = (await import('../apps/bg-quick-cancel.ts')).app;

after(async () => {
  await app.options.backgroundManager?.close();
  rmSync(dir, { recursive: true, force: true });
});

cancelBeforeHandleSuite(app, process.env.DASH_TS_TEST_RUNS);
