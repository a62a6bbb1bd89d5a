/**
 * The background e2e checklist (the suites next to this file) runs against either backend:
 *
 * - `sqlite`: each fixture's SqliteManager runs its jobs in worker processes of this server
 *   process (test/apps/bg-support.ts gives each fixture its own store file);
 * - `bullmq`: a private redis-server for the test file (never 6379), and each fixture a
 *   BullMQManager on its own queue; this process is the one server, and two separate
 *   `dash-ts worker` processes per fixture app, sharing nothing with it but Redis, run the jobs.
 *   They start before the fixture's tests and stop (SIGTERM) after them.
 *
 * Call `checklistSuite` before importing any fixture: the fixtures choose and configure their
 * manager from the environment (DASH_TS_TEST_DB, DASH_TS_TEST_REDIS) when their module loads,
 * and the workers inherit the same environment, so they import the same configuration.
 */
import { after, before } from 'node:test';
import type { Dash } from '../../../src/index.ts';
import { type BackgroundSuite, backgroundSuite } from '../../apps/bg-browser.ts';
import { type DashWorker, startDashWorker } from '../../support/dash-worker.ts';
import { startRedis } from '../../support/redis.ts';

export type Backend = 'sqlite' | 'bullmq';

export interface ChecklistSuite extends BackgroundSuite {
  readonly backend: Backend;
}

/** `dash-ts worker` processes per fixture app. */
const WORKERS_PER_APP = 2;

export async function checklistSuite(backend: Backend): Promise<ChecklistSuite> {
  if (backend === 'sqlite') return { backend, ...backgroundSuite() };

  const redis = await startRedis();
  process.env.DASH_TS_TEST_REDIS = redis.url;
  after(async () => {
    await redis.destroy();
  });
  const suite = backgroundSuite();
  return {
    backend,
    useApp(app: Dash) {
      // A fixture imported before DASH_TS_TEST_REDIS was set would quietly run on SQLite.
      const kind = app.options.backgroundManager?.kind;
      if (kind !== 'bullmq') throw new Error(`"${app.options.title}" uses a ${kind} manager, not BullMQ`);
      const module = app.appModule;
      if (!module) throw new Error(`cannot tell which module defines the app "${app.options.title}"`);
      const workers: DashWorker[] = [];
      before(async () => {
        const started = await Promise.allSettled(
          Array.from({ length: WORKERS_PER_APP }, () =>
            startDashWorker(module, { DASH_TS_TEST_REDIS: redis.url }),
          ),
        );
        for (const result of started) if (result.status === 'fulfilled') workers.push(result.value);
        const failed = started.find((result) => result.status === 'rejected');
        if (failed) throw failed.reason;
      });
      // Registered after the workers' hooks: the app opens once they run, and closes before they stop.
      const opened = suite.useApp(app);
      after(async () => {
        // A worker that died during the tests is a failure of its own (its log tells why).
        const died = workers.filter((worker) => worker.exited);
        await Promise.all(workers.map((worker) => worker.stop('SIGTERM')));
        if (died.length > 0) {
          throw new Error(
            `dash-ts worker(s) ${died.map((w) => w.pid).join(', ')} exited during the tests:\n` +
              died.map((w) => w.output()).join('\n---\n'),
          );
        }
      });
      return opened;
    },
  };
}
