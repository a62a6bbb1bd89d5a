/**
 * What `dash-ts worker` runs for one BullMQManager: a BullMQ Worker on the app's queue whose
 * processor claims each job in Redis (a job cancelled while queued is skipped), runs it in the
 * warm job process (child-host.ts), writes its events and outcome (job-writer.ts), and
 *
 * - heartbeats: every HEARTBEAT_MS it marks itself and each of its jobs alive, and learns of
 *   jobs cancelled or given up on while it was not listening;
 * - listens on the queue's cancel channel: a cancel from any server process aborts the job's
 *   signal here, and kills its process after the grace period;
 * - shuts down gracefully: it stops taking jobs, lets running ones finish for shutdownGraceMs,
 *   then hands the rest back to the queue (another worker runs them from the start); none is
 *   left "active" for BullMQ's stalled-job checker to find.
 *
 * BullMQ never retries a job by itself (maxStalledCount 0): a job whose worker died ends `lost`
 * through its heartbeat (liveness.ts), and is never run twice behind the user's back.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Job, WaitingError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../../app/log.ts';
import { timedOutOutcome } from '../job-options/timeout.ts';
import type { JobOutcome } from '../manager.ts';
import { ChildHost } from './child-host.ts';
import { closeClient, createClient, reportErrors } from './connection.ts';
import { JobWriter } from './job-writer.ts';
import { KeySpace } from './keys.ts';
import { HEARTBEAT_MS } from './liveness.ts';
import type { ResolvedOptions } from './options.ts';
import { defineScripts } from './scripts.ts';
import { RedisStore } from './store.ts';

/** What the server puts in each BullMQ job. */
export interface QueuedJobData {
  /** The registrar key of the job function. */
  key: string;
  /** JSON `{ args, context }`, passed to the job process as it is. */
  payload: string;
}

export interface JobWorkerConfig {
  options: ResolvedOptions;
  /** Absolute path of the app module the job process imports. */
  appModule: string;
  logger: Logger;
}

/** BullMQ's own lock on an active job; renewed by this process, whose event loop stays free. */
const LOCK_DURATION_MS = 15_000;
const STALLED_INTERVAL_MS = 5_000;
/** After SIGTERM, how long the job process may take to exit before SIGKILL. */
const CHILD_EXIT_GRACE_MS = 500;

/** Why a job is being stopped before it ended by itself. */
type StopReason = 'cancel' | 'timeout' | 'gone' | 'handback';

type JobEnd =
  | { kind: 'done'; outcome: string; cacheable: boolean }
  | { kind: 'ended'; lost: string | undefined }
  | { kind: 'handback' };

interface ActiveJob {
  readonly id: string;
  /** This attempt's token: every write carries it. */
  readonly token: string;
  phase: 'beginning' | 'running' | 'ending';
  stop?: StopReason;
  end?: (end: JobEnd) => void;
  timeoutTimer?: NodeJS.Timeout;
}

export class JobWorker {
  readonly id = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  readonly #c: JobWorkerConfig;
  readonly #keys: KeySpace;
  readonly #active = new Map<string, ActiveJob>();
  #commands: Redis | undefined;
  #subscriber: Redis | undefined;
  #bullConnection: Redis | undefined;
  #store: RedisStore | undefined;
  #writer: JobWriter | undefined;
  #host: ChildHost | undefined;
  #bull: Worker<QueuedJobData, void> | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;
  /** Shutting down: jobs still running are handed back. */
  #stopping = false;
  #beating = true;
  #beatInFlight = false;

  constructor(config: JobWorkerConfig) {
    this.#c = config;
    this.#keys = new KeySpace(config.options.prefix, config.options.queueName);
  }

  async start(): Promise<void> {
    const { options, logger, appModule } = this.#c;
    const host = new ChildHost(appModule, options.cancelGraceMs, logger, {
      events: (jobId, events) => {
        const job = this.#active.get(jobId);
        if (job && !job.stop) this.#writer!.events(jobId, job.token, events);
      },
      done: (jobId, kind, outcome) =>
        this.#active.get(jobId)?.end?.({ kind: 'done', outcome, cacheable: kind === 'result' }),
      ended: (jobId, lost) => this.#active.get(jobId)?.end?.({ kind: 'ended', lost }),
    });
    this.#host = host;
    // The job process first: a worker that cannot run jobs must not take any.
    await host.start();

    const commands = createClient(options.connection, { name: 'dash-ts:worker', policy: 'wait', logger });
    this.#commands = commands;
    defineScripts(commands);
    this.#store = new RedisStore(commands, this.#keys, options);
    this.#writer = new JobWriter(this.#store, logger);

    const subscriber = createClient(options.connection, {
      name: 'dash-ts:worker-cancel',
      policy: 'wait',
      logger,
    });
    this.#subscriber = subscriber;
    subscriber.on('message', (channel: string, jobId: string) => {
      if (channel === this.#keys.cancelChannel) this.#onCancel(jobId);
    });
    // Cancels published while reconnecting were missed: the heartbeat reads them from the store.
    subscriber.on('ready', () => void this.#beat());
    await subscriber.subscribe(this.#keys.cancelChannel);

    await this.#beat();
    this.#heartbeat = setInterval(() => void this.#beat(), HEARTBEAT_MS);

    this.#bullConnection = createClient(options.connection, {
      name: 'dash-ts:bullmq',
      policy: 'wait',
      logger,
    });
    const bull = new Worker<QueuedJobData, void>(
      options.queueName,
      (job, token) => this.#process(job, token),
      {
        connection: this.#bullConnection,
        prefix: options.prefix,
        concurrency: options.concurrency,
        autorun: false,
        name: this.id,
        lockDuration: LOCK_DURATION_MS,
        stalledInterval: STALLED_INTERVAL_MS,
        maxStalledCount: 0,
        removeOnComplete: { count: 0 },
        removeOnFail: { count: 0 },
      },
    );
    this.#bull = bull;
    reportErrors(bull, `BullMQ worker on ${options.queueName}`, this.#bullConnection, logger);
    void bull.run().catch((error) => logger.error('the BullMQ worker stopped', error));
    await bull.waitUntilReady();
  }

  async #process(job: Job<QueuedJobData, void>, bullToken: string | undefined): Promise<void> {
    const id = job.id;
    if (!id) return;
    const store = this.#store!;
    const active: ActiveJob = { id, token: randomBytes(12).toString('base64url'), phase: 'beginning' };
    this.#active.set(id, active);
    try {
      const begun = await store.begin(id, active.token);
      // Cancelled or expired while queued: nothing to run.
      if (begun !== 'ok') return;
      if (this.#stopping) active.stop = 'handback';
      if (active.stop) return await this.#settle(job, bullToken, active, { kind: 'ended', lost: undefined });
      active.phase = 'running';
      const ended = new Promise<JobEnd>((resolve) => {
        active.end = resolve;
      });
      this.#host!.run(id, job.data.key, job.data.payload);
      const { timeoutMs } = this.#c.options;
      if (timeoutMs !== undefined) active.timeoutTimer = setTimeout(() => this.#timeout(active), timeoutMs);
      await this.#settle(job, bullToken, active, await ended);
      // A stopped or crashed job process is being replaced: take no other job until it is back.
      await this.#host!.whenReady();
    } finally {
      clearTimeout(active.timeoutTimer);
      this.#active.delete(id);
    }
  }

  /** Writes how the attempt ended; a handed-back job goes back to BullMQ's wait list. */
  async #settle(
    job: Job<QueuedJobData, void>,
    bullToken: string | undefined,
    active: ActiveJob,
    end: JobEnd,
  ): Promise<void> {
    active.phase = 'ending';
    const store = this.#store!;
    const writer = this.#writer!;
    if (active.stop === 'handback') {
      writer.drop(active.id);
      this.#host!.abandon(active.id);
      if (await store.handback(active.id, active.token)) {
        try {
          await job.moveToWait(bullToken);
        } catch (error) {
          // Its BullMQ lock was lost (Redis was away longer than the lock): BullMQ has failed it.
          this.#c.logger.error(`could not hand job ${active.id} back to the queue`, error);
          await this.#giveUp(active, 'its worker shut down and could not hand it back to the queue');
          return;
        }
        // Tells BullMQ the job has been moved, not finished.
        throw new WaitingError();
      }
      return;
    }
    if (active.stop === undefined && end.kind === 'done') {
      await writer.finish(active.id, active.token, end.outcome, end.cacheable);
    } else if (active.stop === undefined && end.kind === 'ended' && end.lost !== undefined) {
      const lost: JobOutcome = { kind: 'lost', message: end.lost };
      await writer.finish(active.id, active.token, JSON.stringify(lost), false);
    } else {
      writer.drop(active.id);
      await store.release(active.id, active.token);
    }
  }

  /** Ends a job lost, whatever attempt holds it (it is queued again, with no attempt, after a handback). */
  async #giveUp(active: ActiveJob, message: string): Promise<void> {
    const token = randomBytes(12).toString('base64url');
    if ((await this.#store!.begin(active.id, token)) !== 'ok') return;
    const lost: JobOutcome = { kind: 'lost', message };
    await this.#store!.finish({ jobId: active.id, token, seq: 1, events: [] }, JSON.stringify(lost), false);
  }

  /** A cancel (or supersede) from any server process. */
  #onCancel(jobId: string): void {
    this.#stop(jobId, 'cancel');
  }

  #stop(jobId: string, reason: StopReason): void {
    const active = this.#active.get(jobId);
    if (!active || active.stop) return;
    active.stop = reason;
    // While beginning, #process sees the flag once the claim returns.
    if (active.phase !== 'running') return;
    if (reason === 'handback') {
      active.end?.({ kind: 'handback' });
      return;
    }
    if (reason !== 'timeout') this.#writer!.drop(jobId);
    this.#host!.stop(jobId);
  }

  async #timeout(active: ActiveJob): Promise<void> {
    if (active.stop || active.phase !== 'running') return;
    const outcome = timedOutOutcome(this.#c.options.timeoutMs ?? 0);
    this.#stop(active.id, 'timeout');
    try {
      await this.#writer!.finish(active.id, active.token, JSON.stringify(outcome), false);
    } catch (error) {
      this.#c.logger.error(`could not store the timeout of job ${active.id}`, error);
    }
  }

  /** Marks this worker and its running jobs alive; stops jobs that are no longer theirs to run. */
  async #beat(): Promise<void> {
    const store = this.#store;
    // While Redis is away a beat waits for it; the ones due meanwhile would only pile up.
    if (!store || !this.#beating || this.#beatInFlight) return;
    this.#beatInFlight = true;
    const running = [...this.#active.values()].filter((job) => job.phase === 'running');
    try {
      const states = await store.heartbeat(this.id, running);
      running.forEach((job, i) => {
        const state = states[i];
        if (job.phase !== 'running' || job.stop) return;
        if (state === 'cancelled') this.#stop(job.id, 'cancel');
        // Given up on (a server declared it lost while this worker was cut off): stop, write nothing.
        else if (state !== 'running') this.#stop(job.id, 'gone');
      });
    } catch (error) {
      this.#c.logger.error('background worker heartbeat failed', error);
    } finally {
      this.#beatInFlight = false;
    }
  }

  /**
   * Stops taking jobs, lets running ones finish for shutdownGraceMs, hands the rest back to the
   * queue, then closes everything. Safe to call more than once.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const { logger, options } = this.#c;
    // The job process may be stopping with us (Ctrl-C, or a service manager signalling the whole
    // process group): its jobs then wait for the handback below rather than a new process.
    this.#host?.stopRespawning();
    const bull = this.#bull;
    const closed = (bull?.close() ?? Promise.resolve()).catch((error) =>
      logger.error('closing the BullMQ worker failed', error),
    );
    const grace = new AbortController();
    const finished = await Promise.race([
      closed.then(() => true),
      sleep(options.shutdownGraceMs, false, { signal: grace.signal }).catch(() => false),
    ]);
    grace.abort();
    if (!finished) {
      this.#stopping = true;
      const running = [...this.#active.values()].filter((job) => !job.stop);
      if (running.length > 0) logger.info(`handing ${running.length} running job(s) back to the queue`);
      for (const job of running) this.#stop(job.id, 'handback');
      await closed;
    }
    // Beating until here: a job still finishing during the grace period must not look dead.
    this.#beating = false;
    clearInterval(this.#heartbeat);
    try {
      await this.#writer?.flush();
      await this.#store?.retire(this.id);
    } catch (error) {
      logger.error('could not record this worker as stopped', error);
    }
    await this.#host?.close(CHILD_EXIT_GRACE_MS);
    await Promise.all(
      [this.#subscriber, this.#commands, this.#bullConnection].map((c) => c && closeClient(c)),
    );
  }
}
