/**
 * A SqliteManager's news of its jobs (../job-news.ts): this process's pool names the jobs it
 * wrote about, so their subscribers are told at once; writes by other processes are noticed by
 * polling SQLite's data_version (a counter that moves when another connection commits), which
 * costs next to nothing, and only while somebody is subscribed. Such a write does not say which
 * jobs it was about, so every subscriber is told.
 */
import type { Logger } from '../../base/log.ts';
import { JobSubscribers } from '../job-news.ts';
import type { OnNews, Unsubscribe } from '../manager.ts';

export class Wakeups {
  readonly #subscribers: JobSubscribers;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    /** True when another connection committed since the last call. */
    private readonly othersWrote: () => boolean,
    private readonly pollMs: number,
    logger: Logger,
  ) {
    this.#subscribers = new JobSubscribers(logger, (active) =>
      active ? this.#startPolling() : this.#stopPolling(),
    );
  }

  subscribe(jobId: string, onNews: OnNews): Unsubscribe {
    return this.#subscribers.subscribe(jobId, onNews);
  }

  notify(jobIds: Iterable<string>): void {
    this.#subscribers.notify(jobIds);
  }

  notifyAll(): void {
    this.#subscribers.notifyAll();
  }

  #startPolling(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      if (this.othersWrote()) this.notifyAll();
    }, this.pollMs);
    // Waiting takeUpdate calls keep the process alive with their own timers; this one must not.
    this.#timer.unref();
  }

  #stopPolling(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
