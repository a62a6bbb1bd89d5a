/**
 * The engine's own rate, for bench/run.ts: a bare BullMQ Queue and Worker doing the benchmark's
 * trivial job on the same Redis, with none of dash-ts in between. `producers` concurrent
 * producers each add a job, await its completion (through QueueEvents) and check its return
 * value, then add the next; completed cycles are counted over the window.
 *
 * The Worker runs in separate processes (this module, started as a script), one per dash-ts
 * worker of the BullMQ mode and with the same concurrency, so the bare figure has the same
 * topology as ours: producers in one process (as the dash-ts server), workers in others.
 *
 *   node --import tsx bench/bare-bullmq.ts <redis-url> <queue> <concurrency>   (a worker)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Queue, QueueEvents, Worker } from 'bullmq';

interface TrivialResult {
  value: string;
  startedAt: number;
}

const now = () => performance.timeOrigin + performance.now();

export interface BareOptions {
  connection: string;
  /** Worker processes, each with one BullMQ Worker. */
  workers: number;
  /** Each Worker's concurrency. */
  concurrency: number;
}

export interface BareRate {
  perSecond: number;
  /** Request → result per cycle. */
  p50: number;
  /** Request → processor start per cycle. */
  startP50: number;
  failed: number;
}

/** A bare queue with its workers running, measured once per `rate(producers, seconds)`. */
export interface BareBullMQ {
  rate(producers: number, seconds: number): Promise<BareRate>;
  /** The worker processes (for the CPU figures). */
  readonly pids: number[];
  close(): Promise<void>;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function startWorkerProcess(connection: string, queueName: string, concurrency: number) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), connection, queueName, String(concurrency)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  // A crashed benchmark must not leave workers running.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  return new Promise<ChildProcess>((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`bare BullMQ worker exited with ${code}`)));
  });
}

export async function startBareBullMQ(options: BareOptions): Promise<BareBullMQ> {
  const queueName = `bare-${process.pid}`;
  const connection = { url: options.connection, maxRetriesPerRequest: null };
  const queue = new Queue<string, TrivialResult>(queueName, { connection });
  const events = new QueueEvents(queueName, { connection });
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  const started = Array.from({ length: options.workers }, () =>
    startWorkerProcess(options.connection, queueName, options.concurrency),
  );
  let workers: ChildProcess[];
  try {
    workers = await Promise.all(started);
  } catch (error) {
    for (const worker of await Promise.allSettled(started)) {
      if (worker.status === 'fulfilled') worker.value.kill('SIGKILL');
    }
    await Promise.all([events.close(), queue.close()]);
    throw error;
  }
  // Producers waiting for their job, by job id (QueueEvents delivers every job's events).
  const waiting = new Map<string, (result: TrivialResult | Error) => void>();
  events.on('completed', ({ jobId, returnvalue }) =>
    waiting.get(jobId)?.(returnvalue as unknown as TrivialResult),
  );
  events.on('failed', ({ jobId, failedReason }) => waiting.get(jobId)?.(new Error(failedReason)));
  let seq = 0;
  /**
   * Adds one job and resolves with its result. As BullMQManager does, the job has its own id
   * and is removed once complete; the waiter is set before the add, since
   * `job.waitUntilFinished` takes a job removed on completion before it looks for a failure.
   */
  const cycle = (value: string) =>
    new Promise<TrivialResult>((resolve, reject) => {
      const jobId = `j${++seq}`;
      waiting.set(jobId, (result) => {
        waiting.delete(jobId);
        if (result instanceof Error) reject(result);
        else resolve(result);
      });
      queue
        .add('trivial', value, { jobId, removeOnComplete: true, removeOnFail: true })
        .catch((error: Error) => waiting.get(jobId)?.(error));
    });
  return {
    pids: workers.map((w) => w.pid!),
    async rate(producers, seconds) {
      // Warm-up: every worker connection has taken jobs.
      await Promise.all(Array.from({ length: producers }, (_, p) => cycle(`warm-${p}`)));
      const deadline = now() + seconds * 1000;
      let failed = 0;
      const totals: number[] = [];
      const starts: number[] = [];
      await Promise.all(
        Array.from({ length: producers }, async (_, p) => {
          for (let n = 0; now() < deadline; n++) {
            const value = `${p}-${n}`;
            const sentAt = now();
            try {
              const result = await cycle(value);
              if (result.value !== value) throw new Error('wrong result');
              totals.push(now() - sentAt);
              starts.push(result.startedAt - sentAt);
            } catch {
              failed++;
            }
          }
        }),
      );
      return {
        perSecond: totals.length / seconds,
        p50: percentile(totals, 50),
        startP50: percentile(starts, 50),
        failed,
      };
    },
    async close() {
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve) => {
              if (w.exitCode !== null || w.signalCode !== null) return resolve();
              w.once('exit', () => resolve());
              w.kill('SIGTERM');
            }),
        ),
      );
      await events.close();
      await queue.obliterate({ force: true }).catch(() => {});
      await queue.close();
    },
  };
}

/** Started as a script: one Worker on the queue, until SIGTERM. */
async function workerMain([url, queueName, concurrency]: string[]): Promise<void> {
  const worker = new Worker<string, TrivialResult>(
    queueName!,
    async (job) => ({ value: job.data, startedAt: now() }),
    { connection: { url: url!, maxRetriesPerRequest: null }, concurrency: Number(concurrency) },
  );
  await worker.waitUntilReady();
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    void worker.close().then(() => process.exit(0));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await workerMain(process.argv.slice(2));
