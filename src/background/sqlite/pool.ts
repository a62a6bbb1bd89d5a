/**
 * The bounded pool of warm worker processes behind SqliteManager. It claims queued jobs from
 * the store (atomically, so server processes sharing the file never run a job twice), hands
 * them to free workers, and writes what the workers report back into the store, one
 * transaction per event-loop turn. Its processes are pool-workers.ts's; its share of keeping
 * the shared file healthy (heartbeats, taking jobs back from dead pools, deleting what nobody
 * will read) is pool-housekeeping.ts.
 *
 * Wake-ups: a local submit or a worker message schedules one `#pump` on setImmediate (so a
 * burst is one transaction); jobs queued or cancelled by other processes are noticed by a short
 * tick that looks at SQLite's data_version first and does nothing when no one else wrote.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../base/log.ts';
import { decodePolicy, tryTimeoutMs } from '../job-options/policy.ts';
import { retryDecision } from '../job-options/retry.ts';
import { timedOutOutcome } from '../job-options/timeout.ts';
import type { JobOutcome, JobPolicy } from '../manager.ts';
import type { EventRecord } from '../process/ipc.ts';
import { exitDescription, type WorkerProcess } from '../process/worker-process.ts';
import { registrar } from '../registrar.ts';
import { HEARTBEAT_INTERVAL_MS, thisHost } from './liveness.ts';
import { cancelLeftJobs, keepStoreHealthy } from './pool-housekeeping.ts';
import { PoolRecorder } from './pool-recorder.ts';
import { PoolWorkers } from './pool-workers.ts';
import type { ClaimedJob, PoolWrite, Store } from './store.ts';
import { keysNoWorkerDefines, unrunnableOutcome } from './unrunnable.ts';

export interface PoolOptions {
  store: Store;
  /** Absolute path of the module that defines the app (and so the job functions). */
  appModule: string;
  workers: number;
  concurrency: number;
  cancelGraceMs: number;
  timeoutMs: number | undefined;
  finishedTtlMs: number;
  /** At close, how long running jobs may take to finish before they end lost. */
  shutdownGraceMs: number;
  logger: Logger;
  /** The app's job functions, which the workers must define (unrunnable.ts); absent: not checked. */
  jobFunctionKeys?: () => readonly string[];
  /** Called with the jobs that have news (events or an outcome) after each write. */
  onNews(jobIds: Iterable<string>): void;
}

/** How often other processes' submits and cancels are looked for. */
const TICK_MS = 10;
/** After SIGTERM at close, how long a worker may take before SIGKILL. */
const CLOSE_GRACE_MS = 500;
/** After a failed store write, when to try again. */
const PUMP_RETRY_MS = 100;

/** Why a job is being stopped before it ended by itself. */
type StopReason = 'cancel' | 'timeout' | 'taken-over';

interface PoolJob {
  readonly id: string;
  readonly worker: WorkerProcess;
  readonly attempt: number;
  readonly policy: JobPolicy;
  stopping?: StopReason;
  /** A timed-out try's outcome, written once the try has really stopped (its slot is free). */
  timedOut?: JobOutcome;
  timer?: NodeJS.Timeout;
}

export class WorkerPool {
  /** This pool's id in the store's `claimed_by` and pools table. */
  readonly id = randomBytes(12).toString('base64url');
  readonly #o: PoolOptions;
  readonly #workers: PoolWorkers;
  readonly #jobs = new Map<string, PoolJob>();
  #writes: PoolWrite[] = [];
  readonly #news = new Set<string>();
  #pumpScheduled = false;
  #started = false;
  /** Closing: no more claims; running jobs get their shutdown grace period. */
  #draining = false;
  /** Wakes close() when the last running job ended. */
  #drained: (() => void) | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  #tick: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #lastDataVersion = -1;
  /** Claims due when a retry's backoff is over. */
  readonly #retryTimers = new Set<NodeJS.Timeout>();
  readonly #recorder: PoolRecorder;

  constructor(options: PoolOptions) {
    this.#o = options;
    this.#recorder = new PoolRecorder(options.store, this.id, thisHost, options.logger);
    this.#workers = new PoolWorkers(options, {
      ready: () => this.#schedulePump(),
      events: (w, jobId, events) => this.#onEvents(w, jobId, events),
      done: (w, jobId, kind, outcome) => this.#onDone(w, jobId, kind, outcome),
      exited: (w, code, signal) => this.#onExit(w, code, signal),
    });
  }

  /** Starts all workers at once and the store housekeeping; resolves once the workers settled. */
  start(): Promise<void> {
    if (this.#started) return this.#workers.start();
    this.#started = true;
    this.#o.store.heartbeat(this.id, process.pid, thisHost, [], Date.now());
    this.#housekeeping();
    const settled = this.#workers.start();
    this.#tick = setInterval(() => this.#onTick(), TICK_MS);
    this.#heartbeat = setInterval(() => this.#housekeeping(), HEARTBEAT_INTERVAL_MS);
    // Workers keep the process alive while the pool is open; the timers need not.
    this.#tick.unref();
    this.#heartbeat.unref();
    return settled;
  }

  /** A job was queued in this process: claim it now. */
  kick(): void {
    this.#schedulePump();
  }

  /** Cancels a job this pool runs: abort its signal, hard-stop it after the grace period. */
  abort(jobId: string): void {
    const job = this.#jobs.get(jobId);
    if (job) this.#stop(job, 'cancel');
  }

  /** Looks again whether the jobs monitor records (someone just turned it on). */
  refreshRecorder(): void {
    this.#recorder.refresh();
    this.#recorder.beat(this.#workers.pids, Date.now());
  }

  /**
   * Stops claiming jobs, lets running ones finish for shutdownGraceMs, ends the rest lost
   * (another try follows only with retry.onLost: a job that began is never run again behind its
   * callback's back), then stops the workers.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#draining = true;
    if (this.#jobs.size > 0) {
      const drained = new Promise<void>((resolve) => {
        this.#drained = resolve;
      });
      const grace = setTimeout(() => this.#drained?.(), this.#o.shutdownGraceMs);
      await drained;
      clearTimeout(grace);
    }
    this.#closed = true;
    clearInterval(this.#tick);
    clearInterval(this.#heartbeat);
    for (const timer of this.#retryTimers) clearTimeout(timer);
    const lost: JobOutcome = {
      kind: 'lost',
      message: `its server process shut down and the job did not finish within the ${this.#o.shutdownGraceMs} ms it was given`,
    };
    for (const job of this.#jobs.values()) {
      clearTimeout(job.timer);
      if (!job.stopping) this.#end(job, JSON.stringify(lost), false, lost);
      else if (job.stopping === 'cancel') this.#writes.push({ op: 'release', jobId: job.id });
      else if (job.timedOut) this.#end(job, JSON.stringify(job.timedOut), false, job.timedOut);
    }
    this.#jobs.clear();
    this.#recorder.closed();
    try {
      this.#flush();
      this.#o.store.unregisterPool(this.id);
    } catch (error) {
      // Whatever stays claimed is recovered by the next pool once this process is gone.
      this.#o.logger.error('could not store the outcomes of the background jobs running at shutdown', error);
    }
    await this.#workers.close(CLOSE_GRACE_MS);
  }

  #onEvents(worker: WorkerProcess, jobId: string, events: EventRecord[]): void {
    const job = this.#jobs.get(jobId);
    // Late messages of a stopping job are dropped: after a cancel nothing it does is stored.
    if (!job || job.worker !== worker || job.stopping) return;
    this.#writes.push({ op: 'events', jobId, events });
    this.#schedulePump();
  }

  #onDone(worker: WorkerProcess, jobId: string, kind: string, outcome: string): void {
    const job = this.#jobs.get(jobId);
    if (!job || job.worker !== worker) return;
    this.#forget(job);
    if (!job.stopping) this.#end(job, outcome, kind === 'result');
    else if (job.stopping === 'cancel') this.#writes.push({ op: 'release', jobId });
    else if (job.timedOut) this.#end(job, JSON.stringify(job.timedOut), false, job.timedOut);
    this.#schedulePump();
  }

  /** A try ended with `outcome` (JSON): the job finishes, or waits for its next try (retry.ts). */
  #end(job: PoolJob, outcome: string, cacheable: boolean, parsed?: JobOutcome): void {
    const decision = retryDecision(job.policy, job.attempt, parsed ?? outcome);
    if (!decision.retry) {
      this.#writes.push({ op: 'finish', jobId: job.id, outcome, cacheable });
      return;
    }
    this.#writes.push({ op: 'retry', jobId: job.id, delayMs: decision.delayMs });
    // Claim it again once its backoff is over (another pool may do so first).
    const timer = setTimeout(() => {
      this.#retryTimers.delete(timer);
      this.#schedulePump();
    }, decision.delayMs + 1);
    this.#retryTimers.add(timer);
  }

  /** A worker exited (its replacement is being started): what becomes of the jobs it ran. */
  #onExit(worker: WorkerProcess, code: number | null, signal: NodeJS.Signals | null): void {
    this.#recorder.exited(worker.pid, exitDescription(code, signal), worker.wasKilledByPool);
    const lost = lostMessage(code, signal);
    for (const jobId of worker.jobs) {
      const job = this.#jobs.get(jobId);
      if (!job || job.worker !== worker) continue;
      this.#forget(job);
      if (job.stopping === 'cancel') this.#writes.push({ op: 'release', jobId });
      else if (job.timedOut) this.#end(job, JSON.stringify(job.timedOut), false, job.timedOut);
      else if (job.stopping) {
        // A taken-over job is not ours to write.
      } else {
        this.#end(job, JSON.stringify(lost), false, lost);
      }
    }
    this.#schedulePump();
  }

  #forget(job: PoolJob): void {
    clearTimeout(job.timer);
    job.worker.jobs.delete(job.id);
    this.#jobs.delete(job.id);
    if (this.#jobs.size === 0) this.#drained?.();
  }

  /** Aborts a job's signal and, if it keeps running past the grace period, kills its worker (its job's only). */
  #stop(job: PoolJob, reason: StopReason): void {
    if (job.stopping) return;
    job.stopping = reason;
    clearTimeout(job.timer);
    if (reason === 'timeout')
      job.timedOut = timedOutOutcome(tryTimeoutMs(job.policy, this.#o.timeoutMs) ?? 0);
    job.worker.send({ t: 'abort', id: job.id });
    job.timer = setTimeout(() => {
      if (this.#jobs.get(job.id) === job) job.worker.kill();
    }, this.#o.cancelGraceMs);
  }

  #schedulePump(): void {
    if (this.#pumpScheduled || this.#closed) return;
    this.#pumpScheduled = true;
    setImmediate(() => this.#pump());
  }

  /** One turn of work, one transaction: store what workers reported, claim jobs for free slots. */
  #pump(): void {
    this.#pumpScheduled = false;
    if (this.#closed) return;
    // While closing, nothing new is claimed; what workers report is still written.
    const free = this.#draining ? [] : this.#workers.free();
    const capacity = free.length;
    const writes = this.#writes;
    this.#writes = [];
    let claimed: ClaimedJob[] = [];
    try {
      const keys = this.#workers.functionKeys;
      const turn = this.#o.store.pump(this.id, writes, capacity, keys, Date.now());
      for (const jobId of turn.changed) this.#news.add(jobId);
      claimed = turn.claimed;
      const startupError = this.#workers.startupError;
      if (capacity === 0 && startupError !== undefined && !this.#workers.hasReadyWorker()) {
        this.#failQueued(startupError);
      }
      this.#failUnrunnable();
    } catch (error) {
      // The file stayed locked past the busy timeout (or worse): keep the writes, try again soon.
      this.#writes = writes.concat(this.#writes);
      this.#o.logger.error('background store write failed; retrying', error);
      setTimeout(() => this.#schedulePump(), PUMP_RETRY_MS).unref();
    }
    // Another process may have turned the jobs monitor on since the last heartbeat.
    if (claimed.length > 0) this.#recorder.refresh();
    for (const job of claimed) this.#dispatch(job, free);
    this.#announce();
  }

  /** Writes everything pending now (at close: the outcomes of the jobs that outlasted the grace period). */
  #flush(): void {
    const writes = this.#writes;
    this.#writes = [];
    const keys = this.#workers.functionKeys;
    for (const jobId of this.#o.store.pump(this.id, writes, 0, keys, Date.now()).changed) {
      this.#news.add(jobId);
    }
  }

  #announce(): void {
    if (this.#news.size === 0) return;
    const news = [...this.#news];
    this.#news.clear();
    this.#o.onNews(news);
  }

  /** No worker can start: queued jobs end now, with the reason, rather than wait forever. */
  #failQueued(startupError: string): void {
    const outcome: JobOutcome = {
      kind: 'lost',
      message: `no background worker could start, so the job could not run: ${startupError}`,
    };
    // No worker said which functions it has; the server imported the same app module.
    const keys = JSON.stringify(registrar.keys);
    for (const jobId of this.#o.store.failQueued(outcome, keys, 1000, Date.now())) this.#news.add(jobId);
  }

  /** Ends, with the reason, queued jobs whose function the server has and no ready worker does. */
  #failUnrunnable(): void {
    if (!this.#o.jobFunctionKeys || !this.#workers.hasReadyWorker()) return;
    const workerKeys = JSON.parse(this.#workers.functionKeys) as string[];
    for (const key of keysNoWorkerDefines(this.#o.jobFunctionKeys(), workerKeys)) {
      const outcome = unrunnableOutcome(key, this.#o.appModule);
      const failed = this.#o.store.failQueued(outcome, JSON.stringify([key]), 1000, Date.now());
      for (const jobId of failed) this.#news.add(jobId);
    }
  }

  /** Runs a claimed job on a free process (`free` has one per claimed job), which it has to itself. */
  #dispatch(claimed: ClaimedJob, free: WorkerProcess[]): void {
    const worker = free.shift()!;
    const policy = decodePolicy(claimed.policy);
    const job: PoolJob = { id: claimed.id, worker, attempt: claimed.attempt, policy };
    this.#jobs.set(job.id, job);
    worker.jobs.add(job.id);
    worker.send({
      t: 'run',
      id: claimed.id,
      key: claimed.functionKey,
      payload: claimed.payload,
      attempt: claimed.attempt,
    });
    const assignment = this.#recorder.assignment(claimed.id, worker.pid);
    if (assignment) this.#writes.push(assignment);
    const limitMs = tryTimeoutMs(policy, this.#o.timeoutMs);
    if (limitMs !== undefined) job.timer = setTimeout(() => this.#stop(job, 'timeout'), limitMs);
  }

  /** Every few ms: has another process written? Then look for cancels of our jobs and new jobs. */
  #onTick(): void {
    try {
      const version = this.#o.store.dataVersion();
      if (version === this.#lastDataVersion) return;
      this.#lastDataVersion = version;
      this.#checkClaims();
      this.#schedulePump();
    } catch (error) {
      this.#o.logger.error('background store check failed', error);
    }
  }

  /** Stops local jobs that were cancelled, or taken over after a missed heartbeat, elsewhere. */
  #checkClaims(): void {
    const active = [...this.#jobs.values()].filter((job) => !job.stopping);
    if (active.length === 0) return;
    const { running, cancelled } = this.#o.store.stillRunning(
      this.id,
      active.map((job) => job.id),
    );
    for (const job of active) {
      if (running.has(job.id)) continue;
      this.#stop(job, cancelled.has(job.id) ? 'cancel' : 'taken-over');
    }
  }

  /** Once a second: heartbeats, taking jobs back from dead pools, deleting what expired. */
  #housekeeping(): void {
    if (this.#closed) return;
    const now = Date.now();
    try {
      const { store, finishedTtlMs, logger } = this.#o;
      const recovered = keepStoreHealthy(store, this.id, [...this.#jobs.keys()], finishedTtlMs, logger, now);
      for (const jobId of recovered) this.#news.add(jobId);
      // Another pool's job stops at that pool's next tick, as any cancel made elsewhere.
      for (const { jobId, claimedBy } of cancelLeftJobs(store, now)) {
        if (claimedBy === this.id) this.abort(jobId);
        this.#news.add(jobId);
      }
      this.#recorder.refresh();
      this.#recorder.beat(this.#workers.pids, now);
      // Writes with no news to carry them (a worker assignment of a quiet job) go now; and
      // retries whose backoff another pool set up are due by now, whatever that pool is doing.
      this.#schedulePump();
      this.#announce();
    } catch (error) {
      // A busy or briefly unavailable file must not crash the server; the next round retries.
      this.#o.logger.error('background store housekeeping failed', error);
    }
  }
}

function lostMessage(code: number | null, signal: NodeJS.Signals | null): JobOutcome {
  const hint =
    signal === 'SIGKILL' ? ' (by the job itself, another process, or the out-of-memory killer)' : '';
  return {
    kind: 'lost',
    message: `the worker process running this job ${exitDescription(code, signal)}${hint}`,
  };
}
