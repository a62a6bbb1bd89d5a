/**
 * An async step that runs once and is shared by every caller, unless it fails: a failure is
 * forgotten, so a later call tries again once the cause (Redis down, a missing file) is fixed.
 */
export class RetryableOnce<T> {
  #pending: Promise<T> | undefined;

  /** The run in progress or done, if any (e.g. for close() to wait for a start). */
  get current(): Promise<T> | undefined {
    return this.#pending;
  }

  run(step: () => Promise<T>): Promise<T> {
    if (!this.#pending) {
      const pending = step();
      this.#pending = pending;
      pending.catch(() => {
        if (this.#pending === pending) this.#pending = undefined;
      });
    }
    return this.#pending;
  }
}
