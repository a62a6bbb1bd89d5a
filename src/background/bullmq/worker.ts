/**
 * What `dash-ts worker` runs for one BullMQManager: a BullMQ Worker on the app's queue whose
 * processor takes a ticket (tickets.ts), claims the job first in our start order in Redis (jobs
 * cancelled while queued have left the line), runs one try of it in the warm job process
 * (child-host.ts), writes its events and outcome or its next try (job-writer.ts), and
 *
 * - heartbeats: every HEARTBEAT_MS it marks itself and each of its jobs alive, and learns of
 *   jobs cancelled or given up on while it was not listening;
 * - listens on the queue's cancel channel: a cancel from any server process aborts the job's
 *   signal here, and kills its process (which runs that job only) after the grace period;
 * - shuts down gracefully: it stops taking jobs, lets running ones finish for shutdownGraceMs,
 *   then ends the rest lost (another try follows only with retry.onLost: a job that began is
 *   never run again behind its callback's back); a job it claimed but had not begun yet goes
 *   back to the queue. None is left "active" for BullMQ's stalled-job checker to find.
 *
 * A job whose worker died after it began ends `lost` through its heartbeat (liveness.ts), and
 * runs again only if its callback asked (retry.onLost); a ticket whose worker died before it
 * began a job is simply handed out again (see NEVER_FAIL_STALLED).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../../base/log.ts';
import { tryTimeoutMs } from '../job-options/policy.ts';
import { retryDecision } from '../job-options/retry.ts';
import { timedOutOutcome } from '../job-options/timeout.ts';
import type { JobOutcome, JobPolicy } from '../manager.ts';
import { ChildHost } from './child-host.ts';
import { closeClient, createClient, reportErrors, subscribeAlways } from './connection.ts';
import { engine } from './engine.ts';
import { JobWriter } from './job-writer.ts';
import { KeySpace } from './keys.ts';
import { HEARTBEAT_MS } from './liveness.ts';
import type { ResolvedOptions } from './options.ts';
import { defineScripts } from './scripts.ts';
import { RedisStore } from './store.ts';
import { addRetryTicket, type TicketData, type TicketQueue } from './tickets.ts';

export interface JobWorkerConfig {
  options: ResolvedOptions;
  /** Absolute path of the app module the job process imports. */
  appModule: string;
  logger: Logger;
}

/** BullMQ's own lock on an active job; renewed by this process, whose event loop stays free. */
const LOCK_DURATION_MS = 15_000;
const STALLED_INTERVAL_MS = 5_000;
/**
 * BullMQ must never fail a job for stalling. With a low count, its stalled checker marks a job
 * (a ticket, see tickets.ts) whose worker died while holding it, and the next worker to take it
 * fails it without calling our processor, so it never begins the job first in line: the last
 * jobs queued waited forever. Handed out again, a ticket simply begins the next job; a job that
 * had begun under the dead worker ends lost through its heartbeat (liveness.ts).
 */
const NEVER_FAIL_STALLED = 1_000_000;
/** After SIGTERM, how long the job process may take to exit before SIGKILL. */
const CHILD_EXIT_GRACE_MS = 500;

/**
 * Why a job is being stopped before it ended by itself. `shutdown`: still running when the
 * shutdown grace period ran out; `handback`: claimed during shutdown, before it began.
 */
type StopReason = 'cancel' | 'timeout' | 'gone' | 'shutdown' | 'handback';

type JobEnd =
  | { kind: 'done'; outcome: string; cacheable: boolean }
  | { kind: 'ended'; lost: string | undefined }
  | { kind: 'handback' }
  | { kind: 'shutdown' };

interface ActiveJob {
  readonly id: string;
  /** This attempt's token: every write carries it. */
  readonly token: string;
  readonly attempt: number;
  readonly policy: JobPolicy;
  phase: 'running' | 'ending';
  stop?: StopReason;
  /** Set when the try ran past its time limit. */
  timedOut?: JobOutcome;
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
  #bull: Worker<TicketData, void> | undefined;
  /** Adds the tickets of retries. */
  #tickets: TicketQueue | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;
  /** Shutting down: jobs claimed from now on are handed back before they begin. */
  #stopping = false;
  /** close() was called: no job begins under an owed ticket (#runOne). */
  #closeRequested = false;
  #beating = true;
  #beatInFlight = false;
  /** Attempt tokens: unique across workers (a random prefix per worker) without a random draw per job. */
  readonly #tokenPrefix = randomBytes(9).toString('base64url');
  #tokens = 0;

  constructor(config: JobWorkerConfig) {
    this.#c = config;
    this.#keys = new KeySpace(config.options.prefix, config.options.queueName);
  }

  async start(): Promise<void> {
    const { options, logger, appModule } = this.#c;
    const host = new ChildHost(appModule, options.concurrency, options.cancelGraceMs, logger, {
      events: (jobId, events) => {
        const job = this.#active.get(jobId);
        if (job && !job.stop) this.#writer!.events(jobId, job.token, events);
      },
      done: (jobId, kind, outcome) =>
        this.#active.get(jobId)?.end?.({ kind: 'done', outcome, cacheable: kind === 'result' }),
      ended: (jobId, lost) => this.#active.get(jobId)?.end?.({ kind: 'ended', lost }),
    });
    this.#host = host;
    // The job processes first: a worker that cannot run jobs must not take any.
    await host.start();

    const commands = createClient(options.connection, { name: 'dash-ts:worker', policy: 'wait', logger });
    this.#commands = commands;
    defineScripts(commands);
    this.#store = new RedisStore(commands, this.#keys, options);
    this.#writer = new JobWriter(this.#store, logger);
    const { Queue: TicketsQueue, Worker: BullWorker } = engine().bullmq;
    this.#tickets = new TicketsQueue<TicketData, void>(options.queueName, {
      connection: commands,
      prefix: options.prefix,
    });
    reportErrors(this.#tickets, `BullMQ queue ${options.queueName}`, commands, logger);

    const subscriber = createClient(options.connection, {
      name: 'dash-ts:worker-cancel',
      policy: 'wait',
      logger,
      subscriber: true,
    });
    this.#subscriber = subscriber;
    subscriber.on('message', (channel: string, jobId: string) => {
      if (channel === this.#keys.cancelChannel) this.#onCancel(jobId);
    });
    // Cancels published while reconnecting were missed: the heartbeat reads them from the store.
    await subscribeAlways(subscriber, this.#keys.cancelChannel);
    subscriber.on('ready', () => void this.#beat());

    await this.#beat();
    this.#heartbeat = setInterval(() => void this.#beat(), HEARTBEAT_MS);

    this.#bullConnection = createClient(options.connection, {
      name: 'dash-ts:bullmq',
      policy: 'wait',
      logger,
    });
    const bull = new BullWorker<TicketData, void>(
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
        maxStalledCount: NEVER_FAIL_STALLED,
        removeOnComplete: { count: 0 },
        removeOnFail: { count: 0 },
      },
    );
    this.#bull = bull;
    reportErrors(bull, `BullMQ worker on ${options.queueName}`, this.#bullConnection, logger);
    void bull.run().catch((error) => logger.error('the BullMQ worker stopped', error));
    await bull.waitUntilReady();
  }

  /**
   * A ticket: runs one try of the job first in line (none, when no job may start). When that was
   * a try of a job limited per user (maxConcurrent.perUser), its line has room now, and a job
   * waiting for it may have had its ticket spent already (lua/begin.lua): this ticket then
   * redeems one such owed ticket and runs the next job under it, at once.
   */
  async #process(ticket: Job<TicketData, void>, bullToken: string | undefined): Promise<void> {
    let redeem = false;
    for (;;) {
      const ran = await this.#runOne(ticket, bullToken, redeem);
      if (ran?.maxConcurrentPerUser === undefined || this.#stopping) return;
      redeem = true;
    }
  }

  /** Begins the next job (only with an owed ticket when `redeem`), runs its try; its policy, or undefined when none began. */
  async #runOne(
    ticket: Job<TicketData, void>,
    bullToken: string | undefined,
    redeem: boolean,
  ): Promise<JobPolicy | undefined> {
    const token = `${this.#tokenPrefix}${(this.#tokens++).toString(36)}`;
    const begun = await this.#store!.begin(token, this.id, redeem);
    if (!begun) return undefined;
    const { id } = begun;
    const { policy } = begun;
    const active: ActiveJob = { id, token, attempt: begun.attempt, policy, phase: 'running' };
    this.#active.set(id, active);
    try {
      // A job begun under an owed ticket while closing goes back, and its ticket to BullMQ's wait
      // list, for another worker: the grace period is for the jobs already running.
      if (this.#stopping || (redeem && this.#closeRequested)) {
        active.stop = 'handback';
        await this.#settle(ticket, bullToken, active, { kind: 'handback' });
        return undefined;
      }
      const ended = new Promise<JobEnd>((resolve) => {
        active.end = resolve;
      });
      this.#host!.run(id, begun.functionKey, begun.payload, begun.attempt);
      const limitMs = tryTimeoutMs(policy, this.#c.options.timeoutMs);
      if (limitMs !== undefined)
        active.timeoutTimer = setTimeout(() => this.#timeout(active, limitMs), limitMs);
      await this.#settle(ticket, bullToken, active, await ended);
      // A stopped or crashed job process is being replaced: take no other job until it is back.
      await this.#host!.whenReady();
      return policy;
    } finally {
      clearTimeout(active.timeoutTimer);
      this.#active.delete(id);
    }
  }

  /** Writes how the attempt ended; a handed-back job goes back to BullMQ's wait list. */
  async #settle(
    job: Job<TicketData, void>,
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
        throw new (engine().bullmq.WaitingError)();
      }
      return;
    }
    if (active.stop === 'shutdown') {
      writer.drop(active.id);
      this.#host!.abandon(active.id);
      const lost: JobOutcome = {
        kind: 'lost',
        message: `its worker shut down and the job did not finish within the ${this.#c.options.shutdownGraceMs} ms it was given`,
      };
      await this.#end(active, JSON.stringify(lost), false, lost);
      return;
    }
    if (active.stop === undefined && end.kind === 'done') {
      await this.#end(active, end.outcome, end.cacheable);
    } else if (active.stop === undefined && end.kind === 'ended' && end.lost !== undefined) {
      const lost: JobOutcome = { kind: 'lost', message: end.lost };
      await this.#end(active, JSON.stringify(lost), false, lost);
    } else if (active.stop === 'timeout' && active.timedOut) {
      // Written once the try has really stopped, so its slot is free when the user hears of it.
      await this.#end(active, JSON.stringify(active.timedOut), false, active.timedOut);
    } else {
      writer.drop(active.id);
      await store.release(active.id, active.token);
    }
  }

  /** A try ended with `outcome` (JSON): the job finishes, or is queued for its next try (retry.ts). */
  async #end(active: ActiveJob, outcome: string, cacheable: boolean, parsed?: JobOutcome): Promise<void> {
    const decision = retryDecision(active.policy, active.attempt, parsed ?? outcome);
    const delayMs = decision.retry ? decision.delayMs : undefined;
    const stored = await this.#writer!.finish(active.id, active.token, outcome, cacheable, delayMs);
    if (stored !== 'retrying') return;
    // A ticket for the next try, due when the backoff is over (any worker may take it).
    await addRetryTicket(this.#tickets!, active.id, active.attempt + 1, delayMs ?? 0);
  }

  /** Ends a job lost that this worker could not hand back to the queue. */
  async #giveUp(active: ActiveJob, message: string): Promise<void> {
    await this.#store!.fail(active.id, { kind: 'lost', message });
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
    if (reason === 'handback' || reason === 'shutdown') {
      active.end?.({ kind: reason });
      return;
    }
    if (reason !== 'timeout') this.#writer!.drop(jobId);
    this.#host!.stop(jobId);
  }

  /** The try ran past its limit: stopped like a cancel; #settle writes the outcome once it has stopped. */
  #timeout(active: ActiveJob, limitMs: number): void {
    if (active.stop || active.phase !== 'running') return;
    active.timedOut = timedOutOutcome(limitMs);
    this.#stop(active.id, 'timeout');
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
   * Stops taking jobs, lets running ones finish for shutdownGraceMs, ends the rest lost (those
   * not begun yet go back to the queue), then closes everything. Safe to call more than once.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closeRequested = true;
    const { logger, options } = this.#c;
    // A job process that dies now (or is stopped after the grace period) is not replaced.
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
      if (running.length > 0) logger.warn(`${running.length} job(s) still running at shutdown end as lost`);
      // One that has not begun in a job process yet did nothing: it goes back to the queue.
      for (const job of running) this.#stop(job.id, this.#host!.hasBegun(job.id) ? 'shutdown' : 'handback');
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
    await this.#tickets?.close().catch(() => {});
    await Promise.all(
      [this.#subscriber, this.#commands, this.#bullConnection].map((c) => c && closeClient(c)),
    );
  }
}
