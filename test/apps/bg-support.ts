/**
 * Shared by the bg-* fixture apps of the browser tests (test/e2e/background-*.test.ts): where
 * each fixture keeps its background store, and a sleep for jobs.
 */

/**
 * The store file of one fixture: `$DASH_TS_TEST_DB.<name>`. Each fixture gets its own file, because
 * a pool claims any queued job of its store, and a job left queued by one fixture (say, requeued
 * when its server closed mid-job) must not be claimed by the workers of another fixture, whose app
 * module does not define it. Without DASH_TS_TEST_DB (e.g. `dash-ts run test/apps/bg-basic.ts`):
 * the manager's default path.
 */
export function storePath(name: string): string | undefined {
  const base = process.env.DASH_TS_TEST_DB;
  return base ? `${base}.${name}` : undefined;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Like Python's time.sleep in Dash's fixtures: blocks the worker's event loop. */
export function blockFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
