/**
 * The store file's schema (src/background/sqlite/schema.ts): a file written before a nullable
 * column was added (the monitor's `monitor_jobs.user`) gets it when opened, with its rows kept.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openDatabase } from '../../src/background/sqlite/driver.ts';
import { openStoreDatabase } from '../../src/background/sqlite/schema.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-schema-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const columns = (path: string) => {
  const db = openDatabase(path);
  try {
    return db.prepare("SELECT group_concat(name, ' ') FROM pragma_table_info('monitor_jobs')").pluck().get();
  } finally {
    db.close();
  }
};

describe('SQLite store schema', () => {
  it("adds monitor_jobs.user to a file that lacks it, keeping the file's records", () => {
    const path = join(dir, 'old.db');
    openStoreDatabase(path).close();
    assert.match(String(columns(path)), /\buser\b/);
    // The file as an earlier dash-ts (schema 2, before users) left it, with a record in it.
    const old = openDatabase(path);
    old.exec('ALTER TABLE monitor_jobs DROP COLUMN user');
    old.exec(
      `INSERT INTO monitor_jobs (id, callback, page, state, attempts, queued_at, transitions)
       VALUES ('j1', 'cb.children', 'p', 'queued', 0, 1, '[]')`,
    );
    old.close();
    assert.doesNotMatch(String(columns(path)), /\buser\b/);
    const reopened = openStoreDatabase(path);
    const row = reopened.prepare("SELECT id, user FROM monitor_jobs WHERE id = 'j1'").get();
    reopened.close();
    assert.deepEqual({ ...(row as object) }, { id: 'j1', user: null });
    // Opening it again changes nothing.
    openStoreDatabase(path).close();
    assert.match(String(columns(path)), /\buser\b/);
  });
});
