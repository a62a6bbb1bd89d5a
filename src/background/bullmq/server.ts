/**
 * A BullMQManager's connected side in a server process: its Redis connections, the queue its
 * tickets go on, the job store and the news listener. Loaded by `BullMQManager.start()` only,
 * so processes that import the app without serving it (pool workers, job processes, `dash-ts
 * worker` before it starts) never load it, nor the Lua scripts and Redis code it pulls in.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../../base/log.ts';
import { NewsWait } from '../job-news.ts';
import { PAGE_LEFT_SWEEP_MS, SeenPages } from '../job-options/page-leave.ts';
import type {
  JobLoad,
  JobOutcome,
  JobOwner,
  JobSubmission,
  JobUpdate,
  KeptJobQuery,
  OnNews,
  PageJob,
  Unsubscribe,
} from '../manager.ts';
import type { CancelReason, JobRecords } from '../records.ts';
import { RedisAvailability } from './availability.ts';
import { closeClient, createClient, reportErrors } from './connection.ts';
import { describeConnection } from './connection-description.ts';
import { engine, loadEngine } from './engine.ts';
import { BullMQManagerError } from './errors.ts';
import { KeptJobs } from './kept.ts';
import type { KeySpace } from './keys.ts';
import { HEARTBEAT_MS, STALE_AFTER_MS } from './liveness.ts';
import { NewsListener } from './news.ts';
import type { ResolvedOptions } from './options.ts';
import { PageLoad } from './page-load.ts';
import { RedisRecords } from './records.ts';
import { defineScripts } from './scripts.ts';
import { RedisStore } from './store.ts';
import { addFirstTicket, addRetryTicket, type TicketQueue } from './tickets.ts';

/** Jobs submitted here whose first read is still to come; see #fresh. */
const MAX_FRESH = 10_000;

export class BullMQServer {
  /** When the commands connection last became ready; see #mayJudge. */
  #readySince: number | undefined;
  #closed = false;
  /**
   * Waiters armed at submit, for the first takeUpdate of a job this process has just queued: it
   * has nothing to read until a worker reports, so that read waits for news before going to Redis
   * (one script less per job). Bounded: the oldest go first.
   */
  readonly #fresh = new Map<string, NewsWait>();
  readonly #store: RedisStore;
  readonly #kept: KeptJobs;
  readonly #news: NewsListener;
  readonly #pageLoad: PageLoad;
  readonly #availability: RedisAvailability;
  /** Page loads seen polling, written in batches (whenPageLeaves 'cancel'). */
  readonly #seen: SeenPages;
  /** Looks for jobs whose page left; every server does, a cancel made twice does nothing more. */
  readonly #pageLeftSweep: NodeJS.Timeout;
  /** The BullMQ queue tickets go on, made once Redis has answered (see #tickets). */
  #queue: { queue: TicketQueue; ready: Promise<TicketQueue>; isReady: boolean } | undefined;

  private constructor(
    private readonly commands: Redis,
    private readonly subscriber: Redis,
    private readonly keys: KeySpace,
    private readonly options: ResolvedOptions,
    private readonly logger: Logger,
  ) {
    defineScripts(commands);
    commands.on('ready', () => {
      this.#readySince = performance.now();
    });
    this.#availability = new RedisAvailability(commands, describeConnection(options.connection));
    this.#store = new RedisStore(commands, keys, options);
    this.#kept = new KeptJobs(commands, keys, options);
    this.#news = new NewsListener(subscriber, keys.newsChannel, logger);
    this.#pageLoad = new PageLoad(commands, keys);
    this.#seen = new SeenPages(async (endIds) => {
      // While Redis is away the marks are lost: a page that polls marks itself again, and no
      // job is cancelled meanwhile (the sweep needs Redis too).
      await this.#store.markPagesSeen(endIds).catch((error) => {
        this.logger.debug?.(`BullMQManager: could not record that pages polled: ${String(error)}`);
      });
    });
    this.#pageLeftSweep = setInterval(() => void this.#cancelLeftJobs(), PAGE_LEFT_SWEEP_MS);
    this.#pageLeftSweep.unref();
  }

  /** Cancels the jobs whose page stopped polling (whenPageLeaves 'cancel'). */
  async #cancelLeftJobs(): Promise<void> {
    if (this.#closed || this.#availability.unavailableBecause()) return;
    try {
      for (const jobId of await this.#store.pagesLeft()) await this.cancel(jobId, 'page-left');
    } catch (error) {
      if (!this.#closed)
        this.logger.warn(`BullMQManager: looking for jobs whose page left failed: ${String(error)}`);
    }
  }

  pageSeen(endId: string): void {
    this.#live();
    this.#seen.add(endId);
  }

  /**
   * Connects. Resolves once the news subscription and the queue are ready, or as soon as Redis
   * refuses the first connection: the server then serves without background jobs (starts are
   * refused at once, `/health` says why) and takes them up when Redis answers, with no restart.
   */
  static async start(options: ResolvedOptions, keys: KeySpace, logger: Logger): Promise<BullMQServer> {
    await loadEngine();
    const commands = createClient(options.connection, {
      name: 'dash-ts:server',
      policy: 'fail-late',
      logger,
    });
    const subscriber = createClient(options.connection, {
      name: 'dash-ts:server-news',
      policy: 'fail-late',
      logger,
      subscriber: true,
    });
    const server = new BullMQServer(commands, subscriber, keys, options, logger);
    // The subscription is renewed at every reconnect (news.ts): a first one that fails is not final.
    const subscribed = server.#news.start().then(() => server.#tickets());
    subscribed.catch(() => {});
    const refused = new Promise<void>((resolve) => {
      commands.once('error', () => resolve());
      subscriber.once('error', () => resolve());
    });
    await Promise.race([subscribed, refused]);
    const down = server.#availability.unavailableBecause();
    if (down)
      logger.warn(`BullMQManager: ${down}; the app serves meanwhile and picks them up when it answers`);
    return server;
  }

  #live(): void {
    if (this.#closed) throw new BullMQManagerError('BullMQManager: used after close()');
  }

  /** For what needs Redis to begin (a start, a cancel, the secret): refused at once while it is away. */
  #usable(): void {
    this.#live();
    this.#availability.assertAvailable();
  }

  /**
   * The ticket queue, made at the first use once Redis answers. BullMQ reuses our connection for it
   * (not a blocking one). Made later rather than at start: a BullMQ queue whose connection never
   * came up emits an 'error' nobody can listen to once it is closed, which ends the process.
   */
  #tickets(): Promise<TicketQueue> {
    if (!this.#queue) {
      const { queueName, prefix } = this.options;
      const queue: TicketQueue = new (engine().bullmq.Queue)(queueName, {
        connection: this.commands,
        prefix,
      });
      reportErrors(queue, `BullMQ queue ${queueName}`, this.commands, this.logger);
      const entry = { queue, ready: queue.waitUntilReady().then(() => queue), isReady: false };
      entry.ready.then(
        () => {
          entry.isReady = true;
        },
        () => {
          if (this.#queue === entry) this.#queue = undefined;
        },
      );
      this.#queue = entry;
    }
    return this.#queue.ready;
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
    this.#usable();
    const fresh = this.#arm(job.id);
    try {
      // The job in line first: the ticket's worker must find it. (Not sent together: a script
      // Redis has forgotten is sent again after its NOSCRIPT, behind the ticket.)
      if (!(await this.#store.submit(job))) return fresh.dispose();
      await addFirstTicket(await this.#tickets(), job.id, job.owner.callbackId);
    } catch (error) {
      fresh.dispose();
      await this.#store.cancel(job.id).catch(() => {});
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
      this.#live();
      const waiter = this.#arm(jobId);
      try {
        const { update, news: hasNews, nextTry } = await this.#store.take(jobId, this.#mayJudge());
        if (nextTry) await addRetryTicket(await this.#tickets(), jobId, nextTry.attempt, nextTry.delayMs);
        const remaining = deadline - performance.now();
        if (hasNews || remaining <= 0) return update;
        // Woken by news; otherwise look again every heartbeat, to notice a worker that died.
        await waiter.wait(Math.min(remaining, HEARTBEAT_MS));
      } finally {
        waiter.dispose();
      }
    }
  }

  subscribe(jobId: string, onNews: OnNews): Unsubscribe {
    this.#live();
    return this.#news.subscribe(jobId, onNews);
  }

  /** takeUpdate's wait for the job's news, armed now. */
  #arm(jobId: string): NewsWait {
    return new NewsWait((onNews) => this.#news.subscribe(jobId, onNews));
  }

  async load(endId: string, user?: string): Promise<JobLoad> {
    this.#usable();
    return this.#pageLoad.count(endId, user);
  }

  pageJobs(endId: string): Promise<PageJob[]> {
    this.#live();
    return this.#pageLoad.jobs(endId);
  }

  async findKept(query: KeptJobQuery): Promise<string | undefined> {
    this.#usable();
    return this.#kept.find(query);
  }

  async rejoin(jobId: string, endId: string): Promise<JobUpdate | undefined> {
    this.#usable();
    return this.#kept.rejoin(jobId, endId);
  }

  stopStartsBefore(endId: string, key: string, at: number): Promise<void> {
    this.#usable();
    return this.#pageLoad.stopStartsBefore(endId, key, at);
  }

  startStops(endId: string, keys: readonly string[]): Promise<number[]> {
    this.#usable();
    return this.#pageLoad.startStops(endId, keys);
  }

  async owner(jobId: string): Promise<JobOwner | undefined> {
    this.#usable();
    return this.#store.owner(jobId);
  }

  async cancel(jobId: string, reason?: CancelReason): Promise<void> {
    this.#usable();
    const was = await this.#store.cancel(jobId, reason);
    if (was === 'queued') {
      // A worker would skip it anyway; removing it keeps the queue short. It may be locked
      // by a worker that has just taken it, which is fine.
      await (await this.#tickets()).remove(jobId).catch(() => {});
    }
  }

  async cachedOutcome(cacheKey: string, expireSeconds?: number): Promise<JobOutcome | undefined> {
    this.#usable();
    return this.#store.cachedOutcome(cacheKey, expireSeconds);
  }

  jobRecords(): JobRecords {
    this.#live();
    return new RedisRecords(this.commands, this.keys);
  }

  async sharedSecret(): Promise<Buffer> {
    this.#usable();
    return this.#store.sharedSecret();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#pageLeftSweep);
    this.#seen.close();
    // Waiting takeUpdate calls wake up and find the manager closed.
    this.#news.wakeAll();
    for (const waiter of this.#fresh.values()) waiter.dispose();
    this.#fresh.clear();
    // A queue whose connection never came up is left unclosed (see #tickets); the client is ours.
    if (this.#queue?.isReady) await this.#queue.queue.close().catch(() => {});
    await Promise.all([closeClient(this.subscriber), closeClient(this.commands)]);
  }
}
