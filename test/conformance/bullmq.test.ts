/**
 * The Manager contract against BullMQManager: a private redis-server and two real
 * `dash-ts worker` processes running test/apps/bullmq-jobs.ts (jobs-app's jobs on BullMQ).
 */

import { fileURLToPath } from 'node:url';
import { BullMQManager } from '../../src/background/bullmq/index.ts';
import { consoleLogger } from '../../src/base/log.ts';
import { type DashWorker, startDashWorker } from '../support/dash-worker.ts';
import { startRedis } from '../support/redis.ts';
import { fairTurnsAtScaleContract } from './fair-turns.ts';
import { hardStopContract } from './hard-stop.ts';
import { pageLeaveContract } from './leave.ts';
import { type ManagerFixture, managerContract } from './manager-contract.ts';

const QUEUE = 'conformance';

async function bullmqFixture(): Promise<ManagerFixture> {
  const redis = await startRedis();
  const env = { DASH_TS_TEST_REDIS: redis.url, DASH_TS_TEST_QUEUE: QUEUE };
  const workers: DashWorker[] = [];
  const managers: BullMQManager[] = [];
  const make = async (queueName = QUEUE) => {
    const manager = new BullMQManager({ connection: redis.url, queueName });
    managers.push(manager);
    await manager.start({ appModule: undefined, logger: consoleLogger });
    return manager;
  };
  try {
    workers.push(
      ...(await Promise.all([
        startDashWorker('test/apps/bullmq-jobs.ts', env),
        startDashWorker('test/apps/bullmq-jobs.ts', env),
      ])),
    );
    return {
      manager: await make(),
      slots: 2,
      sibling: () => make(),
      appModule: fileURLToPath(new URL('../apps/bullmq-jobs.ts', import.meta.url)),
      // A queue no `dash-ts worker` serves: only a remote worker started by the contract runs its jobs.
      unserved: () => make(`${QUEUE}-unserved`),
      cleanup: async () => {
        await Promise.all(managers.map((manager) => manager.close()));
        await Promise.all(workers.map((worker) => worker.stop('SIGTERM')));
        await redis.destroy();
      },
    };
  } catch (error) {
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await redis.destroy();
    throw error;
  }
}

managerContract('BullMQManager', bullmqFixture);
pageLeaveContract('BullMQManager', bullmqFixture);

hardStopContract('BullMQManager', async (concurrency) => {
  const redis = await startRedis();
  const queue = `hard-stop-${concurrency}`;
  const env = { DASH_TS_TEST_REDIS: redis.url, DASH_TS_TEST_QUEUE: queue };
  const args = ['--concurrency', String(concurrency)];
  // Two slots in all at concurrency 1 (two workers); four on one worker otherwise.
  const count = concurrency === 1 ? 2 : 1;
  const workers: DashWorker[] = [];
  try {
    for (let i = 0; i < count; i++)
      workers.push(await startDashWorker('test/apps/bullmq-jobs.ts', env, args));
    const manager = new BullMQManager({ connection: redis.url, queueName: queue });
    await manager.start({ appModule: undefined, logger: consoleLogger });
    return {
      manager,
      cleanup: async () => {
        await manager.close();
        await Promise.all(workers.map((worker) => worker.stop('SIGTERM')));
        await redis.destroy();
      },
    };
  } catch (error) {
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await redis.destroy();
    throw error;
  }
});

fairTurnsAtScaleContract('BullMQManager, 2 dash-ts workers × concurrency 3', async () => {
  const redis = await startRedis();
  const env = { DASH_TS_TEST_REDIS: redis.url, DASH_TS_TEST_QUEUE: 'fair-scale' };
  const workers = await Promise.all(
    [1, 2].map(() => startDashWorker('test/apps/bullmq-jobs.ts', env, ['--concurrency', '3'])),
  );
  const manager = new BullMQManager({ connection: redis.url, queueName: 'fair-scale' });
  await manager.start({ appModule: undefined, logger: consoleLogger });
  return {
    manager,
    slots: 6,
    workers: 2,
    concurrency: 3,
    cleanup: async () => {
      await manager.close();
      await Promise.all(workers.map((worker) => worker.stop('SIGTERM')));
      await redis.destroy();
    },
  };
});
