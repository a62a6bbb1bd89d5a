/**
 * The SQLite driver on whichever backend the running Node has (node:sqlite on 24.15+, else
 * better-sqlite3): the better-sqlite3 semantics the store relies on, on a real file. Run it on
 * Node 20 and on Node 24 to cover both backends.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { type Database, openDatabase, sqliteBackend } from '../../src/background/sqlite/driver.ts';
import { Store } from '../../src/background/sqlite/store.ts';

const dir = mkdtempSync(join(tmpdir(), 'dash-ts-driver-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let opened: Database[] = [];
let fileNumber = 0;
function open(path = join(dir, `db${++fileNumber}.sqlite`)): Database {
  const db = openDatabase(path);
  opened.push(db);
  return db;
}
afterEach(() => {
  for (const db of opened) if (db.open) db.close();
  opened = [];
});

function withTable(): Database {
  const db = open();
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, n INTEGER, data BLOB)');
  return db;
}

describe(`SQLite driver (${sqliteBackend()} on Node ${process.versions.node})`, () => {
  it('uses node:sqlite from Node 24.15 on, and then never loads better-sqlite3', () => {
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    const builtIn = major >= 26 || (major === 24 && minor >= 15);
    assert.equal(sqliteBackend(), builtIn ? 'node:sqlite' : 'better-sqlite3');
    const db = withTable();
    db.prepare('INSERT INTO t (name) VALUES (?)').run('x');
    const loaded = Object.keys(createRequire(import.meta.url).cache).some((path) =>
      path.includes(`${join('node_modules', 'better-sqlite3')}`),
    );
    assert.equal(loaded, !builtIn);
  });

  it('runs statements: changes and lastInsertRowid, rows by column name, integers as numbers', () => {
    const db = withTable();
    const insert = db.prepare('INSERT INTO t (name, n) VALUES (?, ?)');
    assert.deepEqual({ ...insert.run('a', 1) }, { changes: 1, lastInsertRowid: 1 });
    assert.deepEqual({ ...insert.run('b', 2 ** 40) }, { changes: 1, lastInsertRowid: 2 });
    assert.equal(db.prepare('UPDATE t SET n = n + 1').run().changes, 2);
    assert.deepEqual(
      { ...(db.prepare('SELECT name, n FROM t WHERE id = ?').get(2) as object) },
      {
        name: 'b',
        n: 2 ** 40 + 1,
      },
    );
    assert.equal(db.prepare('SELECT name FROM t WHERE id = ?').get(99), undefined);
    const rows = db.prepare('SELECT id, n FROM t ORDER BY id').all() as { id: number; n: number }[];
    assert.deepEqual(
      rows.map((row) => [row.id, row.n]),
      [
        [1, 2],
        [2, 2 ** 40 + 1],
      ],
    );
    assert.equal(typeof rows[0]?.n, 'number');
  });

  it('binds @name parameters from an object of bare names, ignoring names the SQL does not use', () => {
    const db = withTable();
    db.prepare('INSERT INTO t (name, n) VALUES (@name, @n)').run({ name: 'a', n: 7, unused: 'x' });
    const row = db.prepare('SELECT n FROM t WHERE name = @name AND n >= @n').get({ name: 'a', n: 7 });
    assert.deepEqual({ ...(row as object) }, { n: 7 });
  });

  it('plucks the first column of the first row', () => {
    const db = withTable();
    const count = db.prepare('SELECT COUNT(*), 5 FROM t').pluck();
    assert.equal(count.get(), 0);
    db.prepare('INSERT INTO t (name) VALUES (?)').run('a');
    assert.equal(count.get(), 1);
    assert.equal(db.prepare('SELECT name FROM t WHERE id = ?').pluck().get(42), undefined);
  });

  it('stores a blob and reads it back as a Uint8Array of the same bytes', () => {
    const db = withTable();
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    db.prepare('INSERT INTO t (data) VALUES (?)').run(bytes);
    const data = db.prepare('SELECT data FROM t').pluck().get();
    assert.ok(data instanceof Uint8Array);
    assert.deepEqual(Buffer.from(data), bytes);
  });

  it('reads and writes pragmas (user_version, journal_mode)', () => {
    const db = open();
    assert.equal(db.pragmaValue('user_version'), 0);
    db.setPragma('user_version = 7');
    assert.equal(db.pragmaValue('user_version'), 7);
    db.setPragma('journal_mode = WAL');
    assert.equal(db.pragmaValue('journal_mode'), 'wal');
  });

  it('commits a transaction, rolls it back when it throws, and passes arguments and results', () => {
    const db = withTable();
    const insert = db.prepare('INSERT INTO t (name) VALUES (?)');
    const count = db.prepare('SELECT COUNT(*) FROM t').pluck();
    const add = db.transaction((a: string, b: string) => {
      insert.run(a);
      insert.run(b);
      return 'done';
    });
    assert.equal(add('a', 'b'), 'done');
    assert.equal(add.immediate('c', 'd'), 'done');
    assert.equal(count.get(), 4);
    const failing = db.transaction(() => {
      insert.run('e');
      throw new Error('no');
    });
    assert.throws(() => failing.immediate(), /no/);
    assert.equal(count.get(), 4);
    // Not in a transaction any more: a plain statement commits by itself.
    insert.run('f');
    assert.equal(count.get(), 5);
  });

  it('runs a nested transaction in a savepoint: its failure undoes only its own writes', () => {
    const db = withTable();
    const insert = db.prepare('INSERT INTO t (name) VALUES (?)');
    const inner = db.transaction((name: string) => {
      insert.run(name);
      if (name === 'bad') throw new Error('inner failed');
    });
    const outer = db.transaction(() => {
      insert.run('outer');
      inner('good');
      assert.throws(() => inner('bad'), /inner failed/);
    });
    outer.immediate();
    const names = db.prepare('SELECT name FROM t ORDER BY id').all() as { name: string }[];
    assert.deepEqual(
      names.map((row) => row.name),
      ['outer', 'good'],
    );
  });

  it('refuses an async transaction function and rolls back', () => {
    const db = withTable();
    const insert = db.prepare('INSERT INTO t (name) VALUES (?)');
    const asyncTx = db.transaction(async () => {
      insert.run('a');
    });
    assert.throws(() => asyncTx.immediate(), TypeError);
    assert.equal(db.prepare('SELECT COUNT(*) FROM t').pluck().get(), 0);
  });

  it('holds the write lock from BEGIN IMMEDIATE: another connection cannot write meanwhile', () => {
    const path = join(dir, 'locks.sqlite');
    const first = open(path);
    first.setPragma('journal_mode = WAL');
    first.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    const second = open(path);
    second.setPragma('busy_timeout = 0');
    const tryWrite = second.transaction(() => second.exec('INSERT INTO t DEFAULT VALUES'));
    first
      .transaction(() => {
        first.exec('INSERT INTO t DEFAULT VALUES');
        assert.throws(() => tryWrite.immediate(), /locked|busy/i);
      })
      .immediate();
    tryWrite.immediate();
    assert.equal(first.prepare('SELECT COUNT(*) FROM t').pluck().get(), 2);
  });

  it('closes: open turns false', () => {
    const db = open();
    assert.equal(db.open, true);
    db.close();
    assert.equal(db.open, false);
  });

  it("gives the store's shared secret as the same 32-byte Buffer to every connection", () => {
    const path = join(dir, 'store.sqlite');
    const first = new Store(path);
    const second = new Store(path);
    try {
      const secret = first.sharedSecret();
      assert.ok(Buffer.isBuffer(secret));
      assert.equal(secret.length, 32);
      const again = second.sharedSecret();
      assert.ok(Buffer.isBuffer(again));
      assert.deepEqual(again, secret);
    } finally {
      first.close();
      second.close();
    }
  });
});
