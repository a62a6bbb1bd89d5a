/**
 * What the jobs monitor records, in every manager's own store: one record per job (its callback,
 * page load, user, transitions, outcome, attempts, worker, error), the workers, and running totals for
 * Prometheus. A manager offers them through `Manager.jobRecords()`; this file is the vocabulary
 * both stores share. Records never hold a job's arguments or result.
 */

/** How a job ended, as the monitor counts it. */
export type RecordedOutcome = 'succeeded' | 'failed' | 'lost' | 'cancelled' | 'timed-out' | 'superseded';

export const RECORDED_OUTCOMES: readonly RecordedOutcome[] = [
  'succeeded',
  'failed',
  'lost',
  'cancelled',
  'timed-out',
  'superseded',
];

/** A job's outcome kind (JobOutcome.kind) as the monitor counts it; unknown kinds count as failed. */
export const OUTCOME_OF_KIND: Readonly<Record<string, RecordedOutcome>> = {
  result: 'succeeded',
  'prevent-update': 'succeeded',
  error: 'failed',
  lost: 'lost',
  timeout: 'timed-out',
  'timed-out': 'timed-out',
};

/**
 * Why a job was cancelled: a cancel input (or the monitor's button), a newer call of the same
 * outputs, or its page stopped polling (whenPageLeaves 'cancel'; the monitor counts it as cancelled).
 */
export type CancelReason = 'cancel' | 'supersede' | 'page-left';

export type RecordedState = 'queued' | 'running' | 'finished';

export interface JobRecord {
  id: string;
  callbackId: string;
  /** The page load that started the job, as the store keeps it; the monitor shows only a digest. */
  page: string;
  /**
   * Who started the job (JobOwner.user), when known. Shown on the monitor's page and in its
   * `/api/jobs`, never a metrics label: users are unbounded, Prometheus series must not be.
   */
  user?: string;
  state: RecordedState;
  outcome?: RecordedOutcome;
  /** Tries so far (1 once it started). */
  attempts: number;
  /** The worker that ran (or runs) the latest try, when known. */
  worker?: string;
  error?: { message: string; stack?: string };
  queuedAt: number;
  startedAt?: number;
  finishedAt?: number;
  /** Every state change with its time (ms since the epoch), oldest first. */
  transitions: { state: RecordedState; at: number }[];
}

export type WorkerStatus = 'alive' | 'stopped' | 'presumed-dead';

export interface WorkerRecord {
  id: string;
  host: string;
  pid: number;
  /**
   * 'pool' for an SqliteManager worker process, 'worker' for `dash-ts worker`, 'in-process' for a
   * server process running an InProcessManager's jobs itself.
   */
  kind: 'pool' | 'worker' | 'in-process';
  lastHeartbeat: number;
  status: WorkerStatus;
  /** How it ended, when known (e.g. "was killed by SIGKILL"). */
  exit?: string;
}

/** Upper bounds (seconds) of the run- and wait-time histogram buckets; the last bucket is +Inf. */
export const DURATION_BUCKETS_SECONDS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600,
] as const;

/** The bucket a duration (ms) falls in: the first bound at or above it, else the +Inf bucket. */
export function bucketOf(durationMs: number): number {
  const index = DURATION_BUCKETS_SECONDS.findIndex((bound) => durationMs <= bound * 1000);
  return index === -1 ? DURATION_BUCKETS_SECONDS.length : index;
}

export type DurationMetric = 'run' | 'wait';

/** Running totals since recording began in the store (they never shrink: Prometheus counters). */
export interface RecordTotals {
  finished: { callbackId: string; outcome: RecordedOutcome; count: number }[];
  /** Per callback and metric: the count in each bucket (not cumulative), and the sum in ms. */
  durations: { callbackId: string; metric: DurationMetric; buckets: number[]; sumMs: number }[];
}

/** One stored duration count: a bucket's count, or (bucket 'sum') milliseconds to add to the sum. */
export interface DurationRow {
  callbackId: string;
  metric: DurationMetric;
  bucket: number | 'sum';
  value: number;
}

/** Gathers stored duration rows into histograms, one per callback and metric. */
export function collectDurations(rows: Iterable<DurationRow>): RecordTotals['durations'] {
  const durations = new Map<string, RecordTotals['durations'][number]>();
  for (const row of rows) {
    const key = `${row.metric} ${row.callbackId}`;
    let entry = durations.get(key);
    if (!entry) {
      const buckets = new Array<number>(DURATION_BUCKETS_SECONDS.length + 1).fill(0);
      entry = { callbackId: row.callbackId, metric: row.metric, buckets, sumMs: 0 };
      durations.set(key, entry);
    }
    if (row.bucket === 'sum') entry.sumMs += row.value;
    else entry.buckets[row.bucket]! += row.value;
  }
  return [...durations.values()];
}

export interface RecordsSnapshot {
  /** When it was read (ms since the epoch, the store's clock where it has one). */
  now: number;
  windowMs: number;
  /** Every job queued within the window, or still unfinished. */
  jobs: JobRecord[];
  workers: WorkerRecord[];
  totals: RecordTotals;
}

/** The monitor's access to a manager's store. Every process using the store sees the same data. */
export interface JobRecords {
  /**
   * Turns recording on for the whole store (every server process and worker using it), keeping
   * job records for `windowMs`. Idempotent.
   */
  enable(windowMs: number): Promise<void>;
  read(): Promise<RecordsSnapshot>;
}

export const DEFAULT_WINDOW_MS = 60 * 60 * 1000;
