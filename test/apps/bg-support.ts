/**
 * Shared by the bg-* fixture apps of the browser tests (test/e2e/background-*.test.ts): the
 * background manager of each fixture, and sleeps for jobs.
 */
import { BullMQManager, InProcessManager, type Manager, SqliteManager } from '../../src/index.ts';

/**
 * The store file of one fixture: `$DASH_TS_TEST_DB.<name>`. Each fixture gets its own file, because
 * a pool claims any queued job of its store, and a job left queued by one fixture (say, requeued
 * when its server closed mid-job) must not be claimed by the workers of another fixture, whose app
 * module does not define it. Without DASH_TS_TEST_DB (e.g. `dash-ts run test/apps/bg-basic.ts`):
 * the manager's default path.
 */
function storePath(name: string): string | undefined {
  const base = process.env.DASH_TS_TEST_DB;
  return base ? `${base}.${name}` : undefined;
}

export interface FixtureManagerOptions {
  /** SqliteManager worker processes; default 2. (With BullMQ, the `dash-ts worker` processes run the jobs.) */
  workers?: number;
  cacheBy?: (() => unknown)[];
  /** How long a cancelled job may run on before its process is killed (the managers' default 50 ms). */
  cancelGraceMs?: number;
}

/**
 * The background manager of fixture `name`. With DASH_TS_TEST_REDIS (a Redis URL; the BullMQ runs
 * of the checklist set it, for the server and its `dash-ts worker` processes alike): a
 * BullMQManager on queue `bg-<name>`, one queue per fixture for the reason given at storePath.
 * Otherwise an SqliteManager with its store at storePath(name). Managers of one fixture that share
 * a name share the store (or queue), as the cache fixture's two do. With DASH_TS_TEST_IN_PROCESS=1:
 * an InProcessManager (its jobs in the server process; no store to share).
 */
export function fixtureManager(name: string, options: FixtureManagerOptions = {}): Manager {
  if (process.env.DASH_TS_TEST_IN_PROCESS === '1') return new InProcessManager();
  const redis = process.env.DASH_TS_TEST_REDIS;
  if (redis)
    return new BullMQManager({
      connection: redis,
      queueName: `bg-${name}`,
      cacheBy: options.cacheBy,
      cancelGraceMs: options.cancelGraceMs,
    });
  return new SqliteManager({
    path: storePath(name),
    workers: options.workers ?? 2,
    cacheBy: options.cacheBy,
    cancelGraceMs: options.cancelGraceMs,
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Like Python's time.sleep in Dash's fixtures: blocks the worker's event loop. */
export function blockFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
