/**
 * Whether a server's Redis may be used for a new job now. A server started while Redis is down
 * keeps serving; what needs Redis to begin (a job's start, a cancel, the store's secret, the
 * health probe) is refused at once with a BackgroundUnavailableError naming the cause, instead
 * of waiting in ioredis's offline queue. A short drop of a connection that was up (a Redis
 * restart) is waited through as before, so jobs started during a restart still go through.
 */
import type { Redis } from 'ioredis';
import { BackgroundUnavailableError } from '../../base/errors.ts';

/** A connection that was up and dropped is waited for this long before starts are refused. */
export const OUTAGE_GRACE_MS = 3000;

export class RedisAvailability {
  #everReady = false;
  #downSince: number | undefined;
  #lastError: string | undefined;

  constructor(
    private readonly client: Redis,
    /** The connection as logs show it (connection-description.ts: no credential). */
    private readonly described: string,
  ) {
    client.on('ready', () => {
      this.#everReady = true;
      this.#downSince = undefined;
      this.#lastError = undefined;
    });
    client.on('error', (error: Error) => {
      this.#lastError = error.message;
      if (client.status !== 'ready') this.#downSince ??= performance.now();
    });
    client.on('close', () => {
      this.#downSince ??= performance.now();
    });
  }

  /** Throws a BackgroundUnavailableError when Redis cannot be used for a new job now. */
  assertAvailable(): void {
    const why = this.unavailableBecause();
    if (why !== undefined) throw new BackgroundUnavailableError(why);
  }

  /** Why Redis cannot be used now, or undefined when it can (or may still, within a restart). */
  unavailableBecause(): string | undefined {
    if (this.client.status === 'ready') return undefined;
    // Still connecting for the first time and no error yet: commands wait for the connection.
    if (!this.#everReady && this.#downSince === undefined) return undefined;
    const downFor = this.#downSince === undefined ? 0 : performance.now() - this.#downSince;
    if (this.#everReady && downFor < OUTAGE_GRACE_MS) return undefined;
    const cause = this.#lastError ? ` (${this.#lastError})` : '';
    const since = this.#everReady ? `for ${Math.round(downFor / 1000)} s` : 'since the server started';
    return (
      `Redis at ${this.described} is not answering${cause} ${since}: ` +
      'background jobs cannot start until it is back'
    );
  }
}
