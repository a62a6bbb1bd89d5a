/**
 * A pool worker process. It imports the app module in worker mode (so `app.run()` serves
 * nothing and every background callback registers its job function), then runs jobs the pool
 * sends over IPC and reports their events and outcomes. Usage: worker-entry.ts <app-module>.
 */
import { resolve } from 'node:path';
import { importAppModule } from '../../app-module/import.ts';
import { setRuntimeMode } from '../../app-module/runtime.ts';
import { type JobChannel, runJob, yieldsBetweenSteps } from '../job-runner.ts';
import type { JobContextSnapshot, JobOutcome } from '../manager.ts';
import { registrar } from '../registrar.ts';
import { type EventRecord, type FromWorker, isToWorker, type ToWorker } from './ipc.ts';

setRuntimeMode({ kind: 'worker' });

const send = (message: FromWorker) => {
  // The server is gone when the channel is; 'disconnect' below ends this process. A channel
  // closing under a send (the server stopping this process) fails it quietly, not as a crash.
  if (process.connected) process.send?.(message, undefined, undefined, () => {});
};

/**
 * Sends one job's events to the pool. A synchronous job blocks this process's event loop, so
 * nothing deferred (a timer, setImmediate) runs until it returns: its setProps calls are therefore
 * sent at once (all kept, in order). A job that gives the event loop back between its steps (an
 * async function, a generator) has the setProps calls of one step sent together when the step
 * ends (a microtask): sent one by one, a poll could be answered between two calls of one step and
 * the page show half of it (design.md fix 2: merged, not split). Progress is sent at once
 * too, unless a message went out less than
 * PROGRESS_COALESCE_MS ago; then it waits for the end of the turn (or the next event), collapsing
 * to its latest value, so a job that reports in a tight loop does not flood the pool.
 */
const PROGRESS_COALESCE_MS = 20;

class BufferedChannel implements JobChannel {
  #events: EventRecord[] = [];
  #progressAt = -1;
  #scheduled = false;
  #sentAt = Number.NEGATIVE_INFINITY;
  #stepFlushQueued = false;

  constructor(
    private readonly jobId: string,
    /** The job yields to the event loop between steps: a step's setProps go out together. */
    private readonly sendPerStep: boolean,
  ) {}

  progress(values: unknown[]): void {
    const event: EventRecord = { kind: 'progress', body: JSON.stringify(values) };
    if (this.#progressAt >= 0) this.#events[this.#progressAt] = event;
    else {
      this.#progressAt = this.#events.length;
      this.#events.push(event);
    }
    if (performance.now() - this.#sentAt >= PROGRESS_COALESCE_MS) this.flush();
    else this.#schedule();
  }

  setProps(id: string, props: Record<string, unknown>): void {
    this.#events.push({ kind: 'props', body: JSON.stringify([id, props]) });
    if (!this.sendPerStep) {
      this.flush();
      return;
    }
    if (this.#stepFlushQueued) return;
    this.#stepFlushQueued = true;
    queueMicrotask(() => {
      this.#stepFlushQueued = false;
      this.flush();
    });
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.#scheduled = false;
    if (this.#events.length === 0) return;
    send({ t: 'events', id: this.jobId, events: this.#events });
    this.#sentAt = performance.now();
    this.#events = [];
    this.#progressAt = -1;
  }
}

const running = new Map<string, AbortController>();

async function run(message: Extract<ToWorker, { t: 'run' }>): Promise<void> {
  const controller = new AbortController();
  running.set(message.id, controller);
  const job = registrar.get(message.key);
  const channel = new BufferedChannel(message.id, job !== undefined && yieldsBetweenSteps(job.fn));
  let outcome: JobOutcome;
  try {
    if (!job) {
      outcome = {
        kind: 'error',
        message:
          `the worker's app module (${appModule}) does not define this job function (key ${message.key}); ` +
          'does the server run the same version of the app module as its workers?',
      };
    } else {
      const { args, context } = JSON.parse(message.payload) as {
        args: unknown[];
        context: JobContextSnapshot;
      };
      outcome = await runJob(
        job,
        args,
        context,
        channel,
        controller.signal,
        message.attempt ?? 1,
        message.id,
      );
    }
  } catch (error) {
    // runJob turns the job's own errors into outcomes; this is a fault around it (a bad payload).
    const err = error instanceof Error ? error : new Error(String(error));
    outcome = { kind: 'error', message: err.message, stack: err.stack };
  } finally {
    running.delete(message.id);
  }
  channel.flush();
  send({ t: 'done', id: message.id, kind: outcome.kind, outcome: JSON.stringify(outcome) });
}

const appModule = resolve(process.argv[2] ?? '');

process.on('disconnect', () => process.exit(0));
// Ctrl-C in a terminal, or a service manager stopping the whole process group, signals this
// process too: its parent decides when it stops (after its job's shutdown grace period, by
// closing the IPC channel), so a running job is neither cut short nor run again. Without a
// parent there is no one to wait for.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (!process.connected) process.exit(0);
  });
}
// A job's stray timer or promise must not take down the worker and the other jobs on it.
process.on('uncaughtException', (error) => {
  process.stderr.write(`[dash-ts] error: uncaught exception in a background job\n${error.stack ?? error}\n`);
});
process.on('unhandledRejection', (reason) => {
  const detail = reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
  process.stderr.write(`[dash-ts] error: unhandled rejection in a background job\n${detail}\n`);
});

/** Imports the app module; on failure reports why and exits (a worker without jobs is of no use). */
async function importApp(): Promise<boolean> {
  try {
    if (!process.argv[2]) throw new Error('the worker entry needs the app module path as its argument');
    // The server's own way of loading it, so both register the same job functions.
    await importAppModule(appModule);
    return true;
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    const failed: FromWorker = {
      t: 'failed',
      message: `the app module ${appModule} failed to import: ${err.message}`,
      stack: err.stack,
    };
    // Exit only once the message is out: exiting at once could drop it.
    if (process.connected && process.send) process.send(failed, () => process.exit(1));
    else process.exit(1);
    setTimeout(() => process.exit(1), 1000).unref();
    return false;
  }
}

if (await importApp()) {
  process.on('message', (message: unknown) => {
    if (!isToWorker(message)) return;
    if (message.t === 'run') void run(message);
    else running.get(message.id)?.abort();
  });
  send({ t: 'ready', keys: registrar.keys });
}
