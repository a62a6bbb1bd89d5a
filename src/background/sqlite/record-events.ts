/**
 * What SqliteManager's store tells the jobs monitor as jobs change state, and how those changes
 * fold into the one `monitor_jobs` row per job. Each process buffers its changes and writes them
 * in batches (records.ts), so the changes of one job may reach the file in several batches,
 * from several processes, not always in the order they happened: a job queued by one server may
 * be claimed and finished by another server's pool whose batch is written first. Every change
 * therefore carries what its row needs to exist (callback, page load, queue time), and merging is
 * order-independent: the queue transition goes first, the end last, the rest by time. A change
 * keeps what the store had at hand (the owner and outcome as JSON text): it is parsed only when
 * written, and never while the monitor is off (the batch is then dropped).
 */
import { OUTCOME_OF_KIND, type RecordedOutcome, type RecordedState } from '../records.ts';

/** Who the job is: enough to create its record from any of its changes. */
export interface JobIdentity {
  id: string;
  /** Its JobOwner, or the JSON of it as the store keeps it. */
  owner: OwnerOf | string;
  /** When it was queued (`jobs.created_at`). */
  queuedAt: number;
}

/** The part of a JobOwner the records keep. */
interface OwnerOf {
  callbackId: string;
  endId: string;
  user?: string;
}

/** A job's end: its JobOutcome, or the JSON of it; or how a cancel ended it. */
export type JobEnd =
  | { outcome: { kind?: unknown; message?: unknown; stack?: unknown } | string }
  | { cancelled: 'cancelled' | 'superseded' };

export type RecordEvent =
  | ({ kind: 'queued' } & JobIdentity)
  /** A try started (claimed from the queue): `attempts` counts it. */
  | ({ kind: 'started'; attempts: number; at: number } & JobIdentity)
  /** Back in the queue (a retry). */
  | ({ kind: 'requeued'; at: number } & JobIdentity)
  | ({
      kind: 'finished';
      at: number;
      end: JobEnd;
      /** Attempts when it ended; undefined for a cancel, which leaves them as they were. */
      attempts?: number;
      /** The try's start, when it had one. */
      startedAt: number | null;
      /** Whether a try was running when it ended (its run time counts). */
      wasRunning: boolean;
    } & JobIdentity)
  /** Which worker process runs the latest try. */
  | { kind: 'worker'; id: string; worker: string };

/** A `monitor_jobs` row (a type, not an interface: it binds as the named parameters of an UPDATE). */
export type JobRow = {
  id: string;
  callback: string;
  page: string;
  user: string | null;
  state: RecordedState;
  outcome: RecordedOutcome | null;
  attempts: number;
  worker: string | null;
  error_message: string | null;
  error_stack: string | null;
  queued_at: number;
  started_at: number | null;
  finished_at: number | null;
  /** JSON: [state, at][] */
  transitions: string;
};

type Transition = [RecordedState, number];

/** How a job ended, as recorded. */
export interface DraftEnd {
  at: number;
  outcome: RecordedOutcome;
  error?: FinishedError;
  startedAt: number | null;
  /** Its last try's run time, when a try was running (the run-time histogram counts it). */
  runMs?: number;
}

/** One job's changes from one batch, folded. */
export interface JobDraft {
  id: string;
  identity?: { callback: string; page: string; user: string | null; queuedAt: number };
  attempts: number;
  worker?: string;
  /** The latest try's start, from 'started' changes. */
  startedAt?: number;
  /** Its first try's wait, if that started in this batch (the wait-time histogram counts it). */
  waitMs?: number;
  end?: DraftEnd;
  /** Whether the batch holds the job's 'queued' change (its first transition). */
  queued: boolean;
  transitions: Transition[];
}

/** Folds a batch of changes (in the order this process made them) into one draft per job. */
export function draftsOf(events: readonly RecordEvent[]): Map<string, JobDraft> {
  const drafts = new Map<string, JobDraft>();
  for (const event of events) {
    let draft = drafts.get(event.id);
    if (!draft) {
      draft = { id: event.id, attempts: 0, queued: false, transitions: [] };
      drafts.set(event.id, draft);
    }
    if (event.kind === 'worker') {
      draft.worker = event.worker;
      continue;
    }
    if (!draft.identity) {
      const owner = typeof event.owner === 'string' ? (JSON.parse(event.owner) as OwnerOf) : event.owner;
      draft.identity = {
        callback: owner.callbackId,
        page: owner.endId,
        user: owner.user ?? null,
        queuedAt: event.queuedAt,
      };
    }
    switch (event.kind) {
      case 'queued':
        draft.queued = true;
        draft.transitions.push(['queued', event.queuedAt]);
        break;
      case 'started':
        draft.attempts = Math.max(draft.attempts, event.attempts);
        draft.startedAt = event.at;
        if (event.attempts === 1) draft.waitMs = event.at - event.queuedAt;
        draft.transitions.push(['running', event.at]);
        break;
      case 'requeued':
        draft.transitions.push(['queued', event.at]);
        break;
      case 'finished': {
        const ended: DraftEnd = { at: event.at, startedAt: event.startedAt, ...recordedEnd(event.end) };
        if (event.wasRunning && event.startedAt !== null) ended.runMs = event.at - event.startedAt;
        draft.end = ended;
        if (event.attempts !== undefined) draft.attempts = Math.max(draft.attempts, event.attempts);
        draft.transitions.push(['finished', event.at]);
        break;
      }
    }
  }
  return drafts;
}

/** A new record from a draft; undefined if the draft only names a worker (its record exists already). */
export function rowOf(draft: JobDraft): JobRow | undefined {
  if (!draft.identity) return undefined;
  const end = draft.end;
  // The transitions of one process's batch are in the order it made them, its queueing first.
  const transitions = draft.queued ? draft.transitions : ordered([], draft);
  return {
    id: draft.id,
    callback: draft.identity.callback,
    page: draft.identity.page,
    user: draft.identity.user,
    state: end ? 'finished' : (transitions.at(-1)?.[0] ?? 'queued'),
    outcome: end?.outcome ?? null,
    attempts: draft.attempts,
    worker: draft.worker ?? null,
    error_message: end?.error?.message ?? null,
    error_stack: end?.error?.stack ?? null,
    queued_at: draft.identity.queuedAt,
    started_at: draft.startedAt ?? end?.startedAt ?? null,
    finished_at: end?.at ?? null,
    transitions: JSON.stringify(transitions),
  };
}

/** The record with a later batch's changes of the same job merged in. */
export function mergeRow(row: JobRow, draft: JobDraft): JobRow {
  const stored = JSON.parse(row.transitions) as Transition[];
  const transitions = ordered(stored, draft);
  const end = draft.end;
  const merged: JobRow = {
    ...row,
    attempts: Math.max(row.attempts, draft.attempts),
    worker: draft.worker ?? row.worker,
    transitions: JSON.stringify(transitions),
  };
  if (draft.startedAt !== undefined) merged.started_at = Math.max(row.started_at ?? 0, draft.startedAt);
  if (end) {
    merged.finished_at = end.at;
    merged.outcome = end.outcome;
    merged.started_at ??= end.startedAt;
    if (end.error) {
      merged.error_message = end.error.message;
      merged.error_stack = end.error.stack;
    }
  }
  merged.state = merged.outcome !== null ? 'finished' : (transitions.at(-1)?.[0] ?? row.state);
  return merged;
}

/**
 * Stored and new transitions in the order they happened: the job's queueing first, its end last,
 * the rest by time (stable, so one process's order holds within a millisecond).
 */
function ordered(stored: Transition[], draft: JobDraft): Transition[] {
  const rank = (transition: Transition, first: boolean) =>
    transition[0] === 'finished' ? 2 : first && transition[0] === 'queued' ? 0 : 1;
  const all = [
    ...stored.map((t, i) => ({ t, rank: rank(t, i === 0) })),
    ...draft.transitions.map((t, i) => ({ t, rank: rank(t, i === 0 && draft.queued) })),
  ];
  all.sort((a, b) => a.rank - b.rank || a.t[1] - b.t[1]);
  return all.map((entry) => entry.t);
}

type FinishedError = { message: string | null; stack: string | null };

function recordedEnd(end: JobEnd): { outcome: RecordedOutcome; error?: FinishedError } {
  if ('cancelled' in end) return { outcome: end.cancelled };
  return typeof end.outcome === 'string' ? endOf(end.outcome) : endOfOutcome(end.outcome);
}

/**
 * A job outcome (JobOutcome as JSON) as the monitor counts it, with its error for a failure.
 * A result's value can be large: its kind is read from the start of the text, which is how
 * JSON.stringify writes a JobOutcome; anything else is parsed in full.
 */
function endOf(outcomeJson: string): { outcome: RecordedOutcome; error?: FinishedError } {
  const kind = /^\{"kind":"(result|prevent-update)"/.exec(outcomeJson)?.[1];
  if (kind !== undefined) return { outcome: OUTCOME_OF_KIND[kind]! };
  return endOfOutcome(JSON.parse(outcomeJson) as { kind?: unknown; message?: unknown; stack?: unknown });
}

/** The same for an outcome object. */
function endOfOutcome(outcome: { kind?: unknown; message?: unknown; stack?: unknown }): {
  outcome: RecordedOutcome;
  error?: FinishedError;
} {
  const kind = String(outcome.kind);
  const recorded = OUTCOME_OF_KIND[kind] ?? 'failed';
  if (kind === 'result' || kind === 'prevent-update') return { outcome: recorded };
  const text = (value: unknown) => (value === undefined || value === null ? null : String(value));
  return { outcome: recorded, error: { message: text(outcome.message), stack: text(outcome.stack) } };
}
