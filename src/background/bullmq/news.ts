/**
 * Wakes `takeUpdate` calls waiting for a job's news. Workers publish a job's id on the queue's
 * news channel whenever they store something for it; each server process subscribes once and
 * wakes its local waiters. A waiter is armed before the store is read, so news published
 * between the read and the wait is not missed; after a reconnect (messages may have been lost
 * meanwhile) every waiter wakes and reads again.
 */
import type { Redis } from 'ioredis';
import { subscribeAlways } from './connection.ts';

const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export class Waiter {
  #woken = false;
  #resolve: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly onDispose: (waiter: Waiter) => void) {}

  wake(): void {
    this.#woken = true;
    this.#resolve?.();
  }

  /** Resolves when woken (at once if that already happened), or after `ms`. */
  wait(ms: number): Promise<void> {
    if (this.#woken) return Promise.resolve();
    return new Promise((resolve) => {
      this.#resolve = resolve;
      this.#timer = setTimeout(resolve, Math.min(Math.max(0, ms), MAX_TIMEOUT_MS));
    });
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#resolve?.();
    this.onDispose(this);
  }
}

export class NewsListener {
  readonly #waiters = new Map<string, Set<Waiter>>();

  constructor(
    private readonly subscriber: Redis,
    private readonly channel: string,
  ) {}

  async start(): Promise<void> {
    this.subscriber.on('message', (channel: string, jobId: string) => {
      if (channel === this.channel) this.#wake(jobId);
    });
    this.subscriber.on('ready', () => this.wakeAll());
    await subscribeAlways(this.subscriber, this.channel);
  }

  /** Listens for the job's news from now on; dispose() the waiter when done with it. */
  arm(jobId: string): Waiter {
    const set = this.#waiters.get(jobId) ?? new Set<Waiter>();
    this.#waiters.set(jobId, set);
    const waiter = new Waiter((w) => {
      set.delete(w);
      if (set.size === 0 && this.#waiters.get(jobId) === set) this.#waiters.delete(jobId);
    });
    set.add(waiter);
    return waiter;
  }

  wakeAll(): void {
    for (const set of this.#waiters.values()) for (const waiter of set) waiter.wake();
  }

  #wake(jobId: string): void {
    const set = this.#waiters.get(jobId);
    if (set) for (const waiter of set) waiter.wake();
  }
}
