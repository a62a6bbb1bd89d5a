/**
 * Job records in SqliteManager's file. The store tells this object every change of a job's state
 * as it makes it (`record`, inside the store's transaction; kept only if that commits); each
 * process buffers them and writes them every RECORDS_FLUSH_MS in one transaction, one row per job
 * and the totals summed per batch, so recording costs a small share of what the jobs themselves
 * cost (bench/monitor-cost.ts). Every process using the file records once any of them turned the
 * monitor on (a row in `meta`, looked at on every flush); all read the same tables, so any server
 * shows every job, another process's latest changes at most about RECORDS_FLUSH_MS late. A
 * server process killed outright loses the changes it had not written yet. What the store cannot
 * see (which worker process runs a job, the worker processes themselves) the pool reports
 * through the few methods below.
 */

import {
  bucketOf,
  collectDurations,
  type DurationMetric,
  type JobRecord,
  type RecordedOutcome,
  type RecordedState,
  type RecordsSnapshot,
  type RecordTotals,
  type WorkerRecord,
} from '../records.ts';
import type { Database } from './driver.ts';
import { draftsOf, type JobRow, mergeRow, type RecordEvent, rowOf } from './record-events.ts';

/** A worker whose heartbeat is older than this is presumed dead (the pools beat every second). */
const WORKER_STALE_MS = 5000;

/**
 * How often a process writes the changes it buffered (and looks whether recording is on): what
 * another process's monitor shows lags by at most about this (a process's own reads never lag).
 */
export const RECORDS_FLUSH_MS = 250;

/** Changes kept while the file stays locked; beyond this the oldest go (the jobs come first). */
const MAX_BUFFERED_EVENTS = 200_000;

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

/** Every store open in this process (a process may open one file more than once). */
const openRecords = new Set<SqliteRecords>();

export class SqliteRecords {
  readonly #db: Database;
  readonly #s;
  readonly #write;
  /** Changes of the store transaction under way: kept only if it commits. */
  #pending: RecordEvent[] = [];
  /** Committed changes not yet written. */
  #buffered: RecordEvent[] = [];
  readonly #timer: NodeJS.Timeout;

  constructor(db: Database) {
    this.#db = db;
    this.#s = {
      window: db.prepare(`SELECT value FROM meta WHERE key = 'monitor_window_ms'`).pluck(),
      setWindow: db.prepare(
        `INSERT INTO meta (key, value) VALUES ('monitor_window_ms', ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      ),
      // Positional: binding 14 named values per row costs more than the row's own insert.
      insertJob: db.prepare(
        `INSERT INTO monitor_jobs (id, callback, page, user, state, outcome, attempts, worker, error_message,
                                   error_stack, queued_at, started_at, finished_at, transitions)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO NOTHING`,
      ),
      job: db.prepare('SELECT * FROM monitor_jobs WHERE id = ?'),
      updateJob: db.prepare(
        `UPDATE monitor_jobs SET state = @state, outcome = @outcome, attempts = @attempts, worker = @worker,
           error_message = @error_message, error_stack = @error_stack, started_at = @started_at,
           finished_at = @finished_at, transitions = @transitions
         WHERE id = @id`,
      ),
      count: db.prepare(
        `INSERT INTO monitor_totals (callback, outcome, n) VALUES (?, ?, ?)
         ON CONFLICT DO UPDATE SET n = n + excluded.n`,
      ),
      observe: db.prepare(
        `INSERT INTO monitor_durations (callback, metric, bucket, n, sum_ms) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT DO UPDATE SET n = n + excluded.n, sum_ms = sum_ms + excluded.sum_ms`,
      ),
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
    this.#write = db.transaction((events: RecordEvent[]) => this.#writeBatch(events));
    this.#timer = setInterval(() => this.#flushQuietly(), RECORDS_FLUSH_MS);
    this.#timer.unref();
    openRecords.add(this);
  }

  /** Turns recording on for every process using this file, and sets the window. */
  enable(windowMs: number): void {
    this.#s.setWindow.run(Math.round(windowMs));
  }

  /** Whether some process turned recording on for this file. */
  isEnabled(): boolean {
    return this.#windowMs() !== undefined;
  }

  #windowMs(): number | undefined {
    const value = this.#s.window.get() as number | undefined;
    return value === undefined ? undefined : Number(value);
  }

  /**
   * A change the store makes in its current transaction (see commit and discard). Taken whether
   * or not recording is on (another process may have just turned it on): a flush drops the
   * batch if it is off, and only then would anything be parsed.
   */
  record(event: RecordEvent): void {
    this.#pending.push(event);
  }

  /** The store's transaction committed: its changes are to be written. */
  commit(): void {
    if (this.#pending.length === 0) return;
    for (const event of this.#pending) this.#buffered.push(event);
    this.#pending = [];
    if (this.#buffered.length > MAX_BUFFERED_EVENTS) {
      this.#buffered.splice(0, this.#buffered.length - MAX_BUFFERED_EVENTS);
    }
  }

  /** The store's transaction rolled back: its changes never happened. */
  discard(): void {
    this.#pending = [];
  }

  /** Which worker runs a job; called inside the pool's write transaction. */
  assign(jobId: string, workerId: string): void {
    this.record({ kind: 'worker', id: jobId, worker: workerId });
  }

  /** Writes the buffered changes in one transaction (on a timer, before a read, and at close). */
  flush(): void {
    if (this.#buffered.length === 0 || !this.#db.open) return;
    const events = this.#buffered;
    this.#buffered = [];
    try {
      if (this.isEnabled()) this.#write.immediate(events);
    } catch (error) {
      this.#buffered = events.concat(this.#buffered);
      throw error;
    }
  }

  /** The monitor's bookkeeping never disturbs the jobs: a locked file keeps the changes for next time. */
  #flushQuietly(): void {
    try {
      this.flush();
    } catch {
      // Locked past the busy timeout: the changes stay buffered for the next flush.
    }
  }

  /** Stops the timer and writes what is left (the store closes next). */
  close(): void {
    clearInterval(this.#timer);
    openRecords.delete(this);
    // Closing anyway: a file locked for the whole busy timeout loses these last changes.
    this.#flushQuietly();
  }

  #writeBatch(events: RecordEvent[]): void {
    const s = this.#s;
    const counts = new Map<string, [string, RecordedOutcome, number]>();
    const durations = new Map<string, [string, DurationMetric, number, number, number]>();
    const observe = (callback: string, metric: DurationMetric, ms: number) => {
      const bucket = bucketOf(ms);
      const key = `${metric} ${bucket} ${callback}`;
      const entry = durations.get(key);
      if (entry) {
        entry[3] += 1;
        entry[4] += ms;
      } else durations.set(key, [callback, metric, bucket, 1, ms]);
    };
    for (const draft of draftsOf(events).values()) {
      const row = rowOf(draft);
      const inserted =
        row !== undefined &&
        s.insertJob.run(
          row.id,
          row.callback,
          row.page,
          row.user,
          row.state,
          row.outcome,
          row.attempts,
          row.worker,
          row.error_message,
          row.error_stack,
          row.queued_at,
          row.started_at,
          row.finished_at,
          row.transitions,
        ).changes > 0;
      if (!inserted) {
        // Another batch (perhaps another process's) wrote this job's record first: merge.
        const stored = s.job.get(draft.id) as JobRow | undefined;
        if (stored) s.updateJob.run(mergeRow(stored, draft));
      }
      if (!draft.identity) continue;
      const callback = draft.identity.callback;
      if (draft.waitMs !== undefined) observe(callback, 'wait', draft.waitMs);
      if (!draft.end) continue;
      const key = `${draft.end.outcome} ${callback}`;
      const entry = counts.get(key);
      if (entry) entry[2] += 1;
      else counts.set(key, [callback, draft.end.outcome, 1]);
      if (draft.end.runMs !== undefined) observe(callback, 'run', draft.end.runMs);
    }
    for (const entry of counts.values()) s.count.run(...entry);
    for (const entry of durations.values()) s.observe.run(...entry);
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

  /** Every record: this process's buffered changes are written first, so its own reads never lag. */
  read(now: number): RecordsSnapshot {
    for (const records of openRecords) if (records !== this) records.#flushQuietly();
    this.flush();
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
  if (row.user !== null) record.user = row.user;
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
