/**
 * `dash-ts worker` started before its Redis: it waits, trying again with a growing pause (1 s,
 * 2 s, 4 s, ... at most 15 s) and saying so at each try, then starts as usual once Redis answers.
 * A supervisor restarting a worker that exited would hide the cause; one that waits says it.
 */
import type { RedisOptions } from 'ioredis';
import type { Logger } from '../../base/log.ts';
import { describeConnection } from './connection-description.ts';
import { engine } from './engine.ts';

const FIRST_PAUSE_MS = 1000;
const LONGEST_PAUSE_MS = 15_000;

/** Resolves once Redis answers a PING (at once when it is up). SIGTERM meanwhile ends the process. */
export async function waitForRedis(
  connection: string | RedisOptions | undefined,
  logger: Logger,
): Promise<void> {
  let pauseMs = FIRST_PAUSE_MS;
  for (let attempt = 1; ; attempt++) {
    const failure = await pingOnce(connection);
    if (failure === undefined) {
      if (attempt > 1) logger.info(`worker: Redis at ${describeConnection(connection)} answers; starting`);
      return;
    }
    logger.warn(
      `worker: Redis at ${describeConnection(connection)} is not answering (${failure}); ` +
        `try ${attempt}, next in ${pauseMs / 1000} s`,
    );
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    pauseMs = Math.min(pauseMs * 2, LONGEST_PAUSE_MS);
  }
}

/** One connection and PING, no retry: undefined when it answered, else why not. */
async function pingOnce(connection: string | RedisOptions | undefined): Promise<string | undefined> {
  const { Redis: Client } = engine().ioredis;
  const options: RedisOptions = {
    ...(typeof connection === 'object' ? connection : {}),
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectionName: 'dash-ts:worker-probe',
  };
  const client = typeof connection === 'string' ? new Client(connection, options) : new Client(options);
  let lastError: string | undefined;
  client.on('error', (error: Error) => {
    lastError = error.message;
  });
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (error) {
    return lastError ?? (error as Error).message;
  } finally {
    client.disconnect();
  }
}
