/**
 * The bounded pool of warm worker processes behind SqliteManager. It claims queued jobs from
 * the store (atomically, so server processes sharing the file never run a job twice), hands
 * them to free workers, and writes what the workers report back into the store, one
 * transaction per event-loop turn. It also keeps the shared file healthy: heartbeats, taking
 * jobs back from dead pools, and deleting what nobody will read.
 *
 * Wake-ups: a local submit or a worker message schedules one `#pump` on setImmediate (so a
 * burst is one transaction); jobs queued or cancelled by other processes are noticed by a short
 * tick that looks at SQLite's data_version first and does nothing when no one else wrote.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../app/log.ts';
import { DEFAULT_POLICY, tryTimeoutMs } from '../job-options/policy.ts';
import { retryDecision } from '../job-options/retry.ts';
import { timedOutOutcome } from '../job-options/timeout.ts';
import type { JobOutcome, JobPolicy } from '../manager.ts';
import { PoolRecorder } from '../monitor/pool-recorder.ts';
import type { EventRecord } from '../process/ipc.ts';
import { WorkerProcess } from '../process/worker-process.ts';
import { registrar } from '../registrar.ts';
import { claimIsDead, HEARTBEAT_INTERVAL_MS, thisHost } from './liveness.ts';
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
/** Restarting workers whose app module fails to import: from this delay, doubling, up to the max. */
const RESTART_BACKOFF_MS = 250;
const RESTART_BACKOFF_MAX_MS = 10_000;
/**
 * Workers killed by a signal while starting, in a row, before the pool concludes they cannot
 * start (a module whose import runs out of memory is killed by the kernel every time).
 */
const KILLS_WHILE_STARTING_TOLERATED = 20;
/** After a failed store write, when to try again. */
const PUMP_RETRY_MS = 100;
/** A worker whose app module import takes longer than this is killed and counts as failed to start. */
const STARTUP_TIMEOUT_MS = 60_000;
/** `start()` waits this long at most for the first workers (a hanging import must not hang the server). */
const STARTUP_WAIT_MS = 15_000;

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
  readonly #workers = new Set<WorkerProcess>();
  readonly #jobs = new Map<string, PoolJob>();
  #writes: PoolWrite[] = [];
  readonly #news = new Set<string>();
  #pumpScheduled = false;
  #closed = false;
  #tick: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #lastDataVersion = -1;
  /** Why the last worker failed to start; cleared once one is ready. */
  #startupError: string | undefined;
  #startFailures = 0;
  /** Workers killed by a signal before they were ready, in a row (see #onExit). */
  #killedWhileStarting = 0;
  /**
   * JSON list of the job functions this pool's workers define: it claims only those jobs, so apps
   * that share a store file never take each other's jobs.
   */
  #functionKeys = '[]';
  readonly #restartTimers = new Set<NodeJS.Timeout>();
  /** Resolves when every worker of the first round is ready or has failed. */
  #firstRound: Promise<void> | undefined;
  #firstRoundPending = 0;
  #firstRoundDone: (() => void) | undefined;

  readonly #recorder: PoolRecorder;

  constructor(options: PoolOptions) {
    this.#o = options;
    this.#recorder = new PoolRecorder(options.store, this.id, thisHost, options.logger);
  }

  /** Starts all workers at once and the store housekeeping; resolves once the workers settled. */
  start(): Promise<void> {
    if (this.#firstRound) return this.#firstRound;
    const now = Date.now();
    this.#o.store.heartbeat(this.id, process.pid, thisHost, [], now);
    this.#housekeeping();
    this.#firstRoundPending = this.#o.workers;
    this.#firstRound = new Promise<void>((resolve) => {
      this.#firstRoundDone = resolve;
    });
    const cap = setTimeout(() => this.#firstRoundDone?.(), STARTUP_WAIT_MS);
    void this.#firstRound.then(() => clearTimeout(cap));
    for (let i = 0; i < this.#o.workers; i++) this.#spawn(true);
    this.#tick = setInterval(() => this.#onTick(), TICK_MS);
    this.#heartbeat = setInterval(() => this.#housekeeping(), HEARTBEAT_INTERVAL_MS);
    // Workers keep the process alive while the pool is open; the timers need not.
    this.#tick.unref();
    this.#heartbeat.unref();
    return this.#firstRound;
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
    this.#recorder.beat(
      [...this.#workers].map((worker) => worker.pid),
      Date.now(),
    );
  }

  /** Stops the workers; jobs still running go back to the queue for another pool. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#tick);
    clearInterval(this.#heartbeat);
    for (const timer of this.#restartTimers) clearTimeout(timer);
    for (const job of this.#jobs.values()) {
      clearTimeout(job.timer);
      if (!job.stopping) this.#writes.push({ op: 'requeue', jobId: job.id });
      else if (job.stopping === 'cancel') this.#writes.push({ op: 'release', jobId: job.id });
    }
    this.#jobs.clear();
    this.#recorder.closed();
    this.#firstRoundDone?.();
    try {
      this.#flush();
      this.#o.store.unregisterPool(this.id);
    } catch (error) {
      // Whatever stays claimed is recovered by the next pool once this process is gone.
      this.#o.logger.error('could not hand background jobs back to the store', error);
    }
    await Promise.all([...this.#workers].map((worker) => worker.terminate(CLOSE_GRACE_MS)));
  }

  #spawn(firstRound = false): void {
    if (this.#closed) return;
    let settled = !firstRound;
    const settle = () => {
      if (settled) return;
      settled = true;
      if (--this.#firstRoundPending === 0) this.#firstRoundDone?.();
    };
    // An import that never finishes must not leave jobs queued forever behind it.
    const startupTimer = setTimeout(
      () =>
        worker.abandonStartup(
          `the app module did not finish importing within ${STARTUP_TIMEOUT_MS / 1000} s`,
        ),
      STARTUP_TIMEOUT_MS,
    );
    startupTimer.unref();
    const worker = new WorkerProcess(this.#o.appModule, {
      ready: (ready) => {
        clearTimeout(startupTimer);
        const known = new Set<string>([...JSON.parse(this.#functionKeys), ...ready.functionKeys]);
        this.#functionKeys = JSON.stringify([...known]);
        settle();
        this.#startupError = undefined;
        this.#startFailures = 0;
        this.#killedWhileStarting = 0;
        this.#schedulePump();
      },
      failed: (_worker, message, stack) => {
        if (this.#startupError !== message) {
          this.#o.logger.error(`a background worker could not start: ${message}`, stack ?? '');
        }
        this.#startupError = message;
      },
      events: (w, jobId, events) => this.#onEvents(w, jobId, events),
      done: (w, jobId, kind, outcome) => this.#onDone(w, jobId, kind, outcome),
      exited: (w, code, signal) => {
        clearTimeout(startupTimer);
        settle();
        this.#onExit(w, code, signal);
      },
    });
    this.#workers.add(worker);
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
    const decision =
      job.policy.retry.attempts > job.attempt
        ? retryDecision(job.policy, job.attempt, parsed ?? (JSON.parse(outcome) as JobOutcome))
        : { retry: false as const };
    if (!decision.retry) {
      this.#writes.push({ op: 'finish', jobId: job.id, outcome, cacheable });
      return;
    }
    this.#writes.push({ op: 'retry', jobId: job.id, delayMs: decision.delayMs });
    // Claim it again once its backoff is over (another pool may do so first).
    const timer = setTimeout(() => {
      this.#restartTimers.delete(timer);
      this.#schedulePump();
    }, decision.delayMs + 1);
    this.#restartTimers.add(timer);
  }

  #onExit(worker: WorkerProcess, code: number | null, signal: NodeJS.Signals | null): void {
    this.#workers.delete(worker);
    if (this.#closed) return;
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
      } else if (worker.wasKilledByPool) {
        // Killed to stop a neighbour: this job did nothing wrong and runs again.
        this.#writes.push({ op: 'requeue', jobId });
      } else {
        this.#end(job, JSON.stringify(lost), false, lost);
      }
    }
    this.#schedulePump();
    if (worker.becameReady || worker.wasKilledByPool) {
      this.#spawn();
      return;
    }
    // It never became ready. Killed by a signal from outside (an operator, a chaos test, the
    // out-of-memory killer) it says nothing about the app module: start another, and leave the
    // queued jobs waiting for it, unless it keeps happening.
    const killedFromOutside = signal !== null && worker.startupError === undefined;
    let delay = RESTART_BACKOFF_MS;
    if (killedFromOutside && ++this.#killedWhileStarting < KILLS_WHILE_STARTING_TOLERATED) {
      this.#o.logger.warn(`a background worker was killed by ${signal} while starting; starting another`);
    } else {
      // The app module does not import (or the process cannot start): queued jobs end with why.
      const reason =
        worker.startupError ?? `the worker process ${exitDescription(code, signal)} before it was ready`;
      if (this.#startupError !== reason)
        this.#o.logger.error(`a background worker could not start: ${reason}`);
      this.#startupError = reason;
      delay = Math.min(RESTART_BACKOFF_MS * 2 ** this.#startFailures++, RESTART_BACKOFF_MAX_MS);
    }
    const timer = setTimeout(() => {
      this.#restartTimers.delete(timer);
      this.#spawn();
    }, delay);
    this.#restartTimers.add(timer);
  }

  #forget(job: PoolJob): void {
    clearTimeout(job.timer);
    job.worker.jobs.delete(job.id);
    this.#jobs.delete(job.id);
  }

  /** Aborts a job's signal and, if it keeps running past the grace period, kills its worker. */
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
    const { free, capacity } = this.#freeSlots();
    const writes = this.#writes;
    this.#writes = [];
    let claimed: ClaimedJob[] = [];
    try {
      const turn = this.#o.store.pump(this.id, writes, capacity, this.#functionKeys, Date.now());
      for (const jobId of turn.changed) this.#news.add(jobId);
      claimed = turn.claimed;
      if (capacity === 0 && this.#startupError !== undefined && !this.#hasReadyWorker()) {
        this.#failQueued(this.#startupError);
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

  /** Writes everything pending now (at close: before the hand-back). */
  #flush(): void {
    const writes = this.#writes;
    this.#writes = [];
    for (const jobId of this.#o.store.pump(this.id, writes, 0, this.#functionKeys, Date.now()).changed) {
      this.#news.add(jobId);
    }
  }

  #announce(): void {
    if (this.#news.size === 0) return;
    const news = [...this.#news];
    this.#news.clear();
    this.#o.onNews(news);
  }

  /** Ready workers with room for another job, and how many jobs they can take in all. */
  #freeSlots(): { free: WorkerProcess[]; capacity: number } {
    const free: WorkerProcess[] = [];
    let capacity = 0;
    for (const worker of this.#workers) {
      if (!worker.isReady) continue;
      const slots = this.#o.concurrency - worker.jobs.size;
      if (slots > 0) {
        free.push(worker);
        capacity += slots;
      }
    }
    return { free, capacity };
  }

  #hasReadyWorker(): boolean {
    for (const worker of this.#workers) if (worker.isReady) return true;
    return false;
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
    if (!this.#o.jobFunctionKeys || !this.#hasReadyWorker()) return;
    const workerKeys = JSON.parse(this.#functionKeys) as string[];
    for (const key of keysNoWorkerDefines(this.#o.jobFunctionKeys(), workerKeys)) {
      const outcome = unrunnableOutcome(key, this.#o.appModule);
      const failed = this.#o.store.failQueued(outcome, JSON.stringify([key]), 1000, Date.now());
      for (const jobId of failed) this.#news.add(jobId);
    }
  }

  #dispatch(claimed: ClaimedJob, free: WorkerProcess[]): void {
    // The least busy worker: with concurrency 1 that is any free one.
    let worker = free[0]!;
    for (const candidate of free) if (candidate.jobs.size < worker.jobs.size) worker = candidate;
    const policy = claimed.policy ? (JSON.parse(claimed.policy) as JobPolicy) : DEFAULT_POLICY;
    const job: PoolJob = { id: claimed.id, worker, attempt: claimed.attempt, policy };
    this.#jobs.set(job.id, job);
    worker.jobs.add(job.id);
    if (worker.jobs.size >= this.#o.concurrency) free.splice(free.indexOf(worker), 1);
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
    const store = this.#o.store;
    const now = Date.now();
    try {
      store.heartbeat(this.id, process.pid, thisHost, [...this.#jobs.keys()], now);
      this.#recorder.refresh();
      this.#recorder.beat(
        [...this.#workers].map((worker) => worker.pid),
        now,
      );
      // Writes with no news to carry them (a worker assignment of a quiet job) go now.
      if (this.#writes.length > 0) this.#schedulePump();
      const dead = store.foreignClaims(this.id).filter((claim) => claimIsDead(claim, now));
      if (dead.length > 0) {
        const changed = store.recover(dead, serverDied, now);
        for (const jobId of changed) this.#news.add(jobId);
        if (changed.length > 0) {
          this.#o.logger.warn(`took back ${changed.length} background job(s) of a stopped server process`);
        }
        this.#schedulePump();
      }
      store.sweep(now, this.#o.finishedTtlMs);
      // Retries whose backoff another pool set up are due by now, whatever that pool is doing.
      this.#schedulePump();
      this.#announce();
    } catch (error) {
      // A busy or briefly unavailable file must not crash the server; the next round retries.
      this.#o.logger.error('background store housekeeping failed', error);
    }
  }
}

/** A job whose server process (and so its worker) died while it ran, seen by another pool. */
const serverDied: JobOutcome = {
  kind: 'lost',
  message:
    'the server process running this job stopped (killed, crashed or hung) while the job ran, ' +
    'so its worker went with it',
};

function lostMessage(code: number | null, signal: NodeJS.Signals | null): JobOutcome {
  const hint =
    signal === 'SIGKILL' ? ' (by the job itself, another process, or the out-of-memory killer)' : '';
  return {
    kind: 'lost',
    message: `the worker process running this job ${exitDescription(code, signal)}${hint}`,
  };
}

function exitDescription(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `was killed by ${signal}`;
  return code === null ? 'could not be started' : `exited with code ${code}`;
}
