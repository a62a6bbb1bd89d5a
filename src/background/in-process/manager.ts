/**
 * InProcessManager: background jobs as async tasks in the server process (api.md, third round),
 * for I/O-bound work and for objects that cannot cross a process boundary (a model, a connection
 * pool). Same Manager contract as the others, with its store in memory: the jobs of one server
 * process, gone when it stops.
 *
 * No isolation: a job that blocks the event loop blocks the server, and a cancel, supersede or
 * timeout aborts `ctx.signal` but cannot hard-stop a job that ignores it (its slot is freed and
 * whatever it does afterwards is dropped).
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../base/log.ts';
import { JobSubscribers, NewsWait } from '../job-news.ts';
import { fairTurnKey } from '../job-options/fairness.ts';
import { PAGE_LEFT_SWEEP_MS, PAGE_SEEN_KEEP_MS, pageHasLeft } from '../job-options/page-leave.ts';
import { DEFAULT_POLICY } from '../job-options/policy.ts';
import { etaSeconds, nextMeanRunMs } from '../job-options/queue-status.ts';
import { retryDecision } from '../job-options/retry.ts';
import { timedOutOutcome } from '../job-options/timeout.ts';
import { etaRunning, userLine } from '../job-options/user-lines.ts';
import { runJob } from '../job-runner.ts';
import { emptyView, foldIntoView, type JobView, viewAsUpdate } from '../job-view.ts';
import type {
  JobLoad,
  JobOutcome,
  JobOwner,
  JobPolicy,
  JobSubmission,
  JobUpdate,
  KeptJobQuery,
  Manager,
  ManagerEnvironment,
  OnNews,
  PageJob,
  Unsubscribe,
} from '../manager.ts';
import type { CancelReason, JobRecords } from '../records.ts';
import { registrar } from '../registrar.ts';
import { START_STOP_KEEP_MS } from '../start-stops.ts';
import { isRejoinable, newestKept } from './kept.ts';
import { type InLine, WaitingLine } from './line.ts';
import { MemoryRecords } from './records.ts';

export interface InProcessManagerOptions {
  /** Jobs run at once; more wait in line. Default 64. */
  concurrency?: number;
}

/**
 * Progress values kept unread per job: a tight loop of setProgress calls keeps the first ones and
 * the latest (the page shows the latest anyway), never an unbounded backlog.
 */
const PROGRESS_BACKLOG = 256;
/** How long a cancelled job that ignores its signal is still known (as 'cancelled') before it is forgotten. */
const CANCELLED_MEMORY_MS = 1000;
/**
 * A finished job whose outcome nobody read (its page closed, or it was the older job of a
 * `supersede: false` callback, which the page no longer polls) is forgotten after this long, as
 * SqliteManager's finishedTtlMs does by default.
 */
const FINISHED_UNREAD_MS = 10 * 60 * 1000;

interface Job extends InLine {
  /** The page load that started it (owner.endId). */
  readonly endId: string;
  readonly submission: JobSubmission;
  readonly policy: JobPolicy;
  state: 'queued' | 'running' | 'finished' | 'cancelled';
  /** Tries begun. */
  attempt: number;
  /** Waiting out a retry backoff (not in line). */
  backoff?: NodeJS.Timeout;
  /** The running try's abort; replaced for each try, so a stale try's reports are recognised. */
  controller?: AbortController;
  timer?: NodeJS.Timeout;
  startedAt: number;
  progress: unknown[][];
  sideUpdates: JobUpdate['sideUpdates'];
  began?: number;
  outcome?: JobOutcome;
  /** When it finished (its outcome is kept until read, or for FINISHED_UNREAD_MS; a kept job for its keep). */
  finishedAt?: number;
  /** Who owns it now: the submission's owner, until a page load rejoins it (rejoin). */
  owner: JobOwner;
  /** A kept job's view (JobSubmission.keep): what its reads delivered so far. */
  view?: JobView;
}

interface Cached {
  outcome: JobOutcome;
  expiresAt: number;
}

export class InProcessManager implements Manager {
  readonly kind = 'in-process';
  readonly #concurrency: number;
  readonly #jobs = new Map<string, Job>();
  readonly #line = new WaitingLine<Job>();
  readonly #cache = new Map<string, Cached>();
  /** Manager.stopStartsBefore's marks: `${endId}\n${key}` → time. */
  readonly #startStops = new Map<string, number>();
  readonly #meanRunMs = new Map<string, number>();
  readonly #secret = randomBytes(32);
  #running = 0;
  /** Running jobs per user line (maxConcurrentPerUser); a line leaves the map at 0. */
  readonly #lineRunning = new Map<string, number>();
  readonly #lineFull = (job: Job): boolean =>
    job.line !== undefined && (this.#lineRunning.get(job.line) ?? 0) >= job.policy.maxConcurrentPerUser!;
  #closed = false;
  /** When each page load was last seen (submit, pageSeen): whenPageLeaves 'cancel' goes by it. */
  readonly #seen = new Map<string, number>();
  #sweep: NodeJS.Timeout | undefined;
  #logger: Logger | undefined;
  /** The jobs monitor's records of this process's jobs (kept once the monitor turns them on). */
  readonly #records = new MemoryRecords();
  /** Who listens for a job's news (subscribe, and takeUpdate's wait). */
  readonly #news = new JobSubscribers({
    error: (message, error) => this.#logger?.error(message, error),
  });

  constructor(options: InProcessManagerOptions = {}) {
    const concurrency = options.concurrency ?? 64;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new TypeError(
        `InProcessManager: concurrency must be a whole number ≥ 1, got ${String(concurrency)}`,
      );
    }
    this.#concurrency = concurrency;
  }

  async start(environment: ManagerEnvironment): Promise<void> {
    this.#closed = false;
    this.#logger = environment.logger;
    this.#records.serving();
    if (!this.#sweep) {
      this.#sweep = setInterval(() => this.#housekeeping(Date.now()), PAGE_LEFT_SWEEP_MS);
      this.#sweep.unref();
    }
  }

  /**
   * Once a second: cancels the jobs whose page left (whenPageLeaves 'cancel'), forgets finished
   * jobs nobody read and page loads no job watches any more.
   */
  #housekeeping(now: number): void {
    const watched = new Set<string>();
    for (const job of this.#jobs.values()) {
      const leftAfter = job.policy.pageLeftAfterMs;
      // A kept job stays for its keep, read or not; nothing can rejoin it after that.
      const keptFor = job.submission.keep ? job.submission.keep.seconds * 1000 : FINISHED_UNREAD_MS;
      if (job.finishedAt !== undefined && now - job.finishedAt > keptFor) {
        this.#jobs.delete(job.id);
      } else if (leftAfter !== undefined && isUnfinished(job)) {
        watched.add(job.endId);
        if (pageHasLeft(this.#seen.get(job.endId), leftAfter, now)) void this.cancel(job.id, 'page-left');
      }
    }
    for (const [endId, seenAt] of this.#seen) {
      if (!watched.has(endId) && now - seenAt > PAGE_SEEN_KEEP_MS) this.#seen.delete(endId);
    }
  }

  pageSeen(endId: string): void {
    this.#seen.set(endId, Date.now());
  }

  async submit(submission: JobSubmission): Promise<void> {
    const policy = submission.policy ?? DEFAULT_POLICY;
    const job: Job = {
      id: submission.id,
      endId: submission.owner.endId,
      turn: fairTurnKey(submission.owner),
      priority: policy.priority,
      tag: 0,
      seq: 0,
      line:
        policy.maxConcurrentPerUser === undefined
          ? undefined
          : userLine(submission.functionKey, submission.owner),
      submission,
      policy,
      state: 'queued',
      attempt: 0,
      startedAt: 0,
      progress: [],
      sideUpdates: [],
      owner: { ...submission.owner },
      view: submission.keep ? emptyView() : undefined,
    };
    if (policy.pageLeftAfterMs !== undefined) this.pageSeen(job.endId);
    this.#jobs.set(job.id, job);
    this.#records.queued(job.id, submission.owner.callbackId, submission.owner.endId, submission.owner.user);
    this.#line.join(job);
    // On a later turn: the submitting request finishes first, and a cancel right after submit
    // finds the job still in line.
    setImmediate(() => this.#startWaiting());
  }

  subscribe(jobId: string, onNews: OnNews): Unsubscribe {
    return this.#news.subscribe(jobId, onNews);
  }

  async takeUpdate(jobId: string, waitMs: number): Promise<JobUpdate> {
    let job = this.#jobs.get(jobId);
    if (job && !hasNews(job) && waitMs > 0) {
      const wait = new NewsWait((onNews) => this.#news.subscribe(jobId, onNews));
      try {
        await wait.wait(waitMs);
      } finally {
        wait.dispose();
      }
      job = this.#jobs.get(jobId);
    }
    if (!job) return { state: 'unknown', progress: [], sideUpdates: [] };
    const update: JobUpdate = {
      state: job.state,
      progress: job.progress,
      sideUpdates: job.sideUpdates,
    };
    job.progress = [];
    job.sideUpdates = [];
    if (job.began !== undefined) update.began = job.began;
    job.began = undefined;
    if (job.state === 'cancelled') {
      update.progress = [];
      update.sideUpdates = [];
    }
    if (job.view) foldIntoView(job.view, update);
    if (job.outcome) {
      update.outcome = job.outcome;
      // A kept job stays for its keep (rejoin, a second read); others are delivered once.
      if (!job.view) this.#jobs.delete(jobId);
    }
    const queue = this.#queuePlace(job);
    if (queue) update.queue = queue;
    return update;
  }

  #queuePlace(job: Job): JobUpdate['queue'] {
    const position = job.policy.reportQueue ? this.#line.position(job.id, this.#lineFull) : undefined;
    if (position === undefined) return undefined;
    const mean = this.#meanRunMs.get(job.submission.owner.callbackId);
    const running = etaRunning(this.#running, job.policy.maxConcurrentPerUser, this.#lineFull(job));
    const eta = etaSeconds(position, mean, running);
    return eta === undefined ? { position } : { position, etaSeconds: eta };
  }

  async findKept(query: KeptJobQuery): Promise<string | undefined> {
    // Map order is submit order: the last match is the newest.
    return newestKept(this.#jobs.values(), query)?.id;
  }

  async rejoin(jobId: string, endId: string): Promise<JobUpdate | undefined> {
    const job = this.#jobs.get(jobId);
    if (!job?.view || !isRejoinable(job)) return undefined;
    job.owner = { ...job.owner, endId };
    // Unread news is folded in and consumed: the page's next reads continue from here.
    foldIntoView(job.view, { progress: job.progress, sideUpdates: job.sideUpdates, began: job.began });
    job.progress = [];
    job.sideUpdates = [];
    job.began = undefined;
    return viewAsUpdate(job.view, { state: job.state, outcome: job.outcome, queue: this.#queuePlace(job) });
  }

  async owner(jobId: string): Promise<JobOwner | undefined> {
    return this.#jobs.get(jobId)?.owner;
  }

  async cancel(jobId: string, reason: CancelReason = 'cancel'): Promise<void> {
    const job = this.#jobs.get(jobId);
    if (!job || job.state === 'finished' || job.state === 'cancelled') return;
    const wasRunning = job.state === 'running';
    job.state = 'cancelled';
    this.#line.remove(jobId);
    clearTimeout(job.backoff);
    this.#endTry(job, 'cancelled');
    if (wasRunning) this.#tryEnded(job);
    this.#records.finished(jobId, { cancelled: reason }, wasRunning);
    // Known as 'cancelled' for a while (its page's last poll sees it), then forgotten.
    setTimeout(
      () => {
        if (this.#jobs.get(jobId) === job) this.#jobs.delete(jobId);
      },
      wasRunning ? CANCELLED_MEMORY_MS : 0,
    ).unref();
    this.#news.notify([job.id]);
    this.#startWaiting();
  }

  async load(endId: string, user?: string): Promise<JobLoad> {
    let pageUnfinished = 0;
    let userUnfinished = 0;
    for (const job of this.#jobs.values()) {
      if (!isUnfinished(job)) continue;
      if (job.owner.endId === endId) pageUnfinished++;
      if (user !== undefined && job.submission.owner.user === user) userUnfinished++;
    }
    return { pageUnfinished, userUnfinished, queued: this.#line.length };
  }

  async pageJobs(endId: string): Promise<PageJob[]> {
    return [...this.#jobs.values()]
      .filter((job) => job.owner.endId === endId && isUnfinished(job))
      .map((job) => ({ id: job.id, owner: job.owner }));
  }

  // One process holds every job: pending-starts.ts orders its starts and cancels already; the
  // marks are kept anyway so the contract holds whoever calls it.
  async stopStartsBefore(endId: string, key: string, at: number): Promise<void> {
    const mark = `${endId}\n${key}`;
    this.#startStops.set(mark, Math.max(at, this.#startStops.get(mark) ?? 0));
    const keepFrom = Date.now() - START_STOP_KEEP_MS;
    if (this.#startStops.size > 1024) {
      for (const [old, oldAt] of this.#startStops) if (oldAt < keepFrom) this.#startStops.delete(old);
    }
  }

  async startStops(endId: string, keys: readonly string[]): Promise<number[]> {
    return keys.map((key) => this.#startStops.get(`${endId}\n${key}`) ?? 0);
  }

  async cachedOutcome(cacheKey: string, expireSeconds?: number): Promise<JobOutcome | undefined> {
    const cached = this.#cache.get(cacheKey);
    if (!cached) return undefined;
    if (cached.expiresAt <= Date.now()) {
      this.#cache.delete(cacheKey);
      return undefined;
    }
    if (expireSeconds !== undefined) cached.expiresAt = Date.now() + expireSeconds * 1000;
    return cached.outcome;
  }

  /** This process's jobs only: the store is this process's memory (no other server shares it). */
  jobRecords(): JobRecords {
    return this.#records;
  }

  async sharedSecret(): Promise<Buffer> {
    return this.#secret;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweep);
    this.#sweep = undefined;
    this.#seen.clear();
    for (const job of this.#jobs.values()) {
      clearTimeout(job.backoff);
      this.#endTry(job, 'the server is closing');
      // Its record ends too: a job the monitor showed running must not stay so after a restart.
      if (isUnfinished(job)) {
        const lost = { kind: 'lost', message: 'the server closed before the job finished' } as const;
        this.#records.finished(job.id, { outcome: lost }, job.state === 'running');
      }
      this.#news.notify([job.id]);
    }
    this.#jobs.clear();
    this.#running = 0;
    this.#records.stopped();
    this.#lineRunning.clear();
  }

  #startWaiting(): void {
    while (!this.#closed && this.#running < this.#concurrency) {
      const job = this.#line.next(this.#lineFull);
      if (!job) return;
      this.#running++;
      if (job.line !== undefined) this.#lineRunning.set(job.line, (this.#lineRunning.get(job.line) ?? 0) + 1);
      void this.#runTry(job);
    }
  }

  /** A running try let go of its slot (and of its place in its user line). */
  #tryEnded(job: Job): void {
    this.#running--;
    if (job.line === undefined) return;
    const left = (this.#lineRunning.get(job.line) ?? 1) - 1;
    if (left > 0) this.#lineRunning.set(job.line, left);
    else this.#lineRunning.delete(job.line);
  }

  async #runTry(job: Job): Promise<void> {
    const controller = new AbortController();
    job.controller = controller;
    job.state = 'running';
    job.attempt++;
    job.began = job.attempt;
    // A new try starts from no progress: unread values of an earlier try are dropped.
    job.progress = [];
    job.startedAt = Date.now();
    this.#records.started(job.id, job.attempt);
    const { timeoutSeconds } = job.policy;
    if (timeoutSeconds !== undefined) {
      job.timer = setTimeout(
        () => this.#settle(job, controller, timedOutOutcome(timeoutSeconds * 1000)),
        timeoutSeconds * 1000,
      );
    }
    this.#news.notify([job.id]);
    const current = () => job.controller === controller && !controller.signal.aborted;
    const fn = registrar.get(job.submission.functionKey);
    let outcome: JobOutcome;
    if (!fn) {
      outcome = {
        kind: 'error',
        message: `no job function ${job.submission.functionKey} in this server process: is the callback defined in the app module?`,
        retryable: false,
      };
    } else {
      const channel = {
        progress: (values: unknown[]) => {
          if (!current()) return;
          if (job.progress.length >= PROGRESS_BACKLOG) job.progress[job.progress.length - 1] = values;
          else job.progress.push(values);
          this.#news.notify([job.id]);
        },
        setProps: (id: string, props: Record<string, unknown>) => {
          if (!current()) return;
          job.sideUpdates.push({ id, props });
          this.#news.notify([job.id]);
        },
      };
      const { args, context } = job.submission;
      outcome = await runJob(fn, args, context, channel, controller.signal, job.attempt, job.submission.id);
    }
    this.#settle(job, controller, outcome);
  }

  /** A try ended (returned, threw, or timed out): retry it, or record the outcome. */
  #settle(job: Job, controller: AbortController, outcome: JobOutcome): void {
    if (job.controller !== controller || job.state !== 'running') return;
    this.#endTry(job, outcome.kind === 'timed-out' ? outcome.message : 'the try ended');
    this.#tryEnded(job);
    const runMs = Date.now() - job.startedAt;
    const callbackId = job.submission.owner.callbackId;
    this.#meanRunMs.set(callbackId, nextMeanRunMs(this.#meanRunMs.get(callbackId), runMs));
    const decision = retryDecision(job.policy, job.attempt, outcome);
    if (decision.retry) {
      job.state = 'queued';
      this.#records.requeued(job.id);
      job.backoff = setTimeout(() => {
        job.backoff = undefined;
        if (job.state !== 'queued' || this.#closed) return;
        this.#line.join(job);
        this.#startWaiting();
      }, decision.delayMs);
    } else {
      job.state = 'finished';
      job.outcome = outcome;
      this.#records.finished(job.id, { outcome }, true);
      job.finishedAt = Date.now();
      const cache = job.submission.cache;
      if (cache && outcome.kind === 'result') {
        const seconds = cache.expireSeconds ?? Number.POSITIVE_INFINITY;
        this.#cache.set(cache.key, { outcome, expiresAt: Date.now() + seconds * 1000 });
      }
    }
    this.#news.notify([job.id]);
    this.#startWaiting();
  }

  /** Stops the running try, if any: aborts its signal, and its later reports are dropped. */
  #endTry(job: Job, reason: string): void {
    clearTimeout(job.timer);
    job.timer = undefined;
    const controller = job.controller;
    job.controller = undefined;
    if (controller && !controller.signal.aborted) controller.abort(new Error(reason));
  }
}

function isUnfinished(job: Job): boolean {
  return job.state === 'queued' || job.state === 'running';
}

function hasNews(job: Job): boolean {
  return (
    job.progress.length > 0 ||
    job.sideUpdates.length > 0 ||
    job.began !== undefined ||
    job.outcome !== undefined ||
    job.state === 'cancelled'
  );
}
