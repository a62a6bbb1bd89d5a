import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registrar } from '../../src/background/registrar.ts';
import { SqliteManager } from '../../src/background/sqlite/index.ts';
import { consoleLogger } from '../../src/base/log.ts';
import { jobsAppModule } from '../apps/jobs-app.ts';
import { fairTurnsAtScaleContract } from './fair-turns.ts';
import { hardStopContract } from './hard-stop.ts';
import { pageLeaveContract } from './leave.ts';
import { type ManagerFixture, managerContract } from './manager-contract.ts';

async function sqliteFixture(): Promise<ManagerFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'dash-ts-sqlite-'));
  const path = join(dir, 'background.db');
  const managers: SqliteManager[] = [];
  const make = async (workers: number) => {
    // The contract's cancel and timeout cases check that a job's own abort handling (a stream's
    // finally) runs before any hard stop. The default 50 ms grace is measured from the abort being
    // sent, so on a loaded 2-core CI the worker is sometimes not scheduled before it ends; 1 s
    // keeps those cases about the job's behaviour, not the scheduler. Hard stops of jobs that
    // ignore their signal are still proven here (1 s later) and with the default grace in
    // hard-stop.ts.
    const manager = new SqliteManager({ path, workers, cancelGraceMs: 1000 });
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
    // Its app uses the default SqliteManager, which has no remote workers (no `unserved`).
    appModule: jobsAppModule,
    sibling: () => make(1),
    cleanup: async () => {
      await Promise.all(managers.map((manager) => manager.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

managerContract('SqliteManager', sqliteFixture);
pageLeaveContract('SqliteManager', sqliteFixture);

hardStopContract('SqliteManager', async (concurrency) => {
  const dir = mkdtempSync(join(tmpdir(), 'dash-ts-sqlite-hard-stop-'));
  // Two slots in all at concurrency 1; four on one worker otherwise.
  const manager = new SqliteManager({
    path: join(dir, 'background.db'),
    workers: concurrency === 1 ? 2 : 1,
    concurrency,
  });
  await manager.start({
    appModule: jobsAppModule,
    logger: consoleLogger,
    jobFunctionKeys: () => registrar.keys,
  });
  return {
    manager,
    cleanup: async () => {
      await manager.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

fairTurnsAtScaleContract('SqliteManager, 2 workers × concurrency 3', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dash-ts-sqlite-scale-'));
  const manager = new SqliteManager({ path: join(dir, 'background.db'), workers: 2, concurrency: 3 });
  await manager.start({
    appModule: jobsAppModule,
    logger: consoleLogger,
    jobFunctionKeys: () => registrar.keys,
  });
  return {
    manager,
    slots: 6,
    workers: 2,
    concurrency: 3,
    cleanup: async () => {
      await manager.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
