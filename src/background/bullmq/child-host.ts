/**
 * Runs a worker's jobs in warm child processes, one per slot (`concurrency` of them), each
 * running one job at a time: the SqliteManager pool's generic worker process
 * (../process/worker-process.ts and worker-entry.ts: it imports the app module in worker mode and
 * runs job functions by registrar key). The `dash-ts worker` process itself only talks to Redis,
 * so a CPU-bound job never delays its heartbeats or BullMQ's lock renewal.
 *
 * One job per process is what makes a hard stop safe: a job that ignores its signal past the
 * grace period is stopped by killing its own process, which holds no other job, and that slot's
 * process is replaced at once. A child that dies otherwise (killed, out of memory, crashed) takes
 * only its own job with it: that job ends lost. Children ignore the shutdown signals a terminal
 * or service manager sends the whole process group (worker-entry.ts): the worker decides when
 * they stop, after its running jobs had their grace period (worker.ts).
 */
import type { Logger } from '../../base/log.ts';
import type { EventRecord } from '../process/ipc.ts';
import { exitDescription, WorkerProcess } from '../process/worker-process.ts';
import { BullMQManagerError } from './errors.ts';

export interface ChildHostHandlers {
  events(jobId: string, events: EventRecord[]): void;
  /** The job function returned or threw; `outcome` is a JobOutcome as JSON. */
  done(jobId: string, kind: string, outcome: string): void;
  /** The job ended without an outcome: stopped on request (`lost` undefined), or its process died. */
  ended(jobId: string, lost: string | undefined): void;
}

interface HostedJob {
  readonly id: string;
  readonly key: string;
  readonly payload: string;
  readonly attempt: number;
  /** The child running it; undefined while it waits for a free one. */
  child?: WorkerProcess;
  stopping: boolean;
  graceTimer?: NodeJS.Timeout;
}

/** A replacement child that fails to start is retried after this delay, doubling up to the max. */
const RESTART_BACKOFF_MS = 250;
const RESTART_BACKOFF_MAX_MS = 10_000;
/** After this many failed starts in a row, jobs waiting for a child end lost instead of waiting on. */
const FAILED_STARTS_BEFORE_GIVING_UP = 3;
/** How long the first children may take to import the app module. */
const STARTUP_WAIT_MS = 30_000;

export class ChildHost {
  readonly #jobs = new Map<string, HostedJob>();
  readonly #children = new Set<WorkerProcess>();
  /** Jobs waiting for a free child, oldest first. */
  #waiting: HostedJob[] = [];
  #closed = false;
  /** No replacement children from now on (the worker is shutting down). */
  #respawning = true;
  #failedStarts = 0;
  readonly #restartTimers = new Set<NodeJS.Timeout>();
  #firstReady: { pending: number; resolve: () => void; reject: (error: Error) => void } | undefined;
  /** Callers of whenReady() waiting for a free child. */
  #readyWaiters: (() => void)[] = [];

  constructor(
    private readonly appModule: string,
    private readonly slots: number,
    private readonly cancelGraceMs: number,
    private readonly logger: Logger,
    private readonly handlers: ChildHostHandlers,
  ) {}

  /**
   * Starts one child per slot; resolves once all imported the app module (every slot is warm
   * before the worker takes a job), rejects if one cannot.
   */
  start(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#firstReady = undefined;
        for (const child of this.#children) {
          child.abandonStartup(`the app module took over ${STARTUP_WAIT_MS / 1000} s to import`);
        }
        reject(new BullMQManagerError(`the job process did not start within ${STARTUP_WAIT_MS / 1000} s`));
      }, STARTUP_WAIT_MS);
      this.#firstReady = {
        pending: this.slots,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      for (let i = 0; i < this.slots; i++) this.#spawn();
    });
  }

  /**
   * Resolves once a child is free for another job (at once if one is), or once waiting is
   * pointless (closed, or repeated failures to start). A worker waits for this before taking
   * another job, so a job is not taken while its slot's process is being replaced.
   */
  whenReady(): Promise<void> {
    if (this.#closed || !this.#respawning || this.#hasFreeChild()) return Promise.resolve();
    if (this.#failedStarts >= FAILED_STARTS_BEFORE_GIVING_UP) return Promise.resolve();
    return new Promise((resolve) => this.#readyWaiters.push(resolve));
  }

  run(id: string, key: string, payload: string, attempt: number): void {
    const job: HostedJob = { id, key, payload, attempt, stopping: false };
    this.#jobs.set(id, job);
    this.#waiting.push(job);
    this.#dispatchWaiting();
  }

  /** Whether the job has begun in a child (false: it still waits for one, and has done nothing). */
  hasBegun(id: string): boolean {
    return this.#jobs.get(id)?.child !== undefined;
  }

  /** Aborts the job's signal; if it is still running after the grace period, kills its child. */
  stop(id: string): void {
    const job = this.#jobs.get(id);
    if (!job || job.stopping) return;
    job.stopping = true;
    const child = job.child;
    if (!child) {
      // Never started: nothing to abort.
      this.#forget(job);
      this.handlers.ended(id, undefined);
      return;
    }
    child.send({ t: 'abort', id });
    job.graceTimer = setTimeout(() => {
      // The child runs this job only: killing it stops nothing else.
      if (this.#jobs.get(id) === job && job.child === child) child.kill();
    }, this.cancelGraceMs);
  }

  /**
   * Forgets a job without telling anyone (the worker ended it itself): whatever it still sends is
   * ignored, and its child, which may still be busy with it, is replaced.
   */
  abandon(id: string): void {
    const job = this.#jobs.get(id);
    if (!job) return;
    const child = job.child;
    this.#forget(job);
    if (child) child.kill();
  }

  /** The worker is shutting down: a child that exits is not replaced. */
  stopRespawning(): void {
    this.#respawning = false;
    this.#wakeReadyWaiters();
  }

  async close(graceMs: number): Promise<void> {
    this.#closed = true;
    for (const timer of this.#restartTimers) clearTimeout(timer);
    for (const job of this.#jobs.values()) clearTimeout(job.graceTimer);
    this.#jobs.clear();
    this.#waiting = [];
    this.#wakeReadyWaiters();
    await Promise.all([...this.#children].map((child) => child.terminate(graceMs)));
  }

  #hasFreeChild(): boolean {
    let free = 0;
    for (const child of this.#children) if (child.isReady && child.jobs.size === 0) free++;
    return free > this.#waiting.length;
  }

  #wakeReadyWaiters(): void {
    const waiters = this.#readyWaiters;
    this.#readyWaiters = [];
    for (const wake of waiters) wake();
  }

  #spawn(): void {
    if (this.#closed) return;
    const child = new WorkerProcess(this.appModule, {
      ready: () => {
        this.#failedStarts = 0;
        const first = this.#firstReady;
        if (first && --first.pending === 0) {
          first.resolve();
          this.#firstReady = undefined;
        }
        this.#dispatchWaiting();
        if (this.#hasFreeChild()) this.#wakeReadyWaiters();
      },
      failed: (_w, message, stack) => {
        this.logger.error(`the job process could not load the app module: ${message}`, stack ?? '');
      },
      events: (w, jobId, events) => {
        const job = this.#jobs.get(jobId);
        if (job && job.child === w && !job.stopping) this.handlers.events(jobId, events);
      },
      done: (w, jobId, kind, outcome) => {
        const job = this.#jobs.get(jobId);
        if (!job || job.child !== w) return;
        this.#forget(job);
        this.handlers.done(jobId, kind, outcome);
        this.#dispatchWaiting();
        if (this.#hasFreeChild()) this.#wakeReadyWaiters();
      },
      exited: (w, code, signal) => this.#onExit(w, code, signal),
    });
    this.#children.add(child);
  }

  /** Hands waiting jobs to free children, oldest first. */
  #dispatchWaiting(): void {
    for (const child of this.#children) {
      if (this.#waiting.length === 0) return;
      if (!child.isReady || child.jobs.size > 0) continue;
      const job = this.#waiting.shift()!;
      job.child = child;
      child.jobs.add(job.id);
      child.send({ t: 'run', id: job.id, key: job.key, payload: job.payload, attempt: job.attempt });
    }
  }

  #forget(job: HostedJob): void {
    clearTimeout(job.graceTimer);
    job.child?.jobs.delete(job.id);
    this.#jobs.delete(job.id);
    this.#waiting = this.#waiting.filter((waiting) => waiting !== job);
  }

  #onExit(child: WorkerProcess, code: number | null, signal: NodeJS.Signals | null): void {
    this.#children.delete(child);
    if (this.#closed) return;
    const lost = `the process running this job ${exitDescription(code, signal)}${
      signal === 'SIGKILL' && !child.wasKilledByPool ? ' (out of memory, or killed from outside)' : ''
    }`;
    for (const job of [...this.#jobs.values()]) {
      if (job.child !== child) continue;
      this.#forget(job);
      if (job.stopping) {
        this.handlers.ended(job.id, undefined);
      } else {
        // The operator's only trace of a crash: the user sees the error through the job's outcome.
        this.logger.warn(`job ${job.id} ended: ${lost}`);
        this.handlers.ended(job.id, lost);
      }
    }
    if (!this.#respawning) return;
    if (child.becameReady || child.wasKilledByPool) {
      this.#spawn();
      return;
    }
    const reason =
      child.startupError ?? `the job process ${exitDescription(code, signal)} before it was ready`;
    if (this.#firstReady) {
      this.#firstReady.reject(new BullMQManagerError(reason));
      this.#firstReady = undefined;
      return;
    }
    if (++this.#failedStarts >= FAILED_STARTS_BEFORE_GIVING_UP) {
      for (const job of [...this.#waiting]) {
        this.#forget(job);
        this.handlers.ended(job.id, `no job process could start on this worker: ${reason}`);
      }
      this.#wakeReadyWaiters();
    }
    const delay = Math.min(RESTART_BACKOFF_MS * 2 ** (this.#failedStarts - 1), RESTART_BACKOFF_MAX_MS);
    const timer = setTimeout(() => {
      this.#restartTimers.delete(timer);
      this.#spawn();
    }, delay);
    this.#restartTimers.add(timer);
  }
}
