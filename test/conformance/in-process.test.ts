/**
 * The Manager contract against InProcessManager: jobs of test/apps/jobs-app.ts run as async tasks
 * in this (the server's) process. Cases that need worker processes (hard stop, a killed worker, a
 * blocking job) are declared not applicable, each with its reason.
 */

import { fileURLToPath } from 'node:url';
import { InProcessManager } from '../../src/background/in-process/index.ts';
import { registrar } from '../../src/background/registrar.ts';
import { consoleLogger } from '../../src/base/log.ts';
import '../apps/jobs-app.ts';
import { pageLeaveContract } from './leave.ts';
import { type ManagerFixture, managerContract } from './manager-contract.ts';

async function inProcessFixture(): Promise<ManagerFixture> {
  const manager = new InProcessManager({ concurrency: 2 });
  await manager.start({
    appModule: undefined,
    logger: consoleLogger,
    jobFunctionKeys: () => registrar.keys,
  });
  return {
    manager,
    slots: 2,
    // Its app's InProcessManager has no remote workers (no `unserved`).
    appModule: fileURLToPath(new URL('../apps/in-process-jobs.ts', import.meta.url)),
    // One process holds the only store: a second server process has none to share, so the
    // sibling is the manager itself.
    sibling: async () => manager,
    cleanup: () => manager.close(),
  };
}

managerContract('InProcessManager', inProcessFixture, { inServerProcess: true });
pageLeaveContract('InProcessManager', inProcessFixture, { inServerProcess: true });
