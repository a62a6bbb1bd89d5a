/**
 * The SQLite connection the store and its helpers use: exactly the part of better-sqlite3's API
 * they need, served by Node's built-in `node:sqlite` where that is a release candidate (no
 * ExperimentalWarning: Node 24.15+ and 26+), else by better-sqlite3, loaded only then. So a Node
 * 24 process never loads the native module, whose Statement destructor can abort the process
 * there (see retainedAfterClose). Node 22 and 25 keep better-sqlite3: their node:sqlite still
 * prints an ExperimentalWarning in every process that opens the store (server and pool workers).
 *
 * Both backends return numbers for integers (no BigInt) and Uint8Array for blobs (better-sqlite3's
 * Buffer is one); `@name` parameters take an object keyed by the bare name.
 */
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

export type SqlValue = null | number | bigint | string | Uint8Array;
/** Positional values, or one object of named ones (`@name` in the SQL, `name` as the key). */
export type SqlParams = SqlValue[] | [Record<string, SqlValue>];

export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface Statement {
  run(...params: SqlParams): RunResult;
  /** The first row (columns by name), or undefined. */
  get(...params: SqlParams): unknown;
  all(...params: SqlParams): unknown[];
  /**
   * Switches this statement to returning the first column only (better-sqlite3's pluck): its
   * `get` then gives the first row's first value, or undefined.
   */
  pluck(): { get(...params: SqlParams): unknown };
}

/** A function run in a transaction: called plainly it BEGINs (DEFERRED), `.immediate` BEGIN IMMEDIATE. */
export type Transaction<F extends (...args: never[]) => unknown> = F & { immediate: F };

export interface Database {
  readonly open: boolean;
  exec(sql: string): void;
  prepare(sql: string): Statement;
  /**
   * better-sqlite3's semantics: commits when `fn` returns, rolls back when it throws; inside
   * another transaction it runs in a savepoint.
   */
  transaction<F extends (...args: never[]) => unknown>(fn: F): Transaction<F>;
  /** Sets a pragma, e.g. `journal_mode = WAL`. */
  setPragma(assignment: string): void;
  /** A pragma's value, e.g. `user_version`. */
  pragmaValue(name: string): unknown;
  close(): void;
}

export type SqliteBackend = 'node:sqlite' | 'better-sqlite3';

/** Which backend this process uses (decided by the running Node's version). */
export function sqliteBackend(): SqliteBackend {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major >= 26 || (major === 24 && minor >= 15) ? 'node:sqlite' : 'better-sqlite3';
}

export function openDatabase(path: string): Database {
  return sqliteBackend() === 'node:sqlite' ? openNodeSqlite(path) : openBetterSqlite3(path);
}

// --- node:sqlite -----------------------------------------------------------------------------

/** The part of node:sqlite used here (@types/node 20 has no types for it). */
interface NodeStatementSync {
  run(...params: SqlParams): RunResult;
  get(...params: SqlParams): unknown;
  all(...params: SqlParams): unknown[];
  setReturnArrays(enabled: boolean): void;
  setAllowUnknownNamedParameters(enabled: boolean): void;
}
interface NodeDatabaseSync {
  readonly isOpen: boolean;
  readonly isTransaction: boolean;
  exec(sql: string): void;
  prepare(sql: string): NodeStatementSync;
  close(): void;
}
interface NodeSqliteModule {
  DatabaseSync: new (path: string) => NodeDatabaseSync;
}

function openNodeSqlite(path: string): Database {
  const { DatabaseSync } = process.getBuiltinModule('node:sqlite') as NodeSqliteModule;
  const db = new DatabaseSync(path);
  const prepare = (sql: string): NodeStatementSync => {
    const statement = db.prepare(sql);
    // better-sqlite3 ignores named values the SQL does not use; node:sqlite would throw.
    statement.setAllowUnknownNamedParameters(true);
    return statement;
  };
  const control = (sql: string) => {
    const statement = prepare(sql);
    return () => statement.run();
  };
  const steps = {
    deferred: control('BEGIN DEFERRED'),
    immediate: control('BEGIN IMMEDIATE'),
    commit: control('COMMIT'),
    rollback: control('ROLLBACK'),
    savepoint: control('SAVEPOINT dash_ts_nested'),
    release: control('RELEASE dash_ts_nested'),
    rollbackTo: control('ROLLBACK TO dash_ts_nested'),
  };
  const wrap =
    <F extends (...args: never[]) => unknown>(fn: F, begin: () => void) =>
    (...args: Parameters<F>): ReturnType<F> => {
      const nested = db.isTransaction;
      (nested ? steps.savepoint : begin)();
      try {
        const result = fn(...args) as ReturnType<F>;
        if (result instanceof Promise) throw new TypeError('a transaction function cannot be async');
        (nested ? steps.release : steps.commit)();
        return result;
      } catch (error) {
        // SQLite may have rolled back already (e.g. after SQLITE_FULL); undo only what is left.
        if (db.isTransaction) {
          if (nested) {
            steps.rollbackTo();
            steps.release();
          } else steps.rollback();
        }
        throw error;
      }
    };
  return {
    get open() {
      return db.isOpen;
    },
    exec: (sql) => db.exec(sql),
    prepare(sql) {
      const statement = prepare(sql);
      return {
        run: (...params) => statement.run(...params),
        get: (...params) => statement.get(...params),
        all: (...params) => statement.all(...params),
        pluck() {
          statement.setReturnArrays(true);
          return { get: (...params) => (statement.get(...params) as unknown[] | undefined)?.[0] };
        },
      };
    },
    transaction<F extends (...args: never[]) => unknown>(fn: F): Transaction<F> {
      return Object.assign(wrap(fn, steps.deferred), {
        immediate: wrap(fn, steps.immediate),
      }) as Transaction<F>;
    },
    setPragma: (assignment) => db.exec(`PRAGMA ${assignment}`),
    pragmaValue(name) {
      const statement = prepare(`PRAGMA ${name}`);
      statement.setReturnArrays(true);
      return (statement.get() as unknown[] | undefined)?.[0];
    },
    close: () => db.close(),
  };
}

// --- better-sqlite3 --------------------------------------------------------------------------

/**
 * Closed better-sqlite3 connections keep their prepared statements referenced until the process
 * exits, so V8 never collects them: on Node 24, better-sqlite3 12's Statement destructor aborts the
 * process (`RemoveEnvironmentCleanupHook: (env) != nullptr`) when a collection runs outside a
 * JavaScript context (seen in this repository's Node 24 test runs before node:sqlite was used
 * there; fixed upstream only in better-sqlite3 13, which needs Node 22+). Harmless elsewhere: a
 * store is closed once per manager.
 */
const retainedAfterClose = new Set<BetterSqlite3.Statement[]>();

function openBetterSqlite3(path: string): Database {
  // Loaded here, never at import, so a process on node:sqlite does not load the native module.
  const BetterDatabase = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  const db = new BetterDatabase(path);
  const statements: BetterSqlite3.Statement[] = [];
  const prepare = (sql: string) => {
    const statement = db.prepare(sql);
    statements.push(statement);
    return statement;
  };
  return {
    get open() {
      return db.open;
    },
    exec: (sql) => {
      db.exec(sql);
    },
    prepare(sql) {
      const statement = prepare(sql);
      return {
        run: (...params) => statement.run(...params),
        get: (...params) => statement.get(...params),
        all: (...params) => statement.all(...params),
        pluck() {
          statement.pluck();
          return { get: (...params) => statement.get(...params) };
        },
      };
    },
    transaction<F extends (...args: never[]) => unknown>(fn: F): Transaction<F> {
      return db.transaction(fn) as unknown as Transaction<F>;
    },
    setPragma: (assignment) => {
      db.pragma(assignment);
    },
    pragmaValue: (name) => db.pragma(name, { simple: true }),
    close: () => {
      db.close();
      retainedAfterClose.add(statements);
    },
  };
}
