/**
 * Runs a worker's jobs in one warm child process: the SqliteManager pool's generic worker
 * process (../process/worker-process.ts and worker-entry.ts: it imports the app module in worker
 * mode and runs job functions by registrar key). The `dash-ts worker` process itself only talks
 * to Redis, so a CPU-bound job never delays its heartbeats or BullMQ's lock renewal.
 *
 * A job that ignores its signal past the grace period is hard-stopped by killing the child,
 * which is replaced at once; the other jobs that were on it start again on the new one (they did
 * nothing wrong). So do the jobs of a child stopped from outside with SIGTERM, SIGINT or SIGHUP
 * (Ctrl-C in a terminal, or a service manager stopping the worker's whole process group): that
 * is a shutdown, not a crash, and the worker hands those jobs back if it is stopping too. A child
 * that dies otherwise (killed, out of memory, crashed) takes its jobs with it: they end lost.
 */
import type { Logger } from '../../app/log.ts';
import type { EventRecord } from '../process/ipc.ts';
import { WorkerProcess } from '../process/worker-process.ts';
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
  /** The child running it; undefined while it waits for one. */
  child?: WorkerProcess;
  stopping: boolean;
  /** It already started again once after its child was stopped from outside. */
  restarted?: boolean;
  graceTimer?: NodeJS.Timeout;
}

/** A replacement child that fails to start is retried after this delay, doubling up to the max. */
const RESTART_BACKOFF_MS = 250;
const RESTART_BACKOFF_MAX_MS = 10_000;
/** After this many failed starts in a row, jobs waiting for a child end lost instead of waiting on. */
const FAILED_STARTS_BEFORE_GIVING_UP = 3;
/** How long the first child may take to import the app module. */
const STARTUP_WAIT_MS = 30_000;

export class ChildHost {
  readonly #jobs = new Map<string, HostedJob>();
  #child: WorkerProcess | undefined;
  #closed = false;
  /** No replacement children from now on (the worker is shutting down). */
  #respawning = true;
  #failedStarts = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  #firstReady: { resolve: () => void; reject: (error: Error) => void } | undefined;
  /** Callers of whenReady() waiting for a replacement child. */
  #readyWaiters: (() => void)[] = [];

  constructor(
    private readonly appModule: string,
    private readonly cancelGraceMs: number,
    private readonly logger: Logger,
    private readonly handlers: ChildHostHandlers,
  ) {}

  /** Starts the child; resolves once it has imported the app module, rejects if it cannot. */
  start(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#firstReady = undefined;
        this.#child?.abandonStartup(`the app module took over ${STARTUP_WAIT_MS / 1000} s to import`);
        reject(new BullMQManagerError(`the job process did not start within ${STARTUP_WAIT_MS / 1000} s`));
      }, STARTUP_WAIT_MS);
      this.#firstReady = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.#spawn();
    });
  }

  /**
   * Resolves once a child is ready for jobs (at once if one is), or once trying is pointless
   * (closed, or repeated failures to start). A worker waits for this before taking another job,
   * so a job is not taken by a worker whose job process is being replaced while others are idle.
   */
  whenReady(): Promise<void> {
    if (
      this.#closed ||
      !this.#respawning ||
      this.#child?.isReady ||
      this.#failedStarts >= FAILED_STARTS_BEFORE_GIVING_UP
    ) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#readyWaiters.push(resolve));
  }

  #wakeReadyWaiters(): void {
    const waiters = this.#readyWaiters;
    this.#readyWaiters = [];
    for (const wake of waiters) wake();
  }

  run(id: string, key: string, payload: string, attempt: number): void {
    const job: HostedJob = { id, key, payload, attempt, stopping: false };
    this.#jobs.set(id, job);
    this.#dispatch(job);
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
      if (this.#jobs.get(id) === job && job.child === child) child.kill();
    }, this.cancelGraceMs);
  }

  /** Forgets a job without telling anyone (it was handed back): whatever it still sends is ignored. */
  abandon(id: string): void {
    const job = this.#jobs.get(id);
    if (!job) return;
    this.#forget(job);
    job.child?.send({ t: 'abort', id });
  }

  /** The worker is shutting down: a child that exits is not replaced. */
  stopRespawning(): void {
    this.#respawning = false;
    this.#wakeReadyWaiters();
  }

  async close(graceMs: number): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#restartTimer);
    for (const job of this.#jobs.values()) clearTimeout(job.graceTimer);
    this.#jobs.clear();
    this.#wakeReadyWaiters();
    await this.#child?.terminate(graceMs);
  }

  #spawn(): void {
    if (this.#closed) return;
    const child = new WorkerProcess(this.appModule, {
      ready: (w) => {
        if (w !== this.#child) return;
        this.#failedStarts = 0;
        this.#firstReady?.resolve();
        this.#firstReady = undefined;
        for (const job of this.#jobs.values()) if (!job.child) this.#dispatch(job);
        this.#wakeReadyWaiters();
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
      },
      exited: (w, code, signal) => this.#onExit(w, code, signal),
    });
    this.#child = child;
  }

  #dispatch(job: HostedJob): void {
    const child = this.#child;
    if (!child?.isReady) return;
    job.child = child;
    child.jobs.add(job.id);
    child.send({ t: 'run', id: job.id, key: job.key, payload: job.payload, attempt: job.attempt });
  }

  #forget(job: HostedJob): void {
    clearTimeout(job.graceTimer);
    job.child?.jobs.delete(job.id);
    this.#jobs.delete(job.id);
  }

  #onExit(child: WorkerProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.#child || this.#closed) return;
    this.#child = undefined;
    const lost = `the process running this job ${exitDescription(code, signal)}${
      signal === 'SIGKILL' && !child.wasKilledByPool ? ' (out of memory, or killed from outside)' : ''
    }`;
    const stoppedFromOutside = signal === 'SIGTERM' || signal === 'SIGINT' || signal === 'SIGHUP';
    if (stoppedFromOutside && child.jobs.size > 0) {
      this.logger.warn(
        `the job process was stopped by ${signal}; its jobs start again (or go back to the queue)`,
      );
    }
    for (const job of [...this.#jobs.values()]) {
      if (job.child !== child) continue;
      if (job.stopping) {
        this.#forget(job);
        this.handlers.ended(job.id, undefined);
      } else if (child.wasKilledByPool || (stoppedFromOutside && !job.restarted)) {
        // Killed to stop a neighbour, or shut down: this one runs again on the replacement
        // (once only after a shutdown signal, in case the job itself keeps sending it).
        if (!child.wasKilledByPool) job.restarted = true;
        child.jobs.delete(job.id);
        job.child = undefined;
      } else {
        // The operator's only trace of a crash: the user sees the error through the job's outcome.
        this.logger.warn(`job ${job.id} ended: ${lost}`);
        this.#forget(job);
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
      for (const job of [...this.#jobs.values()]) {
        this.#forget(job);
        this.handlers.ended(job.id, `no job process could start on this worker: ${reason}`);
      }
      this.#wakeReadyWaiters();
    }
    const delay = Math.min(RESTART_BACKOFF_MS * 2 ** (this.#failedStarts - 1), RESTART_BACKOFF_MAX_MS);
    this.#restartTimer = setTimeout(() => this.#spawn(), delay);
  }
}

function exitDescription(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `was killed by ${signal}`;
  return code === null ? 'could not be started' : `exited with code ${code}`;
}
