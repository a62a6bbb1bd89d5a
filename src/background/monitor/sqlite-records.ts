/**
 * Job records in SqliteManager's file. Recording is a set of SQLite triggers on the `jobs` table,
 * created once any server process turns the monitor on: every process and pool writing the file
 * then records in the same transaction as the change itself, and the store's own code stays
 * unaware of it. What the triggers cannot see (which worker process runs a job, the worker
 * processes themselves) the pool reports through the few methods below.
 */
import type { Database } from '../sqlite/driver.ts';
import {
  collectDurations,
  DURATION_BUCKETS_SECONDS,
  type DurationMetric,
  type JobRecord,
  OUTCOME_OF_KIND,
  type RecordedOutcome,
  type RecordedState,
  type RecordsSnapshot,
  type RecordTotals,
  type WorkerRecord,
} from './records.ts';

/** Always part of the store's schema (empty while the monitor is off). */
export const RECORDS_SCHEMA = `
CREATE TABLE IF NOT EXISTS monitor_jobs (
  id TEXT PRIMARY KEY,
  callback TEXT NOT NULL,
  page TEXT NOT NULL,
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

/** A worker whose heartbeat is older than this is presumed dead (the pools beat every second). */
const WORKER_STALE_MS = 5000;

const NOW_MS = `CAST(unixepoch('subsec') * 1000 AS INTEGER)`;
const CALLBACK = `json_extract(NEW.owner, '$.callbackId')`;

function outcomeSql(kind: string): string {
  const cases = Object.entries(OUTCOME_OF_KIND)
    .map(([k, outcome]) => `WHEN '${k}' THEN '${outcome}'`)
    .join(' ');
  return `CASE ${kind} ${cases} ELSE 'failed' END`;
}

function bucketSql(durationMs: string): string {
  const cases = DURATION_BUCKETS_SECONDS.map((bound, i) => `WHEN ${durationMs} <= ${bound * 1000} THEN ${i}`);
  return `CASE ${cases.join(' ')} ELSE ${DURATION_BUCKETS_SECONDS.length} END`;
}

function observe(metric: DurationMetric, durationMs: string): string {
  return `INSERT INTO monitor_durations (callback, metric, bucket, n, sum_ms)
    VALUES (${CALLBACK}, '${metric}', ${bucketSql(durationMs)}, 1, ${durationMs})
    ON CONFLICT DO UPDATE SET n = n + 1, sum_ms = sum_ms + excluded.sum_ms;`;
}

function count(outcome: string): string {
  return `INSERT INTO monitor_totals (callback, outcome, n) VALUES (${CALLBACK}, ${outcome}, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;`;
}

const transition = (state: RecordedState, at: string) =>
  `transitions = json_insert(transitions, '$[#]', json_array('${state}', ${at}))`;

/** The triggers that record; `cancel_requested` 2 marks a supersede (see Store.cancel). */
const TRIGGERS = `
CREATE TRIGGER IF NOT EXISTS monitor_job_queued AFTER INSERT ON jobs BEGIN
  INSERT OR REPLACE INTO monitor_jobs (id, callback, page, state, queued_at, transitions)
  VALUES (NEW.id, ${CALLBACK}, json_extract(NEW.owner, '$.endId'), 'queued', NEW.created_at,
          json_array(json_array('queued', NEW.created_at)));
END;
CREATE TRIGGER IF NOT EXISTS monitor_job_started AFTER UPDATE OF state ON jobs
WHEN NEW.state = 'running' AND OLD.state = 'queued' BEGIN
  UPDATE monitor_jobs SET state = 'running', attempts = NEW.attempts, started_at = NEW.started_at,
    ${transition('running', 'NEW.started_at')}
  WHERE id = NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS monitor_job_waited AFTER UPDATE OF state ON jobs
WHEN NEW.state = 'running' AND OLD.state = 'queued' AND NEW.attempts = 1 BEGIN
  ${observe('wait', '(NEW.started_at - NEW.created_at)')}
END;
CREATE TRIGGER IF NOT EXISTS monitor_job_requeued AFTER UPDATE OF state ON jobs
WHEN NEW.state = 'queued' AND OLD.state = 'running' BEGIN
  UPDATE monitor_jobs SET state = 'queued', ${transition('queued', NOW_MS)} WHERE id = NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS monitor_job_finished AFTER UPDATE OF state ON jobs
WHEN NEW.state = 'finished' AND OLD.state IN ('queued', 'running') BEGIN
  UPDATE monitor_jobs SET state = 'finished', attempts = NEW.attempts, finished_at = NEW.finished_at,
    started_at = coalesce(started_at, NEW.started_at),
    outcome = ${outcomeSql(`json_extract(NEW.outcome, '$.kind')`)},
    error_message = CASE WHEN json_extract(NEW.outcome, '$.kind') NOT IN ('result', 'prevent-update')
                         THEN json_extract(NEW.outcome, '$.message') END,
    error_stack = CASE WHEN json_extract(NEW.outcome, '$.kind') NOT IN ('result', 'prevent-update')
                       THEN json_extract(NEW.outcome, '$.stack') END,
    ${transition('finished', 'NEW.finished_at')}
  WHERE id = NEW.id;
  ${count(outcomeSql(`json_extract(NEW.outcome, '$.kind')`))}
END;
CREATE TRIGGER IF NOT EXISTS monitor_job_ran AFTER UPDATE OF state ON jobs
WHEN NEW.state IN ('finished', 'cancelled') AND OLD.state = 'running' AND NEW.started_at IS NOT NULL BEGIN
  ${observe('run', '(NEW.finished_at - NEW.started_at)')}
END;
CREATE TRIGGER IF NOT EXISTS monitor_job_cancelled AFTER UPDATE OF state ON jobs
WHEN NEW.state = 'cancelled' AND OLD.state IN ('queued', 'running') BEGIN
  UPDATE monitor_jobs SET state = 'finished', finished_at = NEW.finished_at,
    outcome = CASE NEW.cancel_requested WHEN 2 THEN 'superseded' ELSE 'cancelled' END,
    ${transition('finished', 'NEW.finished_at')}
  WHERE id = NEW.id;
  ${count(`CASE NEW.cancel_requested WHEN 2 THEN 'superseded' ELSE 'cancelled' END`)}
END;
`;

interface JobRow {
  id: string;
  callback: string;
  page: string;
  state: RecordedState;
  outcome: RecordedOutcome | null;
  attempts: number;
  worker: string | null;
  error_message: string | null;
  error_stack: string | null;
  queued_at: number;
  started_at: number | null;
  finished_at: number | null;
  transitions: string;
}

interface WorkerRow {
  id: string;
  host: string;
  pid: number;
  heartbeat_at: number;
  status: 'alive' | 'stopped' | 'exited';
  exit: string | null;
}

/** The worker id the monitor shows for a pool's worker process. */
export function poolWorkerId(host: string, pid: number): string {
  return `${host}:${pid}`;
}

export class SqliteRecords {
  readonly #db: Database;
  readonly #s;

  constructor(db: Database) {
    this.#db = db;
    this.#s = {
      enabled: db
        .prepare(`SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = 'monitor_job_queued'`)
        .pluck(),
      window: db.prepare(`SELECT value FROM meta WHERE key = 'monitor_window_ms'`).pluck(),
      setWindow: db.prepare(
        `INSERT INTO meta (key, value) VALUES ('monitor_window_ms', ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      ),
      assign: db.prepare('UPDATE monitor_jobs SET worker = ? WHERE id = ?'),
      beat: db.prepare(
        `INSERT INTO monitor_workers (id, host, pid, pool, heartbeat_at, status) VALUES (?, ?, ?, ?, ?, 'alive')
         ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`,
      ),
      exited: db.prepare(`UPDATE monitor_workers SET status = ?, exit = ?, heartbeat_at = ? WHERE id = ?`),
      poolStopped: db.prepare(
        `UPDATE monitor_workers SET status = 'stopped', exit = 'its server process stopped', heartbeat_at = ?
         WHERE pool = ? AND status = 'alive'`,
      ),
      jobs: db.prepare(
        `SELECT * FROM monitor_jobs WHERE queued_at >= ? OR state != 'finished' ORDER BY queued_at`,
      ),
      workers: db.prepare('SELECT * FROM monitor_workers WHERE heartbeat_at >= ? ORDER BY host, pid'),
      totals: db.prepare('SELECT callback, outcome, n FROM monitor_totals'),
      durations: db.prepare('SELECT callback, metric, bucket, n, sum_ms FROM monitor_durations'),
      sweepJobs: db.prepare(`DELETE FROM monitor_jobs WHERE state = 'finished' AND queued_at < ?`),
      sweepWorkers: db.prepare('DELETE FROM monitor_workers WHERE heartbeat_at < ?'),
    };
  }

  /** Creates the triggers (for every process on this file) and sets the window. */
  enable(windowMs: number): void {
    this.#db
      .transaction(() => {
        this.#db.exec(TRIGGERS);
        this.#s.setWindow.run(Math.round(windowMs));
      })
      .immediate();
  }

  /** Whether some process turned recording on for this file. */
  isEnabled(): boolean {
    return this.#s.enabled.get() !== undefined;
  }

  #windowMs(): number | undefined {
    const value = this.#s.window.get() as number | undefined;
    return value === undefined ? undefined : Number(value);
  }

  /** Which worker runs a job; called inside the pool's write transaction. */
  assign(jobId: string, workerId: string): void {
    this.#s.assign.run(workerId, jobId);
  }

  /** A pool's worker processes are alive. */
  beat(poolId: string, host: string, pids: number[], now: number): void {
    this.#db
      .transaction(() => {
        for (const pid of pids) this.#s.beat.run(poolWorkerId(host, pid), host, pid, poolId, now);
      })
      .immediate();
  }

  /** A worker process ended; `expected`: the pool stopped it (to end a cancelled job, or at close). */
  exited(host: string, pid: number, exit: string, expected: boolean, now: number): void {
    this.#s.exited.run(expected ? 'stopped' : 'exited', exit, now, poolWorkerId(host, pid));
  }

  poolStopped(poolId: string, now: number): void {
    this.#s.poolStopped.run(now, poolId);
  }

  /** Deletes records older than the window (called from the store's sweep). */
  sweep(now: number): void {
    const windowMs = this.#windowMs();
    if (windowMs === undefined) return;
    this.#s.sweepJobs.run(now - windowMs);
    this.#s.sweepWorkers.run(now - windowMs);
  }

  read(now: number): RecordsSnapshot {
    const windowMs = this.#windowMs() ?? 0;
    const since = now - windowMs;
    const jobs = (this.#s.jobs.all(since) as JobRow[]).map(jobRecord);
    const workers = (this.#s.workers.all(since) as WorkerRow[]).map((row) => workerRecord(row, now));
    return { now, windowMs, jobs, workers, totals: this.#totals() };
  }

  #totals(): RecordTotals {
    const finished = (
      this.#s.totals.all() as { callback: string; outcome: RecordedOutcome; n: number }[]
    ).map((row) => ({ callbackId: row.callback, outcome: row.outcome, count: row.n }));
    const rows = this.#s.durations.all() as {
      callback: string;
      metric: DurationMetric;
      bucket: number;
      n: number;
      sum_ms: number;
    }[];
    const durations = collectDurations(
      rows.flatMap((row) => [
        { callbackId: row.callback, metric: row.metric, bucket: row.bucket, value: row.n },
        { callbackId: row.callback, metric: row.metric, bucket: 'sum' as const, value: row.sum_ms },
      ]),
    );
    return { finished, durations };
  }
}

function jobRecord(row: JobRow): JobRecord {
  const record: JobRecord = {
    id: row.id,
    callbackId: row.callback,
    page: row.page,
    state: row.state,
    attempts: row.attempts,
    queuedAt: row.queued_at,
    transitions: (JSON.parse(row.transitions) as [RecordedState, number][]).map(([state, at]) => ({
      state,
      at,
    })),
  };
  if (row.outcome !== null) record.outcome = row.outcome;
  if (row.worker !== null) record.worker = row.worker;
  if (row.error_message !== null) {
    record.error = { message: row.error_message };
    if (row.error_stack !== null) record.error.stack = row.error_stack;
  }
  if (row.started_at !== null) record.startedAt = row.started_at;
  if (row.finished_at !== null) record.finishedAt = row.finished_at;
  return record;
}

function workerRecord(row: WorkerRow, now: number): WorkerRecord {
  const status =
    row.status === 'stopped'
      ? 'stopped'
      : row.status === 'exited' || now - row.heartbeat_at > WORKER_STALE_MS
        ? 'presumed-dead'
        : 'alive';
  const record: WorkerRecord = {
    id: row.id,
    host: row.host,
    pid: row.pid,
    kind: 'pool',
    lastHeartbeat: row.heartbeat_at,
    status,
  };
  if (row.exit !== null) record.exit = row.exit;
  return record;
}
