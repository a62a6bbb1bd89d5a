/**
 * What an SqliteManager pool tells the jobs monitor that the store's own writes cannot: which
 * worker process runs each job, and the worker processes themselves (heartbeats, exits). Silent
 * while no process has turned the monitor on for the file; `refresh()` looks again.
 */
import type { Logger } from '../../base/log.ts';
import { poolWorkerId } from './records.ts';
import type { PoolWrite, Store } from './store.ts';

export class PoolRecorder {
  #on = false;
  /** Worker processes with a row in the records (beaten at least once, not exited since). */
  readonly #listed = new Set<number>();

  constructor(
    private readonly store: Store,
    private readonly poolId: string,
    private readonly host: string,
    private readonly logger: Logger,
  ) {}

  /** Looks whether recording is on (the pool calls it with its heartbeat, and before it starts jobs). */
  refresh(): void {
    this.#on = this.store.records.isEnabled();
  }

  /** A write for the pool's next transaction: this job runs on that worker process. */
  assignment(jobId: string, pid: number | undefined): PoolWrite | undefined {
    if (!this.#on || pid === undefined) return undefined;
    // A worker started since the last heartbeat (e.g. replacing a killed one) is listed before
    // its first job shows: the monitor never names a worker it does not list.
    if (!this.#listed.has(pid)) this.#quietly(() => this.beat([pid], Date.now()));
    return { op: 'worker', jobId, workerId: poolWorkerId(this.host, pid) };
  }

  beat(pids: (number | undefined)[], now: number): void {
    if (!this.#on) return;
    const alive = pids.filter((pid) => pid !== undefined);
    this.store.records.beat(this.poolId, this.host, alive, now);
    for (const pid of alive) this.#listed.add(pid);
  }

  /** A worker process ended; `expected`: the pool stopped it itself. */
  exited(pid: number | undefined, exit: string, expected: boolean): void {
    if (pid !== undefined) this.#listed.delete(pid);
    if (!this.#on || pid === undefined) return;
    this.#quietly(() => this.store.records.exited(this.host, pid, exit, expected, Date.now()));
  }

  closed(): void {
    if (!this.#on) return;
    this.#quietly(() => this.store.records.poolStopped(this.poolId, Date.now()));
  }

  /** The monitor's bookkeeping must never disturb the jobs: a failed write is logged and dropped. */
  #quietly(write: () => void): void {
    try {
      write();
    } catch (error) {
      this.logger.error('could not record a worker for the jobs monitor', error);
    }
  }
}
