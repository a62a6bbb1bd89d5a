/** The tracing suite (./tracing.ts) on SqliteManager with one real pool worker process. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { tracingSuite } from './tracing.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-tracing-'));
process.env.DASH_TS_TEST_DB = join(dir, 'bg.db');
process.env.DASH_TS_TEST_SPANS = join(dir, 'spans.jsonl');
const { app, memory } = await import('../apps/traced.ts');

after(async () => {
  await app.options.backgroundManager?.close();
  rmSync(dir, { recursive: true, force: true });
});

tracingSuite(app, memory, process.env.DASH_TS_TEST_SPANS);
