/**
 * The Manager contract: all the orchestrator needs from a background backend. SqliteManager and
 * BullMQManager implement it, and so can a third party. One conformance suite
 * (test/conformance) holds every implementation to it.
 *
 * Jobs are namespaced by an opaque random id that the orchestrator chooses, so no two
 * invocations ever share progress, side updates or results.
 */
import type { Logger } from '../base/log.ts';
import type { ContextSource } from '../callbacks/context.ts';
import type { CancelReason, JobRecords } from './records.ts';

/** How a job ended (after its last try). */
export type JobOutcome =
  /** The function returned; `value` is JSON (components already serialised). */
  | { kind: 'result'; value: unknown }
  /** The function threw PreventUpdate. */
  | { kind: 'prevent-update' }
  /**
   * The function threw; message and stack of its error. `retryable: false` when it threw a
   * NonRetryableError (no further try, whatever `retry` says).
   */
  | { kind: 'error'; message: string; stack?: string; retryable?: false }
  /** The job could not finish: its worker died or could not start. */
  | { kind: 'lost'; message: string }
  /** A try ran past its time limit and was stopped like a cancel; `seconds` is the limit. */
  | { kind: 'timed-out'; message: string; seconds: number };

/** The callback context of the request that started a job, as JSON. */
export type JobContextSnapshot = ContextSource & {
  /** The trace of the request that started the job, when one is recorded (tracing.ts). */
  trace?: JobTraceContext;
};

/** A W3C trace context carried inside a job, across processes and stores (tracing.ts). */
export interface JobTraceContext {
  /** `00-<trace id>-<parent span id>-<flags>`. */
  traceparent: string;
  /** When the job was submitted (ms since the epoch): the queue span starts there. */
  queuedAt: number;
}

/** Who started a job: what oldJob / cancelJob requests are checked against. */
export interface JobOwner {
  /** The page load (`end_id`) that started the job. */
  endId: string;
  callbackId: string;
  /** The concrete outputs (MATCH ids resolved): supersede is per output set. */
  outputsKey: string;
  /**
   * Who started the job (`new Dash({ identify })`, else the anonymous session), when known: fair
   * turns, per-user limits and reattach go by it (api.md, "Users, and jobs that outlive their page").
   */
  user?: string;
}

/**
 * How a job is run: the callback's production options (api.md, "Running background jobs in
 * production"), as every manager takes them. See ./job-options/ for their meaning in one place.
 */
export interface JobPolicy {
  /** Seconds one try may run (from its start, not from the queue); undefined: no limit. */
  timeoutSeconds?: number;
  retry: {
    /** Total tries, counting the first (1: never retried). */
    attempts: number;
    /** Seconds before the second try; doubling for each later one. */
    backoffSeconds: number;
    /** Also retry a try whose worker died (else such a job ends `lost`). */
    onLost: boolean;
  };
  /**
   * Higher starts first among waiting jobs; equal priorities take turns across users (owner.user),
   * else page loads (owner.endId): job-options/fairness.ts.
   */
  priority: number;
  /** Report `queue` (place in line, ETA) in updates while the job waits for a worker. */
  reportQueue: boolean;
  /**
   * At most this many jobs of the job's function run at once per user (`owner.user`; per page
   * load, `owner.endId`, for a job without one); more wait in line, skipped by the start order
   * until one of that user's jobs lets go of its worker (job-options/user-lines.ts). Absent: no
   * such limit.
   */
  maxConcurrentPerUser?: number;
  /**
   * whenPageLeaves 'cancel' (job-options/page-leave.ts): the job, queued or running, is cancelled
   * with the reason 'page-left' once its page load (owner.endId) has not been seen (submit,
   * pageSeen) for this many ms. Absent: 'finish', the job runs to its end whoever watches it.
   */
  pageLeftAfterMs?: number;
}

export interface JobSubmission {
  /** Opaque, random, URL-safe; chosen by the orchestrator. */
  id: string;
  /** The registrar key of the job function. */
  functionKey: string;
  /** The function's arguments, JSON. */
  args: unknown[];
  context: JobContextSnapshot;
  owner: JobOwner;
  /** Keep a successful result under this cache key (cacheBy), for `expireSeconds` if given. */
  cache?: { key: string; expireSeconds?: number };
  /** Time limit, retries, priority, queue reporting; absent: DEFAULT_POLICY (job-options/policy.ts). */
  policy?: JobPolicy;
  /**
   * A kept job (`reattach`, the jobs API): reading its outcome does not delete it, what its reads
   * delivered is kept as its view (Manager.rejoin), and it stays for `seconds` after it ends.
   * With `findable` and an `owner.user`, Manager.findKept finds it (a reattach job; an API job is
   * not found by pages). Absent: read-once, as Dash.
   */
  keep?: { seconds: number; findable?: boolean };
}

/** Which kept jobs a page load may rejoin: the user's, of one callback and concrete outputs. */
export interface KeptJobQuery {
  user: string;
  callbackId: string;
  outputsKey: string;
}

/** 'queued' covers a job waiting for a worker and one waiting out its retry backoff. */
export type JobState = 'queued' | 'running' | 'finished' | 'cancelled' | 'unknown';

/** Where a waiting job stands in line. */
export interface QueuePlace {
  /** 1-based: the next job to start sees 1. Counts the waiting jobs ahead of it in start order. */
  position: number;
  /** From recent run times of the same callback; absent until there are some. */
  etaSeconds?: number;
}

/** How loaded the store is, for backgroundLimits (../limits.ts). */
export interface JobLoad {
  /** Jobs of the given page load (owner.endId) that are queued or running (retries included). */
  pageUnfinished: number;
  /** Jobs of the given user (owner.user) that are queued or running, from any page; 0 when no user was given. */
  userUnfinished: number;
  /** Jobs in the whole store waiting for a worker. */
  queued: number;
}

/** One of a page load's unfinished jobs (Manager.pageJobs). */
export interface PageJob {
  id: string;
  owner: JobOwner;
}

/** What is new for a job since the last read. Reading removes it (read-once delivery). */
export interface JobUpdate {
  state: JobState;
  /** Progress values since the last read, oldest first; each holds one value per progress output. */
  progress: unknown[][];
  /** setProps calls since the last read, oldest first. */
  sideUpdates: { id: string; props: Record<string, unknown> }[];
  /** Present once the job has finished (state 'finished'). */
  outcome?: JobOutcome;
  /**
   * A try began since the last read: its number (1 for the first). When it is above 1, progress
   * of earlier tries not yet read has been dropped, so `progress` holds only this try's values
   * (the page goes back to progressDefault unless there are some).
   */
  began?: number;
  /** While waiting for a worker (not in a retry backoff), when the policy asks for it (reportQueue). */
  queue?: QueuePlace;
}

/** Told that a job may have news (Manager.subscribe); read it with takeUpdate. */
export type OnNews = () => void;
/** Ends a subscription; calling it again does nothing. */
export type Unsubscribe = () => void;

/** What a manager is told when it is first used. */
export interface ManagerEnvironment {
  /** The app module workers import to fill their registrar; undefined where unknown. */
  appModule: string | undefined;
  logger: Logger;
  /** `new Dash({ name })`, when given: a manager may derive defaults from it (BullMQ's queue name). */
  appName?: string;
  /**
   * The registrar keys of the app's background job functions, which its workers must define too.
   * A manager whose workers lack one ends that function's jobs as errors instead of queueing them
   * forever (absent: the manager cannot tell, and does not check).
   */
  jobFunctionKeys?: () => readonly string[];
}

/** What a remote worker is started with: what `dash-ts worker` knows (Manager.startRemoteWorker). */
export interface RemoteWorkerEnvironment {
  /** The app module the worker's job processes import (absolute path). */
  appModule: string;
  logger: Logger;
  /** Overrides the manager's own concurrency (`dash-ts worker --concurrency N`). */
  concurrency?: number;
  /** `new Dash({ name })`: a manager may derive defaults from it, as on the server (start()). */
  appName?: string;
}

/** A running remote worker: `close()` stops it gracefully (its jobs finish or go back to the queue). */
export interface RunningWorker {
  readonly id: string;
  close(): Promise<void>;
}

export interface Manager {
  /** A short name for logs, e.g. 'sqlite' or 'bullmq'. */
  readonly kind: string;
  /** Dash's cache_by: turns on result caching; each function's value joins the cache key. */
  readonly cacheBy?: readonly (() => unknown)[];
  /** Seconds a cached result lives (counted from its last read, as in Dash). */
  readonly expire?: number;
  /**
   * Prepares the manager for serving (opens stores, starts warm workers). Idempotent; every
   * other method may be called only after it resolved. In a worker process it is never called.
   */
  start(environment: ManagerEnvironment): Promise<void>;
  /**
   * Queues a job. Resolves once the job is durably queued. A job whose policy has
   * `pageLeftAfterMs` counts its page load as seen now.
   */
  submit(job: JobSubmission): Promise<void>;
  /**
   * The page load polled just now (it is still open): its jobs with `pageLeftAfterMs` count their
   * silence from now. Recorded in the store every server process shares, within a second (marks
   * may be batched); a job whose page load stays unseen for its `pageLeftAfterMs` is cancelled
   * (reason 'page-left') by the manager's housekeeping, within about a second more.
   */
  pageSeen(endId: string): void;
  /**
   * Returns and removes the job's news. If there is none yet, waits up to `waitMs` for some.
   * Once a finished job's outcome has been returned, the job is deleted: a second read says
   * 'unknown'. A kept job (JobSubmission.keep) is not: every read of it answers its outcome, and
   * what a read returns is folded into its view (rejoin).
   */
  takeUpdate(jobId: string, waitMs: number): Promise<JobUpdate>;
  /**
   * Calls `onNews` whenever the job may have news for takeUpdate (progress, side updates, its
   * end), whichever worker or server process wrote it, until the returned function is called;
   * takeUpdate waits through the same wake-ups. A wake-up, not the news: read it with
   * takeUpdate. Several changes may come as one call, and a call may come with nothing new
   * (after a reconnect, or when another process wrote to a shared store). A job not known (yet)
   * may be subscribed to. `onNews` runs synchronously and must not throw (a throw is logged).
   */
  subscribe(jobId: string, onNews: OnNews): Unsubscribe;
  /**
   * The newest kept job (JobSubmission.keep) of `query.user` for that callback and outputs that is
   * queued, running, or finished less than its keep seconds ago (a cancelled one is not); undefined
   * when there is none. Whichever server process or worker queued or ran it.
   */
  findKept(query: KeptJobQuery): Promise<string | undefined>;
  /**
   * A page load (`endId`) takes a kept job over: the job's owner.endId becomes `endId` (its
   * cancels, supersede and limits go by that page now), and the answer is everything the job
   * showed so far, as one update: its state, the latest progress of its current try, every
   * setProps call merged per prop (Patches kept in order after the value they apply to, see
   * job-view.ts), its queue place, and its outcome once finished. Unread news is folded in and
   * consumed, so the page's later takeUpdate calls continue from there. Undefined for a job that
   * is not kept, unknown, cancelled, or past its keep.
   */
  rejoin(jobId: string, endId: string): Promise<JobUpdate | undefined>;
  /** The owner recorded at submit; undefined for an unknown (or already delivered) job. */
  owner(jobId: string): Promise<JobOwner | undefined>;
  /**
   * Cancels a job: aborts its signal, hard-stops it after a short grace period if it keeps
   * running, and makes sure nothing it does afterwards is stored. Unknown ids are ignored.
   * `reason` (default 'cancel') is what the jobs monitor records: 'supersede' when a newer call
   * of the same outputs replaces the job.
   */
  cancel(jobId: string, reason?: CancelReason): Promise<void>;
  /**
   * The page load's unfinished jobs, the user's (when `user` is given: backgroundLimits.perUser)
   * and the store's queued jobs, counted now.
   */
  load(endId: string, user?: string): Promise<JobLoad>;
  /**
   * The page load's unfinished (queued or running) jobs, whichever server process queued them: a
   * cancel or a newer call that reaches a server before the browser knows a job's id stops them.
   */
  pageJobs(endId: string): Promise<PageJob[]>;
  /**
   * Records, where every server process using the store sees it, that the page load's starts
   * under `key` which reached a server before `at` (ms since the epoch) are to be stopped: a
   * cancel, or a newer call, that reached one server while another was still queueing an older
   * start (../start-stops.ts). Kept at least START_STOP_KEEP_MS; a record with an earlier `at`
   * never lowers a later one.
   */
  stopStartsBefore(endId: string, key: string, at: number): Promise<void>;
  /** The latest `at` recorded by stopStartsBefore for each of the page load's `keys` (0: none). */
  startStops(endId: string, keys: readonly string[]): Promise<number[]>;
  /** A cached outcome (cacheBy); refreshes its expiry as Dash does. */
  cachedOutcome(cacheKey: string, expireSeconds?: number): Promise<JobOutcome | undefined>;
  /**
   * The jobs monitor's records in this manager's store (see records.ts), shared by every
   * process using the store. Optional: a manager without it is left out of the monitor.
   * Only after start() resolved.
   */
  jobRecords?(): JobRecords;
  /** A secret shared by every server process using this manager's store (created once). */
  sharedSecret(): Promise<Buffer>;
  /**
   * Runs this manager's jobs in this process, as `dash-ts worker` does: for a manager whose jobs
   * run on worker machines apart from its servers (BullMQManager). Resolves once the worker takes
   * jobs; start() is not needed first. Absent on a manager that runs its own workers
   * (SqliteManager's pool, inside the server): `dash-ts worker` then refuses the app, naming it.
   */
  startRemoteWorker?(environment: RemoteWorkerEnvironment): Promise<RunningWorker>;
  /** Stops workers and closes connections. */
  close(): Promise<void>;
}
