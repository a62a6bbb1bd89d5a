/** The monitor scenario on BullMQ: a private redis-server and two `dash-ts worker` processes. */
import { type DashWorker, startDashWorker } from '../support/dash-worker.ts';
import { startRedis } from '../support/redis.ts';
import { monitorScenario } from './monitor-scenario.ts';

monitorScenario('BullMQManager', async () => {
  const redis = await startRedis();
  const env = { DASH_TS_TEST_REDIS: redis.url };
  const workers: DashWorker[] = [];
  try {
    workers.push(
      ...(await Promise.all([
        startDashWorker('test/apps/monitor-app.ts', env),
        startDashWorker('test/apps/monitor-app.ts', env),
      ])),
    );
  } catch (error) {
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await redis.destroy();
    throw error;
  }
  return {
    env,
    cleanup: async () => {
      await Promise.all(workers.map((worker) => worker.stop('SIGTERM')));
      await redis.destroy();
    },
  };
});
