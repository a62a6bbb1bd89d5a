/**
 * BullMQManager: the distributed Manager. Jobs go on a BullMQ queue in Redis and run in
 * `dash-ts worker` processes on any number of machines (worker.ts); their state, events and
 * outcomes live in Redis next to the queue (keys.ts, scripts.ts), so any server process answers
 * any poll or cancel. Waiting polls are woken by Redis pub/sub (news.ts).
 *
 * Nothing here connects or starts anything until `start()` (the server) or `startWorker()`
 * (`dash-ts worker`): every process that imports the app module constructs the manager.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../../app/log.ts';
import type {
  JobLoad,
  JobOutcome,
  JobOwner,
  JobSubmission,
  JobUpdate,
  Manager,
  ManagerEnvironment,
} from '../manager.ts';
import type { CancelReason, JobRecords } from '../monitor/records.ts';
import { RedisRecords } from '../monitor/redis-records.ts';
import { RetryableOnce } from '../retryable-once.ts';
import { closeClient, createClient, describeConnection, reportErrors } from './connection.ts';
import { engine, loadEngine } from './engine.ts';
import { BullMQManagerError } from './errors.ts';
import { KeySpace } from './keys.ts';
import { HEARTBEAT_MS, STALE_AFTER_MS } from './liveness.ts';
import { NewsListener, type Waiter } from './news.ts';
import { type BullMQManagerOptions, checks, type ResolvedOptions, resolveOptions } from './options.ts';
import { PageLoad } from './page-load.ts';
import { defineScripts } from './scripts.ts';
import { RedisStore } from './store.ts';
import { addFirstTicket, addRetryTicket, type TicketQueue } from './tickets.ts';
import { JobWorker } from './worker.ts';

/** Jobs submitted here whose first read is still to come; see #fresh. */
const MAX_FRESH = 10_000;

interface Running {
  commands: Redis;
  subscriber: Redis;
  queue: TicketQueue;
  store: RedisStore;
  news: NewsListener;
  pageLoad: PageLoad;
}

/** What `dash-ts worker` tells a manager whose jobs it runs. */
export interface WorkerEnvironment {
  /** The app module the job process imports (absolute path). */
  appModule: string;
  logger: Logger;
  /** Overrides the manager's `concurrency` (`dash-ts worker --concurrency N`). */
  concurrency?: number;
  /** `new Dash({ name })`: the default queue name. */
  appName?: string;
}

/** A running worker: `close()` stops it gracefully (its jobs finish or go back to the queue). */
export interface RunningWorker {
  readonly id: string;
  close(): Promise<void>;
}

export class BullMQManager implements Manager {
  readonly kind = 'bullmq';
  readonly cacheBy?: readonly (() => unknown)[];
  readonly expire?: number;
  #options: ResolvedOptions;
  #keys: KeySpace;
  /** Set when the user named the queue; otherwise the app's name is the default (see #adoptAppName). */
  readonly #queueNamed: boolean;
  readonly #starting = new RetryableOnce<void>();
  #running: Running | undefined;
  #closed = false;
  #secret: Buffer | undefined;
  /** When the commands connection last became ready; see #mayJudge. */
  #readySince: number | undefined;
  /**
   * Waiters armed at submit, for the first takeUpdate of a job this process has just queued: it
   * has nothing to read until a worker reports, so that read waits for news before going to Redis
   * (one script less per job). Bounded: the oldest go first.
   */
  readonly #fresh = new Map<string, Waiter>();

  constructor(options: BullMQManagerOptions = {}) {
    this.#options = resolveOptions(options);
    this.#keys = new KeySpace(this.#options.prefix, this.#options.queueName);
    this.#queueNamed = options.queueName !== undefined;
    this.expire = checks.positive('expire', options.expire);
    this.cacheBy = checks.cacheBy(options.cacheBy);
  }

  get queueName(): string {
    return this.#options.queueName;
  }

  start(environment: ManagerEnvironment): Promise<void> {
    return this.#starting.run(() => this.#start(environment));
  }

  async #start({ logger, appName }: ManagerEnvironment): Promise<void> {
    if (this.#closed) throw new BullMQManagerError('BullMQManager: start() after close()');
    this.#adoptAppName(appName);
    const o = this.#options;
    await loadEngine();
    const commands = createClient(o.connection, { name: 'dash-ts:server', policy: 'fail-late', logger });
    const subscriber = createClient(o.connection, {
      name: 'dash-ts:server-news',
      policy: 'fail-late',
      logger,
      subscriber: true,
    });
    defineScripts(commands);
    commands.on('ready', () => {
      this.#readySince = performance.now();
    });
    // BullMQ reuses our connection for the queue (it is not a blocking one).
    const queue: TicketQueue = new (engine().bullmq.Queue)(o.queueName, {
      connection: commands,
      prefix: o.prefix,
    });
    reportErrors(queue, `BullMQ queue ${o.queueName}`, commands, logger);
    const news = new NewsListener(subscriber, this.#keys.newsChannel);
    this.#running = {
      commands,
      subscriber,
      queue,
      store: new RedisStore(commands, this.#keys, o),
      news,
      pageLoad: new PageLoad(commands, this.#keys),
    };
    try {
      await news.start();
      await queue.waitUntilReady();
    } catch (error) {
      this.#running = undefined;
      await queue.close().catch(() => {});
      await Promise.all([closeClient(subscriber), closeClient(commands)]);
      throw new BullMQManagerError(
        `BullMQManager: cannot use Redis at ${describeConnection(o.connection)}: ${(error as Error).message}`,
      );
    }
    logger.info(
      `background jobs: BullMQManager, queue "${o.queueName}" on ${describeConnection(o.connection)}; ` +
        'jobs run in `dash-ts worker <app-module>` processes',
    );
  }

  #use(): Running {
    if (this.#closed) throw new BullMQManagerError('BullMQManager: used after close()');
    if (!this.#running) throw new BullMQManagerError('BullMQManager: used before start()');
    return this.#running;
  }

  /**
   * Whether this process may declare a silent worker's job lost: only once its connection has
   * been up for STALE_AFTER_MS, since heartbeats may have expired during a Redis outage while
   * their workers were merely cut off (they refresh them within a second of reconnecting).
   */
  #mayJudge(): boolean {
    return this.#readySince !== undefined && performance.now() - this.#readySince >= STALE_AFTER_MS;
  }

  async submit(job: JobSubmission): Promise<void> {
    const { store, queue, news } = this.#use();
    const fresh = news.arm(job.id);
    try {
      // The job in line first: the ticket's worker must find it. (Not sent together: a script
      // Redis has forgotten is sent again after its NOSCRIPT, behind the ticket.)
      if (!(await store.submit(job))) return fresh.dispose();
      await addFirstTicket(queue, job.id, job.owner.callbackId);
    } catch (error) {
      fresh.dispose();
      await store.cancel(job.id).catch(() => {});
      throw error;
    }
    this.#fresh.set(job.id, fresh);
    if (this.#fresh.size > MAX_FRESH) {
      const [oldest, waiter] = this.#fresh.entries().next().value!;
      this.#fresh.delete(oldest);
      waiter.dispose();
    }
  }

  async takeUpdate(jobId: string, waitMs: number): Promise<JobUpdate> {
    const deadline = performance.now() + Math.max(0, waitMs);
    const fresh = this.#fresh.get(jobId);
    if (fresh) {
      this.#fresh.delete(jobId);
      try {
        await fresh.wait(Math.max(0, waitMs));
      } finally {
        fresh.dispose();
      }
    }
    for (;;) {
      const { store, news } = this.#use();
      const waiter = news.arm(jobId);
      try {
        const { update, news: hasNews, nextTry } = await store.take(jobId, this.#mayJudge());
        if (nextTry) await addRetryTicket(this.#use().queue, jobId, nextTry.attempt, nextTry.delayMs);
        const remaining = deadline - performance.now();
        if (hasNews || remaining <= 0) return update;
        // Woken by news; otherwise look again every heartbeat, to notice a worker that died.
        await waiter.wait(Math.min(remaining, HEARTBEAT_MS));
      } finally {
        waiter.dispose();
      }
    }
  }

  async load(endId: string): Promise<JobLoad> {
    return this.#use().pageLoad.count(endId);
  }

  async owner(jobId: string): Promise<JobOwner | undefined> {
    return this.#use().store.owner(jobId);
  }

  async cancel(jobId: string, reason?: CancelReason): Promise<void> {
    const { store, queue } = this.#use();
    const was = await store.cancel(jobId, reason);
    if (was === 'queued') {
      // A worker would skip it anyway; removing it keeps the queue short. It may be locked
      // by a worker that has just taken it, which is fine.
      await queue.remove(jobId).catch(() => {});
    }
  }

  async cachedOutcome(cacheKey: string, expireSeconds?: number): Promise<JobOutcome | undefined> {
    return this.#use().store.cachedOutcome(cacheKey, expireSeconds);
  }

  jobRecords(): JobRecords {
    return new RedisRecords(this.#use().commands, this.#keys);
  }

  async sharedSecret(): Promise<Buffer> {
    this.#secret ??= await this.#use().store.sharedSecret();
    return this.#secret;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#starting.current?.catch(() => {});
    const running = this.#running;
    this.#running = undefined;
    if (!running) return;
    // Waiting takeUpdate calls wake up and find the manager closed.
    running.news.wakeAll();
    for (const waiter of this.#fresh.values()) waiter.dispose();
    this.#fresh.clear();
    await running.queue.close().catch(() => {});
    await Promise.all([closeClient(running.subscriber), closeClient(running.commands)]);
  }

  /**
   * Servers and workers import the same app module, so both derive the same default queue
   * name from `new Dash({ name })`; an explicit `queueName` always wins.
   */
  #adoptAppName(appName: string | undefined): void {
    if (this.#queueNamed || !appName) return;
    const queueName = appName.replaceAll(':', '-');
    this.#options = { ...this.#options, queueName };
    this.#keys = new KeySpace(this.#options.prefix, queueName);
  }

  /** Runs this manager's jobs in this process, as `dash-ts worker` does; resolves once it takes jobs. */
  async startWorker(environment: WorkerEnvironment): Promise<RunningWorker> {
    this.#adoptAppName(environment.appName);
    const concurrency =
      checks.positiveInteger('concurrency', environment.concurrency) ?? this.#options.concurrency;
    await loadEngine();
    const worker = new JobWorker({
      options: { ...this.#options, concurrency },
      appModule: environment.appModule,
      logger: environment.logger,
    });
    try {
      await worker.start();
    } catch (error) {
      await worker.close().catch(() => {});
      throw error;
    }
    environment.logger.info(
      `worker ${worker.id}: running jobs of queue "${this.#options.queueName}" on ` +
        `${describeConnection(this.#options.connection)}, ${concurrency} at a time`,
    );
    return worker;
  }
}
