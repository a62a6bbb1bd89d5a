/**
 * The store file's schema, all of it (the jobs, their options' start order, the monitor's
 * records), and how a connection to it is opened: the pragmas every process sets and the
 * migration to this schema version, run once per open in an IMMEDIATE transaction so
 * that two processes opening one file at once do not both upgrade it.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Database, openDatabase } from './driver.ts';
import { START_ORDER } from './order-sql.ts';

const SCHEMA_VERSION = 3;

/** Columns the job options add to `jobs` (schema 2). */
const JOB_OPTION_COLUMNS = [
  'policy TEXT',
  'priority INTEGER NOT NULL DEFAULT 0',
  'fair_tag INTEGER NOT NULL DEFAULT 0',
  'not_before INTEGER NOT NULL DEFAULT 0',
  'began INTEGER',
] as const;

/**
 * Columns of kept jobs (`reattach`, the jobs API; schema 3): the keep in ms, the key a later page
 * load finds it by (user, callback, outputs) and its view (../job-view.ts).
 */
const KEPT_COLUMNS = ['keep_ms INTEGER', 'reattach_key TEXT', 'view TEXT'] as const;

/** The job options' tables; the index serves START_ORDER, the order waiting jobs start in. */
const QUEUE_ORDER_SCHEMA = `
CREATE INDEX IF NOT EXISTS jobs_start_order ON jobs (${START_ORDER}) WHERE state = 'queued';
CREATE TABLE IF NOT EXISTS fair_pages (page TEXT PRIMARY KEY, next_tag INTEGER NOT NULL, touched_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS run_times (function_key TEXT PRIMARY KEY, mean_ms REAL NOT NULL);
`;

/** The jobs monitor's tables (records.ts): always there, empty while the monitor is off. */
const RECORDS_SCHEMA = `
CREATE TABLE IF NOT EXISTS monitor_jobs (
  id TEXT PRIMARY KEY,
  callback TEXT NOT NULL,
  page TEXT NOT NULL,
  user TEXT,
  state TEXT NOT NULL,
  outcome TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  worker TEXT,
  error_message TEXT,
  error_stack TEXT,
  queued_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  transitions TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS monitor_jobs_by_time ON monitor_jobs (queued_at);
CREATE TABLE IF NOT EXISTS monitor_totals (
  callback TEXT NOT NULL,
  outcome TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (callback, outcome)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS monitor_durations (
  callback TEXT NOT NULL,
  metric TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  n INTEGER NOT NULL,
  sum_ms REAL NOT NULL,
  PRIMARY KEY (callback, metric, bucket)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS monitor_workers (
  id TEXT PRIMARY KEY,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  pool TEXT NOT NULL,
  heartbeat_at INTEGER NOT NULL,
  status TEXT NOT NULL,
  exit TEXT
);
`;

/** Triggers an earlier dash-ts recorded with; dropped so that nothing records twice. */
const OLD_TRIGGERS = ['queued', 'started', 'waited', 'requeued', 'finished', 'ran', 'cancelled'];
const DROP_OLD_TRIGGERS = OLD_TRIGGERS.map((name) => `DROP TRIGGER IF EXISTS monitor_job_${name};`).join(
  '\n',
);

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  function_key TEXT NOT NULL,
  payload TEXT NOT NULL,
  owner TEXT NOT NULL,
  cache_key TEXT,
  cache_expire REAL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'finished', 'cancelled')),
  claimed_by TEXT,
  heartbeat_at INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  outcome TEXT,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  ${JOB_OPTION_COLUMNS.join(',\n  ')},
  ${KEPT_COLUMNS.join(',\n  ')}
);
CREATE INDEX IF NOT EXISTS jobs_queued ON jobs (seq) WHERE state = 'queued';
CREATE INDEX IF NOT EXISTS jobs_claimed ON jobs (claimed_by) WHERE claimed_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS jobs_ended ON jobs (finished_at) WHERE state IN ('finished', 'cancelled');
-- page_seen: when each page load was last seen polling (whenPageLeaves 'cancel', ../job-options/page-leave.ts).
CREATE INDEX IF NOT EXISTS jobs_unfinished_by_page ON jobs (json_extract(owner, '$.endId'))
  WHERE state IN ('queued', 'running');
CREATE INDEX IF NOT EXISTS jobs_unfinished_by_user ON jobs (json_extract(owner, '$.user'))
  WHERE state IN ('queued', 'running');
CREATE INDEX IF NOT EXISTS jobs_kept ON jobs (reattach_key, seq) WHERE reattach_key IS NOT NULL;
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY,
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_job ON events (job_id);
CREATE TABLE IF NOT EXISTS cache (
  key TEXT PRIMARY KEY,
  outcome TEXT NOT NULL,
  expires_at INTEGER
);
CREATE INDEX IF NOT EXISTS cache_expiry ON cache (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS page_seen (page TEXT PRIMARY KEY, seen_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS jobs_watching_page ON jobs (json_extract(owner, '$.endId'))
  WHERE state IN ('queued', 'running') AND json_extract(policy, '$.pageLeftAfterMs') IS NOT NULL;
CREATE TABLE IF NOT EXISTS start_stops (
  end_id TEXT NOT NULL,
  key TEXT NOT NULL,
  at REAL NOT NULL,
  PRIMARY KEY (end_id, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pools (
  id TEXT PRIMARY KEY,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  heartbeat_at INTEGER NOT NULL
);
${QUEUE_ORDER_SCHEMA}`;

/**
 * Nullable columns added since schema 2, added to a file that lacks them. An older dash-ts reads
 * and writes such a file as before (it names its columns), so they need no new schema version.
 */
const ADDED_COLUMNS: readonly { table: string; column: string; type: string }[] = [
  // The monitor's record of who started a job (JobOwner.user).
  { table: 'monitor_jobs', column: 'user', type: 'TEXT' },
];

function addMissingColumns(db: Database): void {
  for (const { table, column, type } of ADDED_COLUMNS) {
    const found = db
      .prepare(`SELECT 1 FROM pragma_table_info('${table}') WHERE name = ?`)
      .pluck()
      .get(column);
    if (found === undefined) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
  }
}

/** Opens (creating it if need be) the store file at `path`, migrated to this schema. */
export function openStoreDatabase(path: string): Database {
  mkdirSync(dirname(path), { recursive: true });
  const db = openDatabase(path);
  try {
    // The busy timeout first: the pragmas and the schema below may meet another process's lock.
    db.setPragma('busy_timeout = 5000');
    db.setPragma('journal_mode = WAL');
    db.setPragma('synchronous = NORMAL');
    db.setPragma('foreign_keys = ON');
    migrateSchema(db, path);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

function migrateSchema(db: Database, path: string): void {
  const migrate = db.transaction(() => {
    const version = db.pragmaValue('user_version') as number;
    if (version > SCHEMA_VERSION) {
      throw new Error(
        `${path} was written by a newer dash-ts (schema ${version}, this one knows ${SCHEMA_VERSION})`,
      );
    }
    if (version === 1) {
      // Schema 1 (before the job options): add their columns; SCHEMA adds the rest.
      for (const column of JOB_OPTION_COLUMNS) db.exec(`ALTER TABLE jobs ADD COLUMN ${column}`);
    }
    if (version === 1 || version === 2) {
      // Schema 2 (before kept jobs): add their columns.
      for (const column of KEPT_COLUMNS) db.exec(`ALTER TABLE jobs ADD COLUMN ${column}`);
    }
    db.exec(SCHEMA);
    db.exec(RECORDS_SCHEMA);
    addMissingColumns(db);
    db.exec(DROP_OLD_TRIGGERS);
    db.setPragma(`user_version = ${SCHEMA_VERSION}`);
  });
  migrate.immediate();
}
