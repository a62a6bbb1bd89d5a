import type {
  JobLoad,
  JobOutcome,
  JobOwner,
  JobSubmission,
  JobUpdate,
  KeptJobQuery,
  Manager,
  ManagerEnvironment,
  OnNews,
  PageJob,
  RemoteWorkerEnvironment,
  RunningWorker,
  Unsubscribe,
} from '../manager.ts';
import type { CancelReason, JobRecords } from '../records.ts';
import { RetryableOnce } from '../retryable-once.ts';
import { describeConnection } from './connection-description.ts';
import { loadEngine } from './engine.ts';
import { BullMQManagerError } from './errors.ts';
import { KeySpace } from './keys.ts';
import { type BullMQManagerOptions, checks, type ResolvedOptions, resolveOptions } from './options.ts';
import type { BullMQServer } from './server.ts';
import { waitForRedis } from './wait-for-redis.ts';

export class BullMQManager implements Manager {
  readonly kind = 'bullmq';
  readonly cacheBy?: readonly (() => unknown)[];
  readonly expire?: number;
  #options: ResolvedOptions;
  #keys: KeySpace;
  /** Set when the user named the queue; otherwise the app's name is the default (see #adoptAppName). */
  readonly #queueNamed: boolean;
  readonly #starting = new RetryableOnce<void>();
  #server: BullMQServer | undefined;
  #closed = false;
  #secret: Buffer | undefined;

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
    const { BullMQServer } = await import('./server.ts');
    const server = await BullMQServer.start(o, this.#keys, logger);
    if (this.#closed) {
      // close() ran while we connected: it found nothing to close.
      await server.close();
      throw new BullMQManagerError('BullMQManager: start() after close()');
    }
    this.#server = server;
    logger.info(
      `background jobs: BullMQManager, queue "${o.queueName}" on ${describeConnection(o.connection)}; ` +
        'jobs run in `dash-ts worker <app-module>` processes',
    );
  }

  #use(): BullMQServer {
    if (this.#closed) throw new BullMQManagerError('BullMQManager: used after close()');
    if (!this.#server) throw new BullMQManagerError('BullMQManager: used before start()');
    return this.#server;
  }

  submit(job: JobSubmission): Promise<void> {
    return this.#use().submit(job);
  }

  takeUpdate(jobId: string, waitMs: number): Promise<JobUpdate> {
    return this.#use().takeUpdate(jobId, waitMs);
  }

  subscribe(jobId: string, onNews: OnNews): Unsubscribe {
    return this.#use().subscribe(jobId, onNews);
  }

  pageSeen(endId: string): void {
    this.#use().pageSeen(endId);
  }

  load(endId: string, user?: string): Promise<JobLoad> {
    return this.#use().load(endId, user);
  }

  pageJobs(endId: string): Promise<PageJob[]> {
    return this.#use().pageJobs(endId);
  }

  findKept(query: KeptJobQuery): Promise<string | undefined> {
    return this.#use().findKept(query);
  }

  rejoin(jobId: string, endId: string): Promise<JobUpdate | undefined> {
    return this.#use().rejoin(jobId, endId);
  }

  stopStartsBefore(endId: string, key: string, at: number): Promise<void> {
    return this.#use().stopStartsBefore(endId, key, at);
  }

  startStops(endId: string, keys: readonly string[]): Promise<number[]> {
    return this.#use().startStops(endId, keys);
  }

  owner(jobId: string): Promise<JobOwner | undefined> {
    return this.#use().owner(jobId);
  }

  cancel(jobId: string, reason?: CancelReason): Promise<void> {
    return this.#use().cancel(jobId, reason);
  }

  cachedOutcome(cacheKey: string, expireSeconds?: number): Promise<JobOutcome | undefined> {
    return this.#use().cachedOutcome(cacheKey, expireSeconds);
  }

  jobRecords(): JobRecords {
    return this.#use().jobRecords();
  }

  async sharedSecret(): Promise<Buffer> {
    this.#secret ??= await this.#use().sharedSecret();
    return this.#secret;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#starting.current?.catch(() => {});
    const server = this.#server;
    this.#server = undefined;
    await server?.close();
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

  /** Runs this manager's jobs in this process (`dash-ts worker`); resolves once it takes jobs. */
  async startRemoteWorker(environment: RemoteWorkerEnvironment): Promise<RunningWorker> {
    this.#adoptAppName(environment.appName);
    const concurrency =
      checks.positiveInteger('concurrency', environment.concurrency) ?? this.#options.concurrency;
    await loadEngine();
    await waitForRedis(this.#options.connection, environment.logger);
    const { JobWorker } = await import('./worker.ts');
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
