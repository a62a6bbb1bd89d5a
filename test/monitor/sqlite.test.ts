import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorScenario } from './monitor-scenario.ts';

monitorScenario('SqliteManager', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dash-ts-monitor-'));
  return {
    env: { DASH_TS_TEST_DB: join(dir, 'bg.db') },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
