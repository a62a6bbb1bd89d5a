/**
 * The SQLite file behind SqliteManager: jobs, their event logs, cached outcomes, the shared
 * secret and pool liveness. Several server processes may open one file. Every read-then-write
 * runs in an IMMEDIATE transaction: a deferred one could read a snapshot that another process's
 * commit makes stale before it upgrades to a writer, which WAL mode answers with SQLITE_BUSY
 * that no busy timeout retries.
 *
 * This class is the store's narrow face to its callers; its parts are in their own files: the
 * schema (schema.ts), the SQL (statements.ts) and the transactions of the server's side of a job
 * (job-transactions.ts), of a pool's turn (pool-turn.ts), of pools' claims (pool-claims.ts), of
 * the sweep (sweep.ts) and of the shared secret (shared-secret.ts).
 */
import type {
  JobLoad,
  JobOutcome,
  JobOwner,
  JobState,
  JobSubmission,
  JobUpdate,
  KeptJobQuery,
  PageJob,
} from '../manager.ts';
import type { CancelReason } from '../records.ts';
import type { Database } from './driver.ts';
import { emptyUpdate, jobTransactions, keptKey, type TakeResult } from './job-transactions.ts';
import { type ForeignClaim, poolClaimTransactions } from './pool-claims.ts';
import { type ClaimedJob, type PoolWrite, poolTurnTransactions } from './pool-turn.ts';
import { QueueOrder } from './queue-order.ts';
import { SqliteRecords } from './records.ts';
import { openStoreDatabase } from './schema.ts';
import { sharedSecretTransaction } from './shared-secret.ts';
import { prepareStatements } from './statements.ts';
import { expiresAt } from './store-parts.ts';
import { sweepTransaction } from './sweep.ts';

export type { ClaimedJob, ForeignClaim, PoolWrite, TakeResult };

export class Store {
  readonly path: string;
  /** The jobs monitor's records in this file. */
  readonly records: SqliteRecords;
  readonly #db: Database;
  readonly #statements;
  readonly #tx;
  readonly #order: QueueOrder;

  constructor(path: string) {
    this.path = path;
    const db = openStoreDatabase(path);
    this.#db = db;
    this.#statements = prepareStatements(db);
    this.#order = new QueueOrder(db);
    this.records = new SqliteRecords(db);
    const parts = { db, s: this.#statements, order: this.#order, records: this.records };
    this.#tx = {
      ...jobTransactions(parts),
      ...poolTurnTransactions(parts),
      ...poolClaimTransactions(parts),
      sweep: sweepTransaction(parts),
      secret: sharedSecretTransaction(parts),
    };
  }

  /** Queues a job. Throws if the id is taken (ids are random: a clash is a bug upstream). */
  insertJob(job: JobSubmission, now: number): void {
    this.#recorded(() => this.#tx.insert.immediate(job, now));
  }

  /** Runs a write; the monitor's records of its changes are kept only if it committed. */
  #recorded<T>(write: () => T): T {
    try {
      const result = write();
      this.records.commit();
      return result;
    } catch (error) {
      this.records.discard();
      throw error;
    }
  }

  /** The job's news if there is any (read and removed); else its state, without taking a write lock. */
  take(jobId: string, now = Date.now()): TakeResult {
    const peek = this.#statements.peek.get(jobId) as
      | { state: JobState; events: number; began: number | null; reportQueue: number }
      | undefined;
    if (
      peek &&
      (peek.state === 'queued' || peek.state === 'running') &&
      peek.events === 0 &&
      peek.began === null
    ) {
      const update = emptyUpdate(peek.state);
      if (peek.state === 'queued' && peek.reportQueue) update.queue = this.#order.place(jobId, now);
      return { update, news: false };
    }
    const taken = this.#tx.take.immediate(jobId);
    if (taken.update.state === 'queued' && peek?.reportQueue)
      taken.update.queue = this.#order.place(jobId, now);
    return taken;
  }

  /** The newest kept job of the user, callback and outputs that is unfinished or within its keep. */
  findKept(query: KeptJobQuery, now: number): string | undefined {
    return this.#statements.findKept.get(keptKey(query), now) as string | undefined;
  }

  /** A page load takes a kept job over (Manager.rejoin); undefined when it cannot. */
  rejoin(jobId: string, endId: string, now: number): JobUpdate | undefined {
    const update = this.#tx.rejoin.immediate(jobId, endId, now);
    if (update?.state === 'queued') {
      const peek = this.#statements.peek.get(jobId) as { reportQueue: number } | undefined;
      if (peek?.reportQueue) update.queue = this.#order.place(jobId, now);
    }
    return update;
  }

  /** For backgroundLimits: the page load's queued or running jobs, the user's, and every queued job. */
  load(endId: string, user: string | undefined): JobLoad {
    const s = this.#statements;
    return {
      pageUnfinished: s.pageUnfinished.get(endId) as number,
      userUnfinished: user === undefined ? 0 : (s.userUnfinished.get(user) as number),
      queued: s.queuedCount.get() as number,
    };
  }

  /** The page load's queued or running jobs. */
  pageJobs(endId: string): PageJob[] {
    const rows = this.#statements.pageJobs.all(endId) as { id: string; owner: string }[];
    return rows.map((row) => ({ id: row.id, owner: JSON.parse(row.owner) as JobOwner }));
  }

  /** Manager.stopStartsBefore: one small upsert (the sweep deletes old marks). */
  stopStartsBefore(endId: string, key: string, at: number): void {
    this.#statements.markStartStop.run(endId, key, at);
  }

  startStops(endId: string, keys: readonly string[]): number[] {
    return keys.map((key) => (this.#statements.startStop.get(endId, key) as number | undefined) ?? 0);
  }

  owner(jobId: string): JobOwner | undefined {
    const row = this.#statements.owner.get(jobId) as { owner: string } | undefined;
    return row ? (JSON.parse(row.owner) as JobOwner) : undefined;
  }

  /**
   * Marks a job cancelled and drops its unread events. Returns the pool running it (null when
   * none is), or undefined when there is no such job or it was cancelled already. The reason
   * goes into `cancel_requested` (1 cancel, 2 supersede) for the jobs monitor.
   */
  cancel(
    jobId: string,
    now: number,
    reason: CancelReason = 'cancel',
  ): { claimedBy: string | null } | undefined {
    return this.#recorded(() => this.#tx.cancel.immediate(jobId, reason, now));
  }

  /** Claims up to `limit` queued jobs of the given functions for a pool, oldest first; no two pools get the same job. */
  claim(poolId: string, limit: number, functionKeys: string, now: number): ClaimedJob[] {
    return this.#recorded(() => this.#tx.claim.immediate(poolId, limit, functionKeys, now));
  }

  /** Records a job that ended before it could be queued (its outcome is known at submit). */
  insertFinished(job: JobSubmission, outcome: JobOutcome, now: number): void {
    this.insertJob(job, now);
    this.#recorded(() => {
      this.#statements.finishUnclaimed.run(JSON.stringify(outcome), now, job.id);
      this.records.record({
        kind: 'finished',
        id: job.id,
        owner: job.owner,
        queuedAt: now,
        end: { outcome },
        at: now,
        attempts: 0,
        startedAt: null,
        wasRunning: false,
      });
    });
  }

  /**
   * One pool turn in one transaction: applies its writes, then claims up to `limit` queued jobs.
   * Returns the jobs that have news and the claimed ones.
   */
  pump(
    poolId: string,
    writes: PoolWrite[],
    limit: number,
    functionKeys: string,
    now: number,
  ): { changed: Set<string>; claimed: ClaimedJob[] } {
    // Most turns of an idle pool have nothing to write or claim: find out without the write lock.
    if (writes.length === 0 && (limit <= 0 || !this.#statements.hasQueued.get(now, functionKeys))) {
      return { changed: new Set(), claimed: [] };
    }
    return this.#recorded(() => this.#tx.pump.immediate(poolId, writes, limit, functionKeys, now));
  }

  /** Ends up to `limit` queued jobs with the given outcome (no worker can run them); returns their ids. */
  failQueued(outcome: JobOutcome, functionKeys: string, limit: number, now: number): string[] {
    return this.#recorded(() =>
      this.#tx.failQueued.immediate(JSON.stringify(outcome), functionKeys, limit, now),
    );
  }

  /** Which of these jobs are still running under this pool's claim (not cancelled, not taken over). */
  stillRunning(poolId: string, jobIds: string[]): { running: Set<string>; cancelled: Set<string> } {
    const rows = this.#statements.claimStates.all(poolId, JSON.stringify(jobIds)) as {
      id: string;
      state: string;
    }[];
    const running = new Set<string>();
    const cancelled = new Set<string>();
    for (const row of rows) (row.state === 'running' ? running : cancelled).add(row.id);
    return { running, cancelled };
  }

  /** Jobs that other pools hold (running, or cancelled and still stopping), with their pools' liveness. */
  foreignClaims(poolId: string): ForeignClaim[] {
    return this.#statements.foreignClaims.all(poolId) as ForeignClaim[];
  }

  /**
   * Takes jobs back from dead pools. A running job had started, so it ends with the `lost`
   * outcome, unless its `retry.onLost` gives it another try; a cancelled one is deleted.
   * Returns the jobs changed.
   */
  recover(claims: ForeignClaim[], lost: JobOutcome, now: number): string[] {
    if (claims.length === 0) return [];
    return this.#recorded(() => this.#tx.recover.immediate(claims, lost, now));
  }

  /** Refreshes a pool's liveness row and the heartbeat of the jobs it holds. */
  heartbeat(poolId: string, pid: number, host: string, jobIds: string[], now: number): void {
    this.#tx.heartbeat.immediate(poolId, pid, host, now, JSON.stringify(jobIds));
  }

  unregisterPool(poolId: string): void {
    this.#statements.deletePool.run(poolId);
  }

  /** Deletes what nobody will read: old finished or cancelled jobs, expired cache rows, idle pool rows. */
  sweep(now: number, finishedTtlMs: number): void {
    this.#tx.sweep.immediate(now, finishedTtlMs);
  }

  /** A cached outcome; with `expireSeconds`, its expiry restarts from now (Dash's touch). */
  cachedOutcome(key: string, expireSeconds: number | undefined, now: number): JobOutcome | undefined {
    const row = (
      expireSeconds === undefined
        ? this.#statements.getCache.get(key, now)
        : this.#statements.touchCache.get(expiresAt(now, expireSeconds), key, now)
    ) as { outcome: string } | undefined;
    return row ? (JSON.parse(row.outcome) as JobOutcome) : undefined;
  }

  /** 32 random bytes, created by whichever process asks first. */
  sharedSecret(): Buffer {
    return this.#tx.secret.immediate();
  }

  /** These page loads polled at `now` (whenPageLeaves 'cancel'; one transaction for them all). */
  markPagesSeen(endIds: string[], now: number): void {
    this.#tx.markPagesSeen.immediate(endIds, now);
  }

  /** Unfinished jobs whose page load has not been seen for their policy's pageLeftAfterMs. */
  pageLeftJobs(now: number): string[] {
    const rows = this.#statements.pageLeftJobs.all({ now }) as { id: string }[];
    return rows.map((row) => row.id);
  }

  /** Changes whenever another connection (process) commits: a cheap "anything new?" check. */
  dataVersion(): number {
    return this.#statements.dataVersion.get() as number;
  }

  close(): void {
    this.records.close();
    if (this.#db.open) this.#db.close();
  }
}
