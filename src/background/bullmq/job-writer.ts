/**
 * Carries what running jobs report into Redis without flooding it. The job process already
 * sends at most one message per job per event-loop turn (a tight progress loop collapses to its
 * latest value there); here every job's pending events go out together in one pipeline, with at
 * most one pipeline in flight and at most one every FLUSH_INTERVAL_MS. An outcome is written at
 * once, carrying its job's last events, so results are not held back by the batching.
 *
 * Events are never dropped here: each batch is numbered per attempt, and Redis applies a batch
 * once even if a reconnect makes the client send it twice.
 */
import type { Logger } from '../../base/log.ts';
import type { EventRecord } from '../process/ipc.ts';
import type { EventBatch, RedisStore } from './store.ts';

const FLUSH_INTERVAL_MS = 5;

interface Pending {
  token: string;
  events: EventRecord[];
}

export class JobWriter {
  readonly #pending = new Map<string, Pending>();
  /** The last batch number used per job (per attempt: a job's token changes with its attempt). */
  readonly #seq = new Map<string, number>();
  #inFlight: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lastFlushAt = 0;

  constructor(
    private readonly store: RedisStore,
    private readonly logger: Logger,
  ) {}

  events(jobId: string, token: string, events: EventRecord[]): void {
    const pending = this.#pending.get(jobId);
    if (pending && pending.token === token) pending.events.push(...events);
    else this.#pending.set(jobId, { token, events: [...events] });
    this.#schedule();
  }

  /** Stores how the try ended with its pending events; see RedisStore.finish for the answer. */
  finish(jobId: string, token: string, outcome: string, cacheable: boolean, retryDelayMs?: number) {
    const batch = this.#take(jobId, token);
    this.#seq.delete(jobId);
    return this.store.finish(batch, outcome, cacheable, retryDelayMs);
  }

  /** Forgets a job's pending events (it was cancelled or handed back: they must not be stored). */
  drop(jobId: string): void {
    this.#pending.delete(jobId);
    this.#seq.delete(jobId);
  }

  /** Writes whatever is pending now (at shutdown). */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#inFlight;
    await this.#write();
  }

  #take(jobId: string, token: string): EventBatch {
    const pending = this.#pending.get(jobId);
    this.#pending.delete(jobId);
    const seq = (this.#seq.get(jobId) ?? 0) + 1;
    this.#seq.set(jobId, seq);
    return { jobId, token, seq, events: pending?.token === token ? pending.events : [] };
  }

  #schedule(): void {
    if (this.#timer || this.#inFlight) return;
    const wait = Math.max(0, this.#lastFlushAt + FLUSH_INTERVAL_MS - performance.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#write();
    }, wait);
  }

  #write(): Promise<void> {
    if (this.#pending.size === 0) return Promise.resolve();
    const batches = [...this.#pending].map(([jobId, { token }]) => this.#take(jobId, token));
    this.#lastFlushAt = performance.now();
    const inFlight = this.store
      .append(batches)
      .catch((error) => this.logger.error('could not store background job events in Redis', error))
      .finally(() => {
        this.#inFlight = undefined;
        if (this.#pending.size > 0) this.#schedule();
      });
    this.#inFlight = inFlight;
    return inFlight;
  }
}
