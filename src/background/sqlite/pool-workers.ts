/**
 * The warm worker processes of one SqliteManager pool: starting them, replacing the ones that
 * exit, and giving up (with the reason) on an app module that cannot be imported. What runs on
 * them, and what a worker's exit means for its jobs, is the pool's business (pool.ts).
 *
 * Each process runs one job at a time, so `workers` × `concurrency` of them: a job that ignores
 * its signal is hard-stopped by killing its process, which must hold no other job.
 */
import type { Logger } from '../../base/log.ts';
import type { EventRecord } from '../process/ipc.ts';
import { exitDescription, WorkerProcess } from '../process/worker-process.ts';

export interface PoolWorkersOptions {
  /** Absolute path of the module that defines the app (and so the job functions). */
  appModule: string;
  workers: number;
  /** Jobs per worker at once; each runs in a process of its own. */
  concurrency: number;
  logger: Logger;
}

export interface PoolWorkersHandlers {
  /** A worker is ready for jobs. */
  ready(): void;
  events(worker: WorkerProcess, jobId: string, events: EventRecord[]): void;
  done(worker: WorkerProcess, jobId: string, kind: string, outcome: string): void;
  /** A worker exited (not at close); called before its replacement is started. */
  exited(worker: WorkerProcess, code: number | null, signal: NodeJS.Signals | null): void;
}

/** Restarting workers whose app module fails to import: from this delay, doubling, up to the max. */
const RESTART_BACKOFF_MS = 250;
const RESTART_BACKOFF_MAX_MS = 10_000;
/**
 * Workers killed by a signal while starting, in a row, before the pool concludes they cannot
 * start (a module whose import runs out of memory is killed by the kernel every time).
 */
const KILLS_WHILE_STARTING_TOLERATED = 20;
/** A worker whose app module import takes longer than this is killed and counts as failed to start. */
const STARTUP_TIMEOUT_MS = 60_000;
/** `start()` waits this long at most for the first workers (a hanging import must not hang the server). */
const STARTUP_WAIT_MS = 15_000;

export class PoolWorkers {
  readonly #o: PoolWorkersOptions;
  readonly #handlers: PoolWorkersHandlers;
  readonly #all = new Set<WorkerProcess>();
  #closed = false;
  /** Why the last worker failed to start; cleared once one is ready. */
  #startupError: string | undefined;
  #startFailures = 0;
  /** Workers killed by a signal before they were ready, in a row (see #onExit). */
  #killedWhileStarting = 0;
  /**
   * JSON list of the job functions these workers define: the pool claims only those jobs, so apps
   * that share a store file never take each other's jobs.
   */
  #functionKeys = '[]';
  readonly #restartTimers = new Set<NodeJS.Timeout>();
  /** Resolves when every worker of the first round is ready or has failed. */
  #firstRound: Promise<void> | undefined;
  #firstRoundPending = 0;
  #firstRoundDone: (() => void) | undefined;

  constructor(options: PoolWorkersOptions, handlers: PoolWorkersHandlers) {
    this.#o = options;
    this.#handlers = handlers;
  }

  /** Starts all processes at once; resolves once they are ready or failed (or after STARTUP_WAIT_MS). */
  start(): Promise<void> {
    if (this.#firstRound) return this.#firstRound;
    const processes = this.#o.workers * this.#o.concurrency;
    this.#firstRoundPending = processes;
    this.#firstRound = new Promise<void>((resolve) => {
      this.#firstRoundDone = resolve;
    });
    const cap = setTimeout(() => this.#firstRoundDone?.(), STARTUP_WAIT_MS);
    void this.#firstRound.then(() => clearTimeout(cap));
    for (let i = 0; i < processes; i++) this.#spawn(true);
    return this.#firstRound;
  }

  /** Why workers cannot start, while none has started since it last failed. */
  get startupError(): string | undefined {
    return this.#startupError;
  }

  /** JSON list of the job functions the workers define (the store's claim query takes it as is). */
  get functionKeys(): string {
    return this.#functionKeys;
  }

  get pids(): (number | undefined)[] {
    return [...this.#all].map((worker) => worker.pid);
  }

  /** Ready processes with no job: one job each. */
  free(): WorkerProcess[] {
    return [...this.#all].filter((worker) => worker.isReady && worker.jobs.size === 0);
  }

  hasReadyWorker(): boolean {
    for (const worker of this.#all) if (worker.isReady) return true;
    return false;
  }

  /** Stops every worker (SIGTERM, then SIGKILL after `graceMs`); none is replaced from now on. */
  async close(graceMs: number): Promise<void> {
    this.#closed = true;
    for (const timer of this.#restartTimers) clearTimeout(timer);
    this.#firstRoundDone?.();
    await Promise.all([...this.#all].map((worker) => worker.terminate(graceMs)));
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
        this.#handlers.ready();
      },
      failed: (_worker, message, stack) => {
        if (this.#startupError !== message) {
          this.#o.logger.error(`a background worker could not start: ${message}`, stack ?? '');
        }
        this.#startupError = message;
      },
      events: (w, jobId, events) => this.#handlers.events(w, jobId, events),
      done: (w, jobId, kind, outcome) => this.#handlers.done(w, jobId, kind, outcome),
      exited: (w, code, signal) => {
        clearTimeout(startupTimer);
        settle();
        this.#onExit(w, code, signal);
      },
    });
    this.#all.add(worker);
  }

  #onExit(worker: WorkerProcess, code: number | null, signal: NodeJS.Signals | null): void {
    this.#all.delete(worker);
    if (this.#closed) return;
    this.#handlers.exited(worker, code, signal);
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
}
