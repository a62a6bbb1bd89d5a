/**
 * What the monitor shows, computed from the managers' record snapshots: per callback the counts
 * of the window by outcome, queue depth, run- and wait-time percentiles; the workers with their
 * running jobs; the latest failures; the jobs that can be cancelled. The page, the JSON API and
 * the gauges all read this one view. It holds ids, callback names, users, timings, outcomes and
 * error messages only: never a job's arguments or result. A job's user is shown (the page, the
 * JSON API) but is no metrics label (metrics.ts): one series per user would have no bound.
 */
import { createHash } from 'node:crypto';
import type {
  JobRecord,
  RecordedOutcome,
  RecordsSnapshot,
  WorkerRecord,
  WorkerStatus,
} from '../../background/records.ts';
import { RECORDED_OUTCOMES } from '../../background/records.ts';

export interface Percentiles {
  p50: number;
  p95: number;
}

export interface CallbackView {
  callbackId: string;
  queued: number;
  running: number;
  /** Finished within the window, by outcome. */
  finished: Record<RecordedOutcome, number>;
  /** Seconds, over the jobs of the window that ran (null: none did). */
  runSeconds: Percentiles | null;
  waitSeconds: Percentiles | null;
}

export interface JobView {
  id: string;
  callbackId: string;
  /** A digest of the page load that started it (the same page load, the same digest). */
  page: string;
  /** Who started it (`identify`, else the anonymous session's id), when known. */
  user?: string;
  state: JobRecord['state'];
  outcome?: RecordedOutcome;
  attempts: number;
  worker?: string;
  queuedAt: string;
  startedAt?: string;
  finishedAt?: string;
  transitions: { state: JobRecord['state']; at: string }[];
}

export interface FailureView extends JobView {
  message: string;
  stack?: string;
}

export interface WorkerView {
  id: string;
  host: string;
  pid: number;
  kind: WorkerRecord['kind'];
  status: WorkerStatus;
  lastHeartbeat: string;
  exit?: string;
  /** Ids of the jobs it runs now. */
  runningJobs: string[];
}

export interface MonitorView {
  generatedAt: string;
  windowSeconds: number;
  totals: { queued: number; running: number; finished: Record<RecordedOutcome, number> };
  callbacks: CallbackView[];
  workers: WorkerView[];
  /** Queued and running jobs, oldest first: what the cancel buttons act on. */
  active: JobView[];
  /** The latest failed, lost and timed-out jobs, newest first. */
  failures: FailureView[];
  /** Every job of the window, newest first (at most `MAX_JOBS`). */
  jobs: JobView[];
}

const MAX_FAILURES = 20;
const MAX_JOBS = 500;
const FAILED: ReadonlySet<RecordedOutcome> = new Set(['failed', 'lost', 'timed-out']);

export function buildView(snapshots: RecordsSnapshot[], now = Date.now()): MonitorView {
  const records = snapshots.flatMap((s) => s.jobs);
  const windowMs = Math.max(0, ...snapshots.map((s) => s.windowMs));
  const inWindow = records.filter(
    (r) => r.state !== 'finished' || (r.finishedAt ?? r.queuedAt) >= now - windowMs,
  );
  const callbackIds = [...new Set(inWindow.map((r) => r.callbackId))].sort();
  const callbacks = callbackIds.map((id) =>
    callbackView(
      id,
      inWindow.filter((r) => r.callbackId === id),
    ),
  );
  const active = inWindow
    .filter((r) => r.state !== 'finished')
    .sort((a, b) => a.queuedAt - b.queuedAt)
    .map(jobView);
  const newestFirst = [...inWindow].sort((a, b) => latest(b) - latest(a));
  const failures = newestFirst
    .filter((r) => r.outcome !== undefined && FAILED.has(r.outcome))
    .slice(0, MAX_FAILURES)
    .map(
      (r): FailureView => ({
        ...jobView(r),
        message: r.error?.message ?? r.outcome ?? '',
        ...(r.error?.stack ? { stack: r.error.stack } : {}),
      }),
    );
  return {
    generatedAt: new Date(now).toISOString(),
    windowSeconds: Math.round(windowMs / 1000),
    totals: {
      queued: callbacks.reduce((n, c) => n + c.queued, 0),
      running: callbacks.reduce((n, c) => n + c.running, 0),
      finished: countOutcomes(inWindow),
    },
    callbacks,
    workers: snapshots.flatMap((s) => s.workers).map((w) => workerView(w, inWindow)),
    active,
    failures,
    jobs: newestFirst.slice(0, MAX_JOBS).map(jobView),
  };
}

function callbackView(callbackId: string, records: JobRecord[]): CallbackView {
  const ran = records.filter((r) => r.startedAt !== undefined);
  const runs = ran.filter((r) => r.finishedAt !== undefined).map((r) => r.finishedAt! - r.startedAt!);
  const waits = ran.map((r) => r.startedAt! - r.queuedAt);
  return {
    callbackId,
    queued: records.filter((r) => r.state === 'queued').length,
    running: records.filter((r) => r.state === 'running').length,
    finished: countOutcomes(records),
    runSeconds: percentiles(runs),
    waitSeconds: percentiles(waits),
  };
}

function countOutcomes(records: JobRecord[]): Record<RecordedOutcome, number> {
  const counts = Object.fromEntries(RECORDED_OUTCOMES.map((o) => [o, 0])) as Record<RecordedOutcome, number>;
  for (const r of records) if (r.outcome) counts[r.outcome]++;
  return counts;
}

/** Nearest-rank percentiles, in seconds, of durations in ms. */
export function percentiles(durationsMs: number[]): Percentiles | null {
  if (durationsMs.length === 0) return null;
  const sorted = [...durationsMs].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]! / 1000;
  return { p50: rank(50), p95: rank(95) };
}

function latest(r: JobRecord): number {
  return r.finishedAt ?? r.startedAt ?? r.queuedAt;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** A page load's digest: enough to group jobs by page, useless as a handle. */
export function pageDigest(page: string): string {
  return createHash('sha256').update(page).digest('base64url').slice(0, 10);
}

function jobView(r: JobRecord): JobView {
  const view: JobView = {
    id: r.id,
    callbackId: r.callbackId,
    page: pageDigest(r.page),
    state: r.state,
    attempts: r.attempts,
    queuedAt: iso(r.queuedAt),
    transitions: r.transitions.map((t) => ({ state: t.state, at: iso(t.at) })),
  };
  if (r.user !== undefined) view.user = r.user;
  if (r.outcome) view.outcome = r.outcome;
  if (r.worker) view.worker = r.worker;
  if (r.startedAt !== undefined) view.startedAt = iso(r.startedAt);
  if (r.finishedAt !== undefined) view.finishedAt = iso(r.finishedAt);
  return view;
}

function workerView(w: WorkerRecord, records: JobRecord[]): WorkerView {
  const view: WorkerView = {
    id: w.id,
    host: w.host,
    pid: w.pid,
    kind: w.kind,
    status: w.status,
    lastHeartbeat: iso(w.lastHeartbeat),
    runningJobs: records.filter((r) => r.state === 'running' && r.worker === w.id).map((r) => r.id),
  };
  if (w.exit) view.exit = w.exit;
  return view;
}
