import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consoleLogger } from '../../src/app/log.ts';
import { registrar } from '../../src/background/registrar.ts';
import { SqliteManager } from '../../src/background/sqlite/index.ts';
import { jobsAppModule } from '../apps/jobs-app.ts';
import { managerContract } from './manager-contract.ts';

managerContract('SqliteManager', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dash-ts-sqlite-'));
  const path = join(dir, 'background.db');
  const managers: SqliteManager[] = [];
  const make = async (workers: number) => {
    const manager = new SqliteManager({ path, workers });
    managers.push(manager);
    // This process stands for the server: its registrar holds the app's job functions.
    await manager.start({
      appModule: jobsAppModule,
      logger: consoleLogger,
      jobFunctionKeys: () => registrar.keys,
    });
    return manager;
  };
  return {
    manager: await make(2),
    slots: 2,
    sibling: () => make(1),
    cleanup: async () => {
      await Promise.all(managers.map((manager) => manager.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
