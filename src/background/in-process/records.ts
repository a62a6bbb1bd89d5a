/**
 * InProcessManager's jobs-monitor records (the vocabulary of ../records.ts), kept in memory: its
 * jobs live only in this server process, and so do their records. Bounded in size: records
 * older than the window are dropped, and beyond MAX_RECORDS the oldest finished ones go first,
 * so a busy server (thousands of short streams) keeps a fixed amount. The running totals never
 * shrink (Prometheus counters); they grow only with the number of callbacks.
 *
 * Nothing is recorded until enable() (the monitor is on); a job submitted before that is left
 * out, as on the other stores (a record without its submit has no callback or queue time).
 */
import { hostname } from 'node:os';
import type { JobOutcome } from '../manager.ts';
import {
  bucketOf,
  type CancelReason,
  DURATION_BUCKETS_SECONDS,
  type DurationMetric,
  type JobRecord,
  type JobRecords,
  OUTCOME_OF_KIND,
  type RecordedOutcome,
  type RecordsSnapshot,
  type RecordTotals,
  type WorkerRecord,
} from '../records.ts';

/** At most this many job records are kept (unfinished ones always: they are bounded by the jobs). */
export const MAX_RECORDS = 10_000;

/** The one "worker" of an InProcessManager: the server process itself. */
const WORKER_ID = `${hostname()}:${process.pid}:in-process`;

export class MemoryRecords implements JobRecords {
  #windowMs: number | undefined;
  /** In queue order (a Map keeps insertion order): the oldest first. */
  readonly #jobs = new Map<string, JobRecord>();
  readonly #finished = new Map<string, number>();
  readonly #durations = new Map<string, RecordTotals['durations'][number]>();
  #stoppedAt: number | undefined;

  async enable(windowMs: number): Promise<void> {
    this.#windowMs = windowMs;
  }

  async read(): Promise<RecordsSnapshot> {
    const now = Date.now();
    const windowMs = this.#windowMs ?? 0;
    this.#prune(now);
    // Copies: the reader may keep them while the jobs change on (cheaper than structuredClone).
    const jobs = [...this.#jobs.values()].map((record) => {
      const copy: JobRecord = { ...record, transitions: record.transitions.map((t) => ({ ...t })) };
      if (record.error) copy.error = { ...record.error };
      return copy;
    });
    const worker: WorkerRecord = {
      id: WORKER_ID,
      host: hostname(),
      pid: process.pid,
      kind: 'in-process',
      // The server answers this read, so while it serves it is alive: no heartbeat to wait for.
      lastHeartbeat: this.#stoppedAt ?? now,
      status: this.#stoppedAt === undefined ? 'alive' : 'stopped',
    };
    const finished = [...this.#finished].map(([key, count]) => {
      const [callbackId, outcome] = key.split('\n') as [string, RecordedOutcome];
      return { callbackId, outcome, count };
    });
    const durations = [...this.#durations.values()].map((d) => ({ ...d, buckets: [...d.buckets] }));
    return { now, windowMs, jobs, workers: [worker], totals: { finished, durations } };
  }

  /** A job was submitted. */
  queued(id: string, callbackId: string, page: string, user?: string): void {
    if (this.#windowMs === undefined) return;
    const at = Date.now();
    this.#jobs.set(id, {
      id,
      callbackId,
      page,
      ...(user === undefined ? {} : { user }),
      state: 'queued',
      attempts: 0,
      queuedAt: at,
      transitions: [{ state: 'queued', at }],
    });
    if (this.#jobs.size > MAX_RECORDS) this.#prune(at);
  }

  /** A try started. */
  started(id: string, attempt: number): void {
    const record = this.#jobs.get(id);
    if (!record) return;
    const at = Date.now();
    record.state = 'running';
    record.attempts = attempt;
    record.worker = WORKER_ID;
    record.startedAt = at;
    record.transitions.push({ state: 'running', at });
    if (attempt === 1) this.#duration(record.callbackId, 'wait', at - record.queuedAt);
  }

  /** A try ended and the job waits for another (a retry). */
  requeued(id: string): void {
    const record = this.#jobs.get(id);
    if (!record) return;
    record.state = 'queued';
    record.transitions.push({ state: 'queued', at: Date.now() });
  }

  /** The job ended: its last try's outcome, or a cancel (`wasRunning`: a try was running). */
  finished(
    id: string,
    end: { outcome: JobOutcome } | { cancelled: CancelReason },
    wasRunning: boolean,
  ): void {
    const record = this.#jobs.get(id);
    if (!record) return;
    const at = Date.now();
    record.state = 'finished';
    record.finishedAt = at;
    record.transitions.push({ state: 'finished', at });
    if ('cancelled' in end) {
      record.outcome = end.cancelled === 'supersede' ? 'superseded' : 'cancelled';
    } else {
      const { outcome } = end;
      record.outcome = OUTCOME_OF_KIND[outcome.kind] ?? 'failed';
      if (outcome.kind !== 'result' && outcome.kind !== 'prevent-update') {
        record.error = { message: outcome.message };
        if (outcome.kind === 'error' && outcome.stack !== undefined) record.error.stack = outcome.stack;
      } else {
        delete record.error;
      }
    }
    const key = `${record.callbackId}\n${record.outcome}`;
    this.#finished.set(key, (this.#finished.get(key) ?? 0) + 1);
    if (wasRunning && record.startedAt !== undefined) {
      this.#duration(record.callbackId, 'run', at - record.startedAt);
    }
  }

  /** The manager (re)started: this process runs its jobs. */
  serving(): void {
    this.#stoppedAt = undefined;
  }

  /** The manager closed: its jobs are gone, and the server process no longer runs any. */
  stopped(): void {
    this.#stoppedAt = Date.now();
  }

  #duration(callbackId: string, metric: DurationMetric, ms: number): void {
    const key = `${metric} ${callbackId}`;
    let entry = this.#durations.get(key);
    if (!entry) {
      const buckets = new Array<number>(DURATION_BUCKETS_SECONDS.length + 1).fill(0);
      entry = { callbackId, metric, buckets, sumMs: 0 };
      this.#durations.set(key, entry);
    }
    entry.buckets[bucketOf(ms)]!++;
    entry.sumMs += ms;
  }

  /** Drops finished records that left the window, then the oldest finished ones beyond MAX_RECORDS. */
  #prune(now: number): void {
    const cutoff = now - (this.#windowMs ?? 0);
    let excess = this.#jobs.size - MAX_RECORDS;
    for (const [id, record] of this.#jobs) {
      // In queue order: from here on every record is in the window, and none is in excess.
      if (record.queuedAt >= cutoff && excess <= 0) break;
      if (record.state !== 'finished') continue;
      if (record.queuedAt < cutoff || excess > 0) {
        this.#jobs.delete(id);
        excess--;
      }
    }
  }
}
