/**
 * SqliteManager: the embedded default Manager. Jobs, their event logs and cached results live in
 * one SQLite file (several server processes on this machine may share it); jobs run in a
 * bounded pool of warm worker processes. See store.ts, pool.ts and ../process/.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { NewsWait } from '../job-news.ts';
import { SeenPages } from '../job-options/page-leave.ts';
import type {
  JobLoad,
  JobOutcome,
  JobOwner,
  JobSubmission,
  JobUpdate,
  KeptJobQuery,
  Manager,
  ManagerEnvironment,
  OnNews,
  PageJob,
  Unsubscribe,
} from '../manager.ts';
import { OptionChecks } from '../option-checks.ts';
import type { CancelReason, JobRecords } from '../records.ts';
import { registrar } from '../registrar.ts';
import { RetryableOnce } from '../retryable-once.ts';
// The store (SQLite), the pool (child processes) and the wake-ups are imported by start(): pool
// workers and `dash-ts worker` processes construct this manager when they import the app, and
// never start it, so they load none of that.
import type { WorkerPool } from './pool.ts';
import type { Store } from './store.ts';
import type { Wakeups } from './wakeups.ts';

export interface SqliteManagerOptions {
  /** The SQLite file; default `.dash-ts/background.db` in the working directory. */
  path?: string;
  /** Workers; default the number of CPUs. */
  workers?: number;
  /**
   * Jobs one worker runs at once; default 1. Each runs in a warm process of its own (so a hard
   * stop of one never touches another): `workers` × `concurrency` processes in all.
   */
  concurrency?: number;
  /** Dash's cache_by: turns on result caching. */
  cacheBy?: (() => unknown)[];
  /** Seconds a cached result lives, counted from its last read. */
  expire?: number;
  /** How long a cancelled job may ignore its signal before its worker is killed; default 50 ms. */
  cancelGraceMs?: number;
  /** A try running longer is stopped and ends timed out, unless its callback sets `timeout`; default no limit. */
  timeoutMs?: number;
  /** Finished jobs nobody reads are deleted after this long; default 10 minutes. */
  finishedTtlMs?: number;
  /** At close(), how long running jobs may take to finish before they end lost; default 2 s. */
  shutdownGraceMs?: number;
}

/** A SqliteManager used before `start()` resolved, or after `close()`; or misconfigured. */
export class SqliteManagerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SqliteManagerError';
  }
}

const checks = new OptionChecks('SqliteManager', SqliteManagerError);

const DEFAULT_PATH = '.dash-ts/background.db';
const DEFAULT_CANCEL_GRACE_MS = 50;
const DEFAULT_FINISHED_TTL_MS = 10 * 60 * 1000;
const DEFAULT_SHUTDOWN_GRACE_MS = 2000;
/** While some job is subscribed to (a takeUpdate waiting, too), how often to look for another process's writes. */
const CROSS_PROCESS_POLL_MS = 5;

interface Running {
  store: Store;
  pool: WorkerPool;
  wakeups: Wakeups;
  /** Page loads seen polling, written to the file in batches (whenPageLeaves 'cancel'). */
  seen: SeenPages;
}

export class SqliteManager implements Manager {
  readonly kind = 'sqlite';
  readonly cacheBy?: readonly (() => unknown)[];
  readonly expire?: number;
  readonly #path: string;
  readonly #workers: number;
  readonly #concurrency: number;
  readonly #cancelGraceMs: number;
  readonly #timeoutMs: number | undefined;
  readonly #finishedTtlMs: number;
  readonly #shutdownGraceMs: number;
  readonly #starting = new RetryableOnce<void>();
  #running: Running | undefined;
  #closed = false;
  #secret: Buffer | undefined;

  // Nothing here touches the file or starts a process: worker processes construct managers too
  // (when they import the app module) and never start them.
  constructor(options: SqliteManagerOptions = {}) {
    this.#path = options.path ?? DEFAULT_PATH;
    this.#workers = checks.positiveInteger('workers', options.workers) ?? availableParallelism();
    this.#concurrency = checks.positiveInteger('concurrency', options.concurrency) ?? 1;
    this.#cancelGraceMs =
      checks.nonNegative('cancelGraceMs', options.cancelGraceMs) ?? DEFAULT_CANCEL_GRACE_MS;
    this.#timeoutMs = checks.positive('timeoutMs', options.timeoutMs);
    this.#finishedTtlMs = checks.positive('finishedTtlMs', options.finishedTtlMs) ?? DEFAULT_FINISHED_TTL_MS;
    this.#shutdownGraceMs =
      checks.nonNegative('shutdownGraceMs', options.shutdownGraceMs) ?? DEFAULT_SHUTDOWN_GRACE_MS;
    this.expire = checks.positive('expire', options.expire);
    this.cacheBy = checks.cacheBy(options.cacheBy);
  }

  start(environment: ManagerEnvironment): Promise<void> {
    return this.#starting.run(() => this.#start(environment));
  }

  async #start({ appModule, logger, jobFunctionKeys }: ManagerEnvironment): Promise<void> {
    if (this.#closed) throw new SqliteManagerError('SqliteManager: start() after close()');
    if (appModule === undefined) {
      throw new SqliteManagerError(
        'SqliteManager: the app module is unknown, so worker processes cannot load the job functions; ' +
          'start the app with `dash-ts run <app-module>` or call app.run() from the module that defines the app',
      );
    }
    const path = resolve(this.#path);
    const [{ Store }, { WorkerPool }, { Wakeups }] = await Promise.all([
      import('./store.ts'),
      import('./pool.ts'),
      import('./wakeups.ts'),
    ]);
    const store = new Store(path);
    try {
      let lastVersion = store.dataVersion();
      const wakeups = new Wakeups(
        () => {
          const version = store.dataVersion();
          if (version === lastVersion) return false;
          lastVersion = version;
          return true;
        },
        CROSS_PROCESS_POLL_MS,
        logger,
      );
      const pool = new WorkerPool({
        store,
        appModule: resolve(appModule),
        workers: this.#workers,
        concurrency: this.#concurrency,
        cancelGraceMs: this.#cancelGraceMs,
        timeoutMs: this.#timeoutMs,
        finishedTtlMs: this.#finishedTtlMs,
        shutdownGraceMs: this.#shutdownGraceMs,
        logger,
        jobFunctionKeys,
        onNews: (jobIds) => wakeups.notify(jobIds),
      });
      const workersSettled = pool.start();
      // Usable from here on: jobs submitted while the workers start wait in the queue.
      const seen = new SeenPages((endIds) => {
        try {
          store.markPagesSeen(endIds, Date.now());
        } catch (error) {
          // A busy file: the page's next poll marks it again, well within its pageLeftAfterMs.
          logger.error('could not record that pages polled', error);
        }
      });
      this.#running = { store, pool, wakeups, seen };
      logger.info(
        `background jobs: SqliteManager with ${this.#workers} worker(s) × ${this.#concurrency} (one process per job), store ${path}`,
      );
      await workersSettled;
    } catch (error) {
      if (!this.#running) store.close();
      throw error;
    }
  }

  #use(): Running {
    if (this.#closed) throw new SqliteManagerError('SqliteManager: used after close()');
    if (!this.#running) throw new SqliteManagerError('SqliteManager: used before start()');
    return this.#running;
  }

  async submit(job: JobSubmission): Promise<void> {
    const { store, pool } = this.#use();
    if (!registrar.get(job.functionKey)) {
      // Pools claim only functions their app defines; an unknown one would wait forever.
      const message = `the app module does not define this job function (${job.functionKey})`;
      store.insertFinished(job, { kind: 'error', message }, Date.now());
      return;
    }
    store.insertJob(job, Date.now());
    pool.kick();
  }

  async takeUpdate(jobId: string, waitMs: number): Promise<JobUpdate> {
    const deadline = performance.now() + (Number.isNaN(waitMs) ? 0 : Math.max(0, waitMs));
    for (;;) {
      const { store, wakeups } = this.#use();
      const wait = new NewsWait((onNews) => wakeups.subscribe(jobId, onNews));
      try {
        const { update, news } = store.take(jobId, Date.now());
        const remaining = deadline - performance.now();
        if (news || remaining <= 0) return update;
        await wait.wait(remaining);
      } finally {
        wait.dispose();
      }
    }
  }

  subscribe(jobId: string, onNews: OnNews): Unsubscribe {
    return this.#use().wakeups.subscribe(jobId, onNews);
  }

  pageSeen(endId: string): void {
    this.#use().seen.add(endId);
  }

  async load(endId: string, user?: string): Promise<JobLoad> {
    return this.#use().store.load(endId, user);
  }

  async pageJobs(endId: string): Promise<PageJob[]> {
    return this.#use().store.pageJobs(endId);
  }

  async findKept(query: KeptJobQuery): Promise<string | undefined> {
    return this.#use().store.findKept(query, Date.now());
  }

  async rejoin(jobId: string, endId: string): Promise<JobUpdate | undefined> {
    return this.#use().store.rejoin(jobId, endId, Date.now());
  }

  async stopStartsBefore(endId: string, key: string, at: number): Promise<void> {
    this.#use().store.stopStartsBefore(endId, key, at);
  }

  async startStops(endId: string, keys: readonly string[]): Promise<number[]> {
    return this.#use().store.startStops(endId, keys);
  }

  async owner(jobId: string): Promise<JobOwner | undefined> {
    return this.#use().store.owner(jobId);
  }

  async cancel(jobId: string, reason?: CancelReason): Promise<void> {
    const { store, pool, wakeups } = this.#use();
    const cancelled = store.cancel(jobId, Date.now(), reason);
    if (!cancelled) return;
    // Another process's pool notices the flag on its next tick; ours stops the job now.
    if (cancelled.claimedBy === pool.id) pool.abort(jobId);
    wakeups.notify([jobId]);
  }

  async cachedOutcome(cacheKey: string, expireSeconds?: number): Promise<JobOutcome | undefined> {
    return this.#use().store.cachedOutcome(cacheKey, expireSeconds, Date.now());
  }

  jobRecords(): JobRecords {
    const { store, pool } = this.#use();
    return {
      enable: async (windowMs) => {
        store.records.enable(windowMs);
        // This process's pool records at once; the other processes' pools notice within a heartbeat.
        pool.refreshRecorder();
      },
      read: async () => store.records.read(Date.now()),
    };
  }

  async sharedSecret(): Promise<Buffer> {
    this.#secret ??= this.#use().store.sharedSecret();
    return this.#secret;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#starting.current?.catch(() => {});
    const running = this.#running;
    this.#running = undefined;
    if (!running) return;
    running.seen.close();
    await running.pool.close();
    // Waiting takeUpdate calls wake up and find the manager closed.
    running.wakeups.notifyAll();
    running.store.close();
  }
}
