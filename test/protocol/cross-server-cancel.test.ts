/**
 * Cross-server cancel and supersede before the handle (./cross-server-cancel.ts) on SqliteManager:
 * two `dash-ts run` processes on one store file; the test holds the file's write lock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import Database from 'better-sqlite3';
import { type ServerProcess, startServerProcess } from '../support/server-process.ts';
import { crossServerCancelSuite } from './cross-server-cancel.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-cross-cancel-'));
const env = { DASH_TS_TEST_DB: join(dir, 'bg.db'), DASH_TS_TEST_RUNS: join(dir, 'runs.txt') };
const servers: ServerProcess[] = [];

before(async () => {
  servers.push(await startServerProcess('test/apps/bg-quick-cancel.ts', env));
  servers.push(await startServerProcess('test/apps/bg-quick-cancel.ts', env));
});

after(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  rmSync(dir, { recursive: true, force: true });
});

crossServerCancelSuite({
  servers: () => [servers[0]!, servers[1]!],
  runsFile: env.DASH_TS_TEST_RUNS,
  async pageHasJob(endId) {
    const db = new Database(`${env.DASH_TS_TEST_DB}.quick-cancel`, { readonly: true });
    try {
      const count = db
        .prepare(
          `SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running') AND json_extract(owner, '$.endId') = ?`,
        )
        .pluck()
        .get(endId) as number;
      return count > 0;
    } finally {
      db.close();
    }
  },
  async holdStore() {
    // The fixture's store: bg-support.ts names it `<DASH_TS_TEST_DB>.<fixture>`. Writers wait on
    // the lock (busy_timeout 5 s); readers go on, as WAL lets them.
    const db = new Database(`${env.DASH_TS_TEST_DB}.quick-cancel`);
    db.exec('BEGIN IMMEDIATE');
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      db.exec('COMMIT');
      db.close();
    };
  },
});
