/**
 * BullMQManager's options, checked once in the constructor (a typo fails at startup, not at the
 * first job), with the defaults every server process and worker must agree on.
 */
import type { RedisOptions } from 'ioredis';
import { OptionChecks } from '../option-checks.ts';
import { BullMQManagerError } from './errors.ts';

export interface BullMQManagerOptions {
  /** A Redis URL (`redis://[:password@]host:port/db`, `rediss://` for TLS) or ioredis options. Default 127.0.0.1:6379. */
  connection?: string | RedisOptions;
  /** The BullMQ queue; every server and `dash-ts worker` of one app must use the same. Default 'dash-ts'. */
  queueName?: string;
  /** BullMQ's key prefix (for a Redis Cluster, a hash tag such as '{dash}'). Default 'bull'. */
  prefix?: string;
  /** Jobs one `dash-ts worker` runs at once; default 1 (raise it for async, I/O-bound jobs). */
  concurrency?: number;
  /** Dash's cache_by: turns on result caching. */
  cacheBy?: (() => unknown)[];
  /** Seconds a cached result lives, counted from its last read. */
  expire?: number;
  /** How long a cancelled job may ignore its signal before its worker process is killed; default 50 ms. */
  cancelGraceMs?: number;
  /** A try running longer is stopped and ends timed out, unless its callback sets `timeout`; default no limit. */
  timeoutMs?: number;
  /** How long a queued or running job's state lives in Redis without a worker refreshing it; default 1 day. */
  jobTtlMs?: number;
  /** Finished jobs nobody reads are deleted after this long; default 10 minutes. */
  finishedTtlMs?: number;
  /** Cached results without `expire` are kept this long (every key in Redis has a TTL); default 1 day. */
  cacheTtlMs?: number;
  /** A queued job ends `lost` when no worker has been alive for this long; 0 waits forever. Default 30 s. */
  noWorkerTimeoutMs?: number;
  /** On SIGTERM, how long a worker lets its running jobs finish before handing them back; default 2 s. */
  shutdownGraceMs?: number;
}

/** Every option with its default applied. */
export interface ResolvedOptions {
  connection: string | RedisOptions | undefined;
  queueName: string;
  prefix: string;
  concurrency: number;
  cancelGraceMs: number;
  timeoutMs: number | undefined;
  jobTtlMs: number;
  finishedTtlMs: number;
  cacheTtlMs: number;
  noWorkerTimeoutMs: number;
  shutdownGraceMs: number;
}

export const DEFAULT_QUEUE_NAME = 'dash-ts';
const DAY_MS = 24 * 60 * 60 * 1000;

export function resolveOptions(options: BullMQManagerOptions): ResolvedOptions {
  const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
  // BullMQ builds keys as <prefix>:<queue>:..., so a colon would make two queues share keys.
  if (typeof queueName !== 'string' || queueName === '' || queueName.includes(':')) {
    throw new BullMQManagerError(
      `BullMQManager: queueName must be a non-empty string without ':', got ${JSON.stringify(queueName)}`,
    );
  }
  const prefix = options.prefix ?? 'bull';
  if (typeof prefix !== 'string' || prefix === '') {
    throw new BullMQManagerError(`BullMQManager: prefix must be a non-empty string`);
  }
  const connection = options.connection;
  if (connection !== undefined && typeof connection !== 'string' && typeof connection !== 'object') {
    throw new BullMQManagerError('BullMQManager: connection must be a Redis URL or ioredis options');
  }
  return {
    connection,
    queueName,
    prefix,
    concurrency: checks.positiveInteger('concurrency', options.concurrency) ?? 1,
    cancelGraceMs: checks.nonNegative('cancelGraceMs', options.cancelGraceMs) ?? 50,
    timeoutMs: checks.positive('timeoutMs', options.timeoutMs),
    jobTtlMs: checks.positive('jobTtlMs', options.jobTtlMs) ?? DAY_MS,
    finishedTtlMs: checks.positive('finishedTtlMs', options.finishedTtlMs) ?? 10 * 60 * 1000,
    cacheTtlMs: checks.positive('cacheTtlMs', options.cacheTtlMs) ?? DAY_MS,
    noWorkerTimeoutMs: checks.nonNegative('noWorkerTimeoutMs', options.noWorkerTimeoutMs) ?? 30_000,
    shutdownGraceMs: checks.nonNegative('shutdownGraceMs', options.shutdownGraceMs) ?? 2000,
  };
}

export const checks = new OptionChecks('BullMQManager', BullMQManagerError);
