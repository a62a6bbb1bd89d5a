/**
 * The Redis clients BullMQManager and its workers use. They reconnect by themselves, quickly and
 * forever (a restarted Redis is back within a couple of seconds), and report an outage once
 * rather than once per retry.
 */
import type { Redis, RedisOptions } from 'ioredis';
import type { Logger } from '../../base/log.ts';
import { engine } from './engine.ts';

/**
 * How a client treats commands while Redis is away:
 * - 'fail-late': a server's commands; they wait through a restart and fail after ~20 s of
 *   outage, so a request gets an error rather than hanging forever;
 * - 'wait': a worker's writes and BullMQ's worker connections (which require it); they wait for
 *   Redis however long it takes, so an outcome written during an outage is not lost.
 */
export type RetryPolicy = 'fail-late' | 'wait';

/** Reconnect after 100 ms, 200 ms, ... at most every 2 s. */
const retryStrategy = (times: number) => Math.min(times * 100, 2000);

export function createClient(
  connection: string | RedisOptions | undefined,
  options: { name: string; policy: RetryPolicy; logger: Logger; subscriber?: boolean },
): Redis {
  const base: RedisOptions = {
    retryStrategy,
    connectionName: options.name,
    ...(typeof connection === 'object' ? connection : {}),
  };
  if (options.policy === 'wait') base.maxRetriesPerRequest = null;
  // See subscribeAlways: a subscriber resubscribes itself.
  if (options.subscriber) base.autoResubscribe = false;
  const { Redis: Client } = engine().ioredis;
  const client = typeof connection === 'string' ? new Client(connection, base) : new Client(base);
  reportOutages(client, options.name, options.logger);
  return client;
}

/**
 * Subscribes a client made with `subscriber: true` to `channel`, now and after every reconnect.
 * Not ioredis's own resubscribe (autoResubscribe): it sends SUBSCRIBE with nothing listening for
 * its failure, so a client closed before that SUBSCRIBE is answered (a close() just after Redis came
 * back) rejects it as an unhandled "Connection is closed.", which ends the process.
 */
export async function subscribeAlways(client: Redis, channel: string): Promise<void> {
  // Listening first: a first SUBSCRIBE that fails (Redis down at start) is renewed at the next 'ready'.
  client.on('ready', () => {
    client.subscribe(channel).catch(() => {
      // Closed or dropped again: the next 'ready' subscribes.
    });
  });
  await client.subscribe(channel);
}

/** One warning when the connection drops, one line when it is back; never an unhandled 'error'. */
function reportOutages(client: Redis, name: string, logger: Logger): void {
  let down = false;
  client.on('error', (error: Error) => {
    if (down) return;
    down = true;
    logger.warn(`Redis connection ${name} lost (${error.message}); reconnecting`);
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info(`Redis connection ${name} is back`);
  });
}

/**
 * Logs the errors a BullMQ Queue or Worker emits, except while Redis is away (the client has
 * reported that once) and at most one every ERROR_LOG_INTERVAL_MS, since BullMQ repeats an error
 * on every retry.
 */
export function reportErrors(
  emitter: { on(event: 'error', listener: (error: Error) => void): unknown },
  label: string,
  client: Redis,
  logger: Logger,
): void {
  let lastLoggedAt = Number.NEGATIVE_INFINITY;
  emitter.on('error', (error: Error) => {
    if (client.status !== 'ready') return;
    const now = performance.now();
    if (now - lastLoggedAt < ERROR_LOG_INTERVAL_MS) return;
    lastLoggedAt = now;
    logger.warn(`${label}: ${error.message}`);
  });
}

const ERROR_LOG_INTERVAL_MS = 10_000;

/** Closes a client politely, or at once if Redis is not there to say goodbye to. */
export async function closeClient(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
