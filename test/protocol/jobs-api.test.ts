/** The jobs API suite (./jobs-api.ts) on SqliteManager with one real worker process. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { Dash } from '../../src/index.ts';
import { jobsApiSuite } from './jobs-api.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-jobs-api-'));
process.env.DASH_TS_TEST_DB = join(dir, 'bg.db');
process.env.DASH_TS_TEST_RUNS = join(dir, 'runs.txt');
const app: Dash = (await import('../apps/jobs-api.ts')).app;

after(async () => {
  await app.options.backgroundManager?.close();
  rmSync(dir, { recursive: true, force: true });
});

jobsApiSuite(app, process.env.DASH_TS_TEST_RUNS);
