/**
 * A job's news in one process, for every manager: who is subscribed to which job
 * (Manager.subscribe), and takeUpdate's wait for news, which goes through the same
 * subscriptions. Each manager learns that a job may have news its own way (SqliteManager: its
 * pool's messages and the SQLite file's data_version; BullMQManager: Redis pub/sub) and tells
 * the subscribers here.
 */
import type { Logger } from '../base/log.ts';
import type { OnNews, Unsubscribe } from './manager.ts';

const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export class JobSubscribers {
  readonly #byJob = new Map<string, Set<OnNews>>();

  constructor(
    /** Where a subscriber's throw is reported. */
    private readonly logger: Pick<Logger, 'error'>,
    /** Told when the first subscription starts and when the last one ends. */
    private readonly onActive: (active: boolean) => void = () => {},
  ) {}

  subscribe(jobId: string, onNews: OnNews): Unsubscribe {
    // An entry of its own, so the same function subscribed twice is two subscriptions.
    const entry: OnNews = () => onNews();
    let set = this.#byJob.get(jobId);
    if (!set) {
      set = new Set();
      this.#byJob.set(jobId, set);
      if (this.#byJob.size === 1) this.onActive(true);
    }
    const subscribed = set;
    subscribed.add(entry);
    return () => {
      if (!subscribed.delete(entry) || subscribed.size > 0 || this.#byJob.get(jobId) !== subscribed) return;
      this.#byJob.delete(jobId);
      if (this.#byJob.size === 0) this.onActive(false);
    };
  }

  notify(jobIds: Iterable<string>): void {
    for (const jobId of jobIds) {
      const set = this.#byJob.get(jobId);
      // A copy: a subscriber may unsubscribe (or subscribe) while it is told.
      if (set) for (const onNews of [...set]) this.#tell(onNews);
    }
  }

  notifyAll(): void {
    for (const set of [...this.#byJob.values()]) for (const onNews of [...set]) this.#tell(onNews);
  }

  #tell(onNews: OnNews): void {
    try {
      onNews();
    } catch (error) {
      // The manager's own bookkeeping goes on; the subscriber's bug is reported.
      this.logger.error('a job news subscriber threw', error);
    }
  }
}

/**
 * takeUpdate's wait for one job's news. Armed before the store is read, so news that comes
 * between the read and the wait is not missed; dispose() it when done.
 */
export class NewsWait {
  #woken = false;
  #resolve: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #unsubscribe: Unsubscribe;

  constructor(subscribe: (onNews: OnNews) => Unsubscribe) {
    this.#unsubscribe = subscribe(() => {
      this.#woken = true;
      this.#resolve?.();
    });
  }

  /** Resolves once news came since it was armed (at once if it did already), or after `ms`. */
  wait(ms: number): Promise<void> {
    if (this.#woken) return Promise.resolve();
    return new Promise((resolve) => {
      this.#resolve = resolve;
      // setTimeout takes at most 2^31-1 ms; longer would fire at once.
      this.#timer = setTimeout(resolve, Math.min(Math.max(0, ms), MAX_TIMEOUT_MS));
    });
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#resolve?.();
    this.#unsubscribe();
  }
}
