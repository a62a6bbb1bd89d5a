/**
 * Starts of a page load's callback that this server process is still queueing. A cancel, or a
 * newer call of the same callback, that arrives while an older start has not yet reached the
 * store waits for it here, so the job that start queues is found and stopped instead of running
 * on unseen (the browser knows no id for it yet, so it could not name it).
 */

/** A tracked start: `earlier` settles once the starts tracked before it have queued their job. */
export interface PendingStart {
  earlier: Promise<void>;
  /** The start has queued its job (or given up): later cancels and calls may go on. */
  done(): void;
}

export class PendingStarts {
  readonly #pending = new Map<string, Set<Promise<void>>>();

  begin(endId: string, callbackId: string): PendingStart {
    const key = pendingKey(endId, callbackId);
    const earlier = this.#settled([key]);
    let set = this.#pending.get(key);
    if (!set) {
      set = new Set();
      this.#pending.set(key, set);
    }
    const entries = set;
    let done!: () => void;
    const entry = new Promise<void>((resolve) => {
      done = resolve;
    });
    entries.add(entry);
    void entry.then(() => {
      entries.delete(entry);
      if (entries.size === 0 && this.#pending.get(key) === entries) this.#pending.delete(key);
    });
    return { earlier, done };
  }

  /** Resolves once every start of these callbacks from this page load, tracked now, has queued. */
  settled(endId: string, callbackIds: readonly string[]): Promise<void> {
    return this.#settled(callbackIds.map((id) => pendingKey(endId, id)));
  }

  async #settled(keys: string[]): Promise<void> {
    const waits = keys.flatMap((key) => [...(this.#pending.get(key) ?? [])]);
    if (waits.length > 0) await Promise.all(waits);
  }
}

function pendingKey(endId: string, callbackId: string): string {
  return `${endId}\n${callbackId}`;
}
