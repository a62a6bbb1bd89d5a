/**
 * A BullMQManager's news of its jobs (../job-news.ts). Workers publish a job's id on the
 * queue's news channel whenever they store something for it; each server process subscribes
 * once and tells its own subscribers of that job. After a reconnect (messages may have been
 * lost meanwhile) every subscriber is told.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../../base/log.ts';
import { JobSubscribers } from '../job-news.ts';
import type { OnNews, Unsubscribe } from '../manager.ts';
import { subscribeAlways } from './connection.ts';

export class NewsListener {
  readonly #subscribers: JobSubscribers;

  constructor(
    private readonly subscriber: Redis,
    private readonly channel: string,
    logger: Logger,
  ) {
    this.#subscribers = new JobSubscribers(logger);
  }

  async start(): Promise<void> {
    this.subscriber.on('message', (channel: string, jobId: string) => {
      if (channel === this.channel) this.#subscribers.notify([jobId]);
    });
    this.subscriber.on('ready', () => this.wakeAll());
    await subscribeAlways(this.subscriber, this.channel);
  }

  subscribe(jobId: string, onNews: OnNews): Unsubscribe {
    return this.#subscribers.subscribe(jobId, onNews);
  }

  wakeAll(): void {
    this.#subscribers.notifyAll();
  }
}
