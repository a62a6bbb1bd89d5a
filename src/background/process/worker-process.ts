/**
 * One warm worker process of the pool: forks worker-entry, speaks the IPC protocol of ipc.ts, and
 * reports its life (ready, failed to start, exited) to the pool exactly once each. The entry loads
 * the app module as the server did (../../app-module/import.ts).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EventRecord, isFromWorker, type ToWorker } from './ipc.ts';

export interface WorkerHandlers {
  ready(worker: WorkerProcess): void;
  /** The app module failed to import (the exit follows). */
  failed(worker: WorkerProcess, message: string, stack: string | undefined): void;
  events(worker: WorkerProcess, jobId: string, events: EventRecord[]): void;
  done(worker: WorkerProcess, jobId: string, kind: string, outcome: string): void;
  exited(worker: WorkerProcess, code: number | null, signal: NodeJS.Signals | null): void;
}

/** `.js` in the installed package; `.ts` when running from the repository's sources through tsx. */
const OWN_EXTENSION = extname(fileURLToPath(import.meta.url));
const ENTRY = fileURLToPath(new URL(`./worker-entry${OWN_EXTENSION}`, import.meta.url));
/** dash-ts's own TypeScript sources need tsx in the worker too; compiled JavaScript needs nothing. */
const SOURCES_LOADER = (): string[] => (OWN_EXTENSION === '.ts' ? ['--import', tsxLoaderUrl()] : []);

export class WorkerProcess {
  /** Jobs running on this worker now: at most one (a hard stop must stop nothing else). */
  readonly jobs = new Set<string>();
  #state: 'starting' | 'ready' | 'exited' = 'starting';
  /** The job functions its app module defines: the only jobs it is given. */
  functionKeys: string[] = [];
  /** Killed by the pool on purpose (cancel or timeout of its job, or shutdown), not crashed. */
  #killedByPool = false;
  #becameReady = false;
  /** Set when the app module failed to import. */
  #startupError: string | undefined;
  readonly #child: ChildProcess;

  constructor(appModule: string, handlers: WorkerHandlers) {
    this.#child = fork(ENTRY, [appModule], {
      execArgv: [...SOURCES_LOADER(), ...workerHeapFlags(), ...inheritedExecArgv()],
      env: process.env,
      serialization: 'json',
    });
    this.#child.on('message', (message: unknown) => {
      if (!isFromWorker(message) || this.#state === 'exited') return;
      switch (message.t) {
        case 'ready':
          this.functionKeys = message.keys;
          this.#state = 'ready';
          this.#becameReady = true;
          handlers.ready(this);
          break;
        case 'failed':
          this.#startupError = message.message;
          handlers.failed(this, message.message, message.stack);
          break;
        case 'events':
          handlers.events(this, message.id, message.events);
          break;
        case 'done':
          handlers.done(this, message.id, message.kind, message.outcome);
          break;
      }
    });
    const exited = (code: number | null, signal: NodeJS.Signals | null) => {
      if (this.#state === 'exited') return;
      this.#state = 'exited';
      handlers.exited(this, code, signal);
    };
    this.#child.on('exit', exited);
    this.#child.on('error', (error) => {
      // A failed spawn never emits 'exit'; a failed send is followed by one.
      if (this.#child.pid === undefined) {
        this.#startupError ??= `the worker process could not be started: ${error.message}`;
        exited(null, null);
      }
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Ready for jobs now: started, and not being stopped (a job given to a dying process is lost). */
  get isReady(): boolean {
    return this.#state === 'ready' && !this.#killedByPool;
  }

  /** Got as far as ready at some point (true after a crash that followed a good start). */
  get becameReady(): boolean {
    return this.#becameReady;
  }

  get hasExited(): boolean {
    return this.#state === 'exited';
  }

  get wasKilledByPool(): boolean {
    return this.#killedByPool;
  }

  get startupError(): string | undefined {
    return this.#startupError;
  }

  send(message: ToWorker): void {
    if (this.#state === 'exited' || !this.#child.connected) return;
    // A worker that dies mid-send is handled by its 'exit'; the callback keeps the error quiet.
    this.#child.send(message, () => {});
  }

  /** Gives up on a worker that is taking too long to start; it then exits as failed to start. */
  abandonStartup(reason: string): void {
    if (this.#state !== 'starting') return;
    this.#startupError = reason;
    this.#child.kill('SIGKILL');
  }

  /** Hard stop for a job that ignores its signal (the only job it runs): the pool replaces the process. */
  kill(): void {
    this.#killedByPool = true;
    this.#child.kill('SIGKILL');
  }

  /**
   * Resolves once the process has exited: closing its IPC channel ends it (it ignores shutdown
   * signals, see worker-entry.ts); one busy in a job is SIGKILLed after `graceMs`.
   */
  async terminate(graceMs: number): Promise<void> {
    if (this.#state === 'exited' || this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#killedByPool = true;
    if (this.#child.connected) this.#child.disconnect();
    else this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }
}

/** Flags that change what a process runs, or that only make sense once (debuggers, watchers). */
const DROPPED_WITH_VALUE = new Set(['-e', '--eval', '-p', '--print', '--watch-path']);
const DROPPED = /^(--(inspect|debug|watch|test|input-type|interactive|check)|-[ic]$)/;
const LOADERS = new Set(['--import', '--loader', '--experimental-loader', '--require', '-r']);

/** The server's own Node flags (memory limits, conditions, source maps...), fit for a worker. */
/**
 * A small young generation: a warm worker mostly waits, and V8's default (16 MiB semi-spaces)
 * costs ~20-30 MiB per worker under load for no measurable speed-up (bench/RESULTS.md).
 * The server's own flags (and NODE_OPTIONS) still apply after this and win.
 */
function workerHeapFlags(): string[] {
  const userSet = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((arg) =>
    arg.startsWith('--max-semi-space-size'),
  );
  return userSet ? [] : ['--max-semi-space-size=1'];
}

function inheritedExecArgv(): string[] {
  const out: string[] = [];
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const takesNext = inline === undefined && (DROPPED_WITH_VALUE.has(flag) || LOADERS.has(flag));
    const value = inline ?? (takesNext ? args[i + 1] : undefined);
    if (takesNext) i++;
    if (DROPPED_WITH_VALUE.has(flag) || DROPPED.test(flag)) continue;
    // A tsx loader is not inherited: the worker loads what it needs itself (SOURCES_LOADER, import.ts).
    if (LOADERS.has(flag) && isTsx(value)) continue;
    out.push(arg);
    if (takesNext && value !== undefined) out.push(value);
  }
  return out;
}

function isTsx(specifier: string | undefined): boolean {
  return specifier !== undefined && (/^tsx(\/|$)/.test(specifier) || /[/\\]tsx[/\\]/.test(specifier));
}

let tsxLoader: string | undefined;

/** tsx, resolved from here rather than from the working directory, which need not have it. */
function tsxLoaderUrl(): string {
  tsxLoader ??= import.meta.resolve('tsx');
  return tsxLoader;
}

export function exitDescription(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `was killed by ${signal}`;
  return code === null ? 'could not be started' : `exited with code ${code}`;
}
