/**
 * Wakes `takeUpdate` calls that wait for a job's news. This process's pool names the jobs it
 * wrote about, so those waiters wake at once; writes by other processes are noticed by polling
 * SQLite's data_version (a counter that moves when another connection commits), which costs
 * next to nothing, and only while somebody waits.
 */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export class Wakeups {
  readonly #waiters = new Map<string, Set<() => void>>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    /** True when another connection committed since the last call. */
    private readonly othersWrote: () => boolean,
    private readonly pollMs: number,
  ) {}

  /** Resolves when the job may have news, or after `ms`. */
  wait(jobId: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.#waiters.get(jobId) ?? new Set<() => void>();
      this.#waiters.set(jobId, set);
      const wake = () => {
        clearTimeout(timer);
        set.delete(wake);
        if (set.size === 0 && this.#waiters.get(jobId) === set) this.#waiters.delete(jobId);
        if (this.#waiters.size === 0) this.#stopPolling();
        resolve();
      };
      // setTimeout takes at most 2^31-1 ms; longer would fire at once.
      const timer = setTimeout(wake, Math.min(ms, MAX_TIMEOUT_MS));
      set.add(wake);
      this.#startPolling();
    });
  }

  notify(jobIds: Iterable<string>): void {
    for (const jobId of jobIds) {
      const waiters = this.#waiters.get(jobId);
      if (waiters) for (const wake of [...waiters]) wake();
    }
  }

  notifyAll(): void {
    for (const waiters of [...this.#waiters.values()]) for (const wake of [...waiters]) wake();
  }

  #startPolling(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      if (this.othersWrote()) this.notifyAll();
    }, this.pollMs);
    // The waiters' own timers keep the process alive; this one must not on its own.
    this.#timer.unref();
  }

  #stopPolling(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
