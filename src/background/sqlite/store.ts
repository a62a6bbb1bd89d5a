/**
 * The SQLite file behind SqliteManager: jobs, their event logs, cached outcomes, the shared
 * secret and pool liveness. Several server processes may open one file. Every read-then-write
 * runs in an IMMEDIATE transaction: a deferred one could read a snapshot that another process's
 * commit makes stale before it upgrades to a writer, which WAL mode answers with SQLITE_BUSY
 * that no busy timeout retries.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_POLICY, policyOf } from '../job-options/policy.ts';
import { retryDecision } from '../job-options/retry.ts';
import type {
  JobLoad,
  JobOutcome,
  JobOwner,
  JobPolicy,
  JobState,
  JobSubmission,
  JobUpdate,
} from '../manager.ts';
import type { CancelReason } from '../monitor/records.ts';
import { DROP_OLD_TRIGGERS, RECORDS_SCHEMA, SqliteRecords } from '../monitor/sqlite-records.ts';
import type { EventRecord } from '../process/ipc.ts';
import { type Database, openDatabase } from './driver.ts';
import { JOB_OPTION_COLUMNS, QUEUE_ORDER_SCHEMA, QueueOrder, START_ORDER } from './queue-order.ts';

const SCHEMA_VERSION = 2;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  function_key TEXT NOT NULL,
  payload TEXT NOT NULL,
  owner TEXT NOT NULL,
  cache_key TEXT,
  cache_expire REAL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'finished', 'cancelled')),
  claimed_by TEXT,
  heartbeat_at INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  outcome TEXT,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  ${JOB_OPTION_COLUMNS.join(',\n  ')}
);
CREATE INDEX IF NOT EXISTS jobs_queued ON jobs (seq) WHERE state = 'queued';
CREATE INDEX IF NOT EXISTS jobs_claimed ON jobs (claimed_by) WHERE claimed_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS jobs_ended ON jobs (finished_at) WHERE state IN ('finished', 'cancelled');
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY,
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_job ON events (job_id);
CREATE TABLE IF NOT EXISTS cache (
  key TEXT PRIMARY KEY,
  outcome TEXT NOT NULL,
  expires_at INTEGER
);
CREATE INDEX IF NOT EXISTS cache_expiry ON cache (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS pools (
  id TEXT PRIMARY KEY,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  heartbeat_at INTEGER NOT NULL
);
${QUEUE_ORDER_SCHEMA}`;

/** A job a pool has just claimed. */
export interface ClaimedJob {
  id: string;
  functionKey: string;
  payload: string;
  /** Which try this is (1 for the first). */
  attempt: number;
  /** The JobPolicy as JSON; null for the defaults. */
  policy: string | null;
}

/** A job claimed by some other pool, with what is known about that pool's liveness. */
export interface ForeignClaim {
  jobId: string;
  claimedBy: string;
  jobHeartbeatAt: number | null;
  poolPid: number | null;
  poolHost: string | null;
  poolHeartbeatAt: number | null;
}

/** What a pool writes about the jobs it runs; applied in batches, in order. */
export type PoolWrite =
  | { op: 'events'; jobId: string; events: EventRecord[] }
  /** The job ended. `cacheable`: a result that may be kept under the job's cache key. */
  | { op: 'finish'; jobId: string; outcome: string; cacheable: boolean }
  /** A cancelled job's worker stopped: the job can go. */
  | { op: 'release'; jobId: string }
  /** Hand a job back to the queue through no fault of its own (shutdown, a neighbour's kill). */
  | { op: 'requeue'; jobId: string }
  /** The try failed and another follows after `delayMs` (retry.ts): the job waits in line again. */
  | { op: 'retry'; jobId: string; delayMs: number }
  /** For the jobs monitor: which worker process runs the job. */
  | { op: 'worker'; jobId: string; workerId: string };

export interface TakeResult {
  update: JobUpdate;
  /** Whether anything was delivered (or the job is terminal or gone): no point waiting. */
  news: boolean;
}

interface JobRow {
  state: Exclude<JobState, 'unknown'>;
  outcome: string | null;
  claimed_by: string | null;
  began: number | null;
}

interface EventRow {
  kind: string;
  body: string;
}

/** Unread progress values kept per job (setProps calls are all kept: each one matters). */
const MAX_UNREAD_PROGRESS = 100;
/** Pool rows without claims are kept this long after their last heartbeat (a debugging aid). */
const POOL_ROW_TTL_MS = 60_000;

export class Store {
  readonly path: string;
  /** The jobs monitor's records in this file. */
  readonly records: SqliteRecords;
  readonly #db: Database;
  readonly #statements;
  readonly #tx;
  readonly #order: QueueOrder;

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.path = path;
    const db = openDatabase(path);
    this.#db = db;
    try {
      // The busy timeout first: the pragmas and the schema below may meet another process's lock.
      db.setPragma('busy_timeout = 5000');
      db.setPragma('journal_mode = WAL');
      db.setPragma('synchronous = NORMAL');
      db.setPragma('foreign_keys = ON');
      this.#migrate();
    } catch (error) {
      db.close();
      throw error;
    }
    this.#statements = prepareStatements(db);
    this.#order = new QueueOrder(db);
    this.records = new SqliteRecords(db);
    this.#tx = this.#transactions();
  }

  #migrate(): void {
    const migrate = this.#db.transaction(() => {
      const version = this.#db.pragmaValue('user_version') as number;
      if (version > SCHEMA_VERSION) {
        throw new Error(
          `${this.path} was written by a newer dash-ts (schema ${version}, this one knows ${SCHEMA_VERSION})`,
        );
      }
      if (version === 1) {
        // Schema 1 (before the job options): add their columns; SCHEMA adds the rest.
        for (const column of JOB_OPTION_COLUMNS) this.#db.exec(`ALTER TABLE jobs ADD COLUMN ${column}`);
      }
      this.#db.exec(SCHEMA);
      this.#db.exec(RECORDS_SCHEMA);
      this.#db.exec(DROP_OLD_TRIGGERS);
      this.#db.setPragma(`user_version = ${SCHEMA_VERSION}`);
    });
    migrate.immediate();
  }

  #transactions() {
    const s = this.#statements;
    const db = this.#db;
    const order = this.#order;
    const records = this.records;
    const claim = (poolId: string, limit: number, keys: string, now: number): ClaimedJob[] => {
      if (limit <= 0) return [];
      const rows = s.claim.all(poolId, now, now, now, keys, limit) as (ClaimedJob & {
        seq: number;
        priority: number;
        tag: number;
        owner: string;
        createdAt: number;
      })[];
      order.started(rows.map((row) => row.tag));
      for (const row of rows) {
        records.record({
          kind: 'started',
          id: row.id,
          owner: row.owner,
          queuedAt: row.createdAt,
          attempts: row.attempt,
          at: now,
        });
      }
      // A retry starts from the progress default: unread progress of earlier tries goes.
      for (const row of rows) if (row.attempt > 1) s.deleteProgressOf.run(row.id);
      return rows
        .sort((a, b) => b.priority - a.priority || a.tag - b.tag || a.seq - b.seq)
        .map(({ id, functionKey, payload, attempt, policy }) => ({
          id,
          functionKey,
          payload,
          attempt,
          policy,
        }));
    };
    const requeued = (jobId: string, row: QueueRow | undefined, now: number) => {
      if (row)
        records.record({ kind: 'requeued', id: jobId, owner: row.owner, queuedAt: row.created_at, at: now });
    };
    const apply = (poolId: string, writes: PoolWrite[], now: number): Set<string> => {
      const changed = new Set<string>();
      const ours = new Map<string, boolean>();
      const stillOurs = (jobId: string) => {
        let yes = ours.get(jobId);
        if (yes === undefined) {
          yes = s.isRunningFor.get(jobId, poolId) !== undefined;
          ours.set(jobId, yes);
        }
        return yes;
      };
      for (const write of writes) {
        switch (write.op) {
          case 'events':
            // A job cancelled or taken over meanwhile stores nothing more.
            if (!stillOurs(write.jobId)) break;
            for (const event of write.events) s.insertEvent.run(write.jobId, event.kind, event.body);
            // Only the latest progress is ever shown: an unpolled job keeps just the newest values.
            if (write.events.some((event) => event.kind === 'progress')) {
              s.trimProgress.run({ job: write.jobId, keep: MAX_UNREAD_PROGRESS - 1 });
            }
            changed.add(write.jobId);
            break;
          case 'finish': {
            const row = s.finish.get(write.outcome, now, write.jobId, poolId) as
              | {
                  cache_key: string | null;
                  cache_expire: number | null;
                  function_key: string;
                  started_at: number;
                  owner: string;
                  created_at: number;
                  attempts: number;
                }
              | undefined;
            ours.set(write.jobId, false);
            if (!row) {
              s.release.run(write.jobId, poolId);
              break;
            }
            records.record({
              kind: 'finished',
              id: write.jobId,
              owner: row.owner,
              queuedAt: row.created_at,
              end: { outcome: write.outcome },
              at: now,
              attempts: row.attempts,
              startedAt: row.started_at,
              wasRunning: true,
            });
            order.recordRunTime(row.function_key, now - row.started_at);
            if (write.cacheable && row.cache_key !== null) {
              s.putCache.run(row.cache_key, write.outcome, expiresAt(now, row.cache_expire));
            }
            changed.add(write.jobId);
            break;
          }
          case 'release':
            if (s.release.run(write.jobId, poolId).changes > 0) changed.add(write.jobId);
            ours.set(write.jobId, false);
            break;
          case 'requeue': {
            const row = s.requeue.get(write.jobId, poolId) as QueueRow | undefined;
            if (row === undefined) s.release.run(write.jobId, poolId);
            else requeued(write.jobId, row, now);
            ours.set(write.jobId, false);
            break;
          }
          case 'retry': {
            ours.set(write.jobId, false);
            const owner = s.runningOwner.get(write.jobId, poolId) as string | undefined;
            if (owner === undefined) {
              s.release.run(write.jobId, poolId);
              break;
            }
            const tag = order.tagFor((JSON.parse(owner) as JobOwner).endId, now);
            const row = s.retry.get({ id: write.jobId, pool: poolId, notBefore: now + write.delayMs, tag });
            requeued(write.jobId, row as QueueRow | undefined, now);
            break;
          }
          case 'worker':
            this.records.assign(write.jobId, write.workerId);
            break;
        }
      }
      return changed;
    };
    return {
      take: db.transaction((jobId: string): TakeResult => {
        const row = s.jobForTake.get(jobId) as JobRow | undefined;
        if (!row) return { update: emptyUpdate('unknown'), news: true };
        if (row.state === 'cancelled') {
          // Gone once its worker stopped; while it runs on, the row keeps its claim.
          if (row.claimed_by === null) s.deleteJob.run(jobId);
          return { update: emptyUpdate('cancelled'), news: true };
        }
        const events = s.eventsOf.all(jobId) as EventRow[];
        const update = emptyUpdate(row.state);
        for (const event of events) {
          if (event.kind === 'progress') update.progress.push(JSON.parse(event.body) as unknown[]);
          else {
            const [id, props] = JSON.parse(event.body) as [string, Record<string, unknown>];
            update.sideUpdates.push({ id, props });
          }
        }
        if (row.began !== null) update.began = row.began;
        if (row.state === 'finished') {
          s.deleteJob.run(jobId);
          update.outcome = JSON.parse(row.outcome ?? 'null') as JobOutcome;
          return { update, news: true };
        }
        if (events.length > 0) s.deleteEventsOf.run(jobId);
        if (row.began !== null) s.clearBegan.run(jobId);
        return { update, news: events.length > 0 || row.began !== null };
      }),
      cancel: db.transaction((jobId: string, reason: CancelReason, now: number) => {
        // The state it leaves, for the jobs monitor (an UPDATE's RETURNING sees only the new one).
        const before = s.recordedState.get(jobId) as
          | (QueueRow & { state: string; started_at: number | null })
          | undefined;
        const row = s.cancel.get(reason === 'supersede' ? 2 : 1, now, jobId) as
          | { claimed_by: string | null }
          | undefined;
        if (!row) return undefined;
        if (before && (before.state === 'queued' || before.state === 'running')) {
          records.record({
            kind: 'finished',
            id: jobId,
            owner: before.owner,
            queuedAt: before.created_at,
            end: { cancelled: reason === 'supersede' ? 'superseded' : 'cancelled' },
            at: now,
            startedAt: before.started_at,
            wasRunning: before.state === 'running',
          });
        }
        s.deleteEventsOf.run(jobId);
        return { claimedBy: row.claimed_by };
      }),
      claim: db.transaction(claim),
      insert: db.transaction((job: JobSubmission, now: number) => {
        const policy = policyOf(job);
        s.insertJob.run({
          id: job.id,
          functionKey: job.functionKey,
          payload: JSON.stringify({ args: job.args, context: job.context }),
          owner: JSON.stringify(job.owner),
          cacheKey: job.cache?.key ?? null,
          cacheExpire: job.cache?.expireSeconds ?? null,
          now,
          policy: job.policy ? JSON.stringify(job.policy) : null,
          priority: policy.priority,
          tag: order.tagFor(job.owner.endId, now),
        });
        records.record({ kind: 'queued', id: job.id, owner: job.owner, queuedAt: now });
      }),
      pump: db.transaction(
        (poolId: string, writes: PoolWrite[], limit: number, keys: string, now: number) => ({
          changed: apply(poolId, writes, now),
          claimed: claim(poolId, limit, keys, now),
        }),
      ),
      failQueued: db.transaction((outcome: string, keys: string, limit: number, now: number) => {
        const rows = s.failQueued.all(outcome, now, now, keys, limit) as (QueueRow & {
          id: string;
          attempts: number;
        })[];
        for (const row of rows) {
          records.record({
            kind: 'finished',
            id: row.id,
            owner: row.owner,
            queuedAt: row.created_at,
            end: { outcome },
            at: now,
            attempts: row.attempts,
            startedAt: now,
            wasRunning: false,
          });
        }
        return rows.map((r) => r.id);
      }),
      recover: db.transaction((claims: ForeignClaim[], lost: JobOutcome, now: number) => {
        const changed: string[] = [];
        for (const claim of claims) {
          const row = s.claimedJob.get(claim.jobId, claim.claimedBy) as
            | (QueueRow & {
                state: string;
                attempts: number;
                policy: string | null;
                started_at: number | null;
              })
            | undefined;
          if (!row) continue;
          changed.push(claim.jobId);
          if (row.state === 'cancelled') {
            s.deleteJob.run(claim.jobId);
            continue;
          }
          if (row.state !== 'running') continue;
          // It had started: running it again could repeat what it did. Only retry.onLost asks for that.
          const policy = row.policy ? (JSON.parse(row.policy) as JobPolicy) : DEFAULT_POLICY;
          const decision = retryDecision(policy, row.attempts, lost);
          if (decision.retry) {
            const tag = order.tagFor((JSON.parse(row.owner) as JobOwner).endId, now);
            s.retry.get({ id: claim.jobId, pool: claim.claimedBy, notBefore: now + decision.delayMs, tag });
            requeued(claim.jobId, row, now);
          } else {
            s.finishUnclaimed.run(JSON.stringify(lost), now, claim.jobId);
            records.record({
              kind: 'finished',
              id: claim.jobId,
              owner: row.owner,
              queuedAt: row.created_at,
              end: { outcome: lost },
              at: now,
              attempts: row.attempts,
              startedAt: row.started_at,
              wasRunning: true,
            });
          }
        }
        for (const poolId of new Set(claims.map((c) => c.claimedBy))) {
          if (s.claimsOf.get(poolId) === undefined) s.deletePool.run(poolId);
        }
        return changed;
      }),
      heartbeat: db.transaction((poolId: string, pid: number, host: string, now: number, jobIds: string) => {
        s.upsertPool.run(poolId, pid, host, now);
        s.heartbeatJobs.run(now, poolId, jobIds);
      }),
      sweep: db.transaction((now: number, finishedTtlMs: number) => {
        s.deleteEnded.run(now - finishedTtlMs);
        order.sweep(now);
        s.deleteExpiredCache.run(now);
        s.deleteIdlePools.run(now - POOL_ROW_TTL_MS);
        this.records.sweep(now);
      }),
      secret: db.transaction((): Buffer => {
        // A blob reads as a Uint8Array under node:sqlite; callers get a Buffer either way.
        const existing = s.getMeta.get('secret') as { value: Uint8Array } | undefined;
        if (existing) return Buffer.from(existing.value);
        const secret = randomBytes(32);
        s.putMeta.run('secret', secret);
        return secret;
      }),
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

  /** For backgroundLimits: the page load's queued or running jobs, and every queued job. */
  load(endId: string): JobLoad {
    const s = this.#statements;
    return {
      pageUnfinished: s.pageUnfinished.get(endId) as number,
      queued: s.queuedCount.get() as number,
    };
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

  /** Changes whenever another connection (process) commits: a cheap "anything new?" check. */
  dataVersion(): number {
    return this.#statements.dataVersion.get() as number;
  }

  close(): void {
    this.records.close();
    if (this.#db.open) this.#db.close();
  }
}

function expiresAt(now: number, expireSeconds: number | null | undefined): number | null {
  return expireSeconds === null || expireSeconds === undefined
    ? null
    : now + Math.round(expireSeconds * 1000);
}

/** A job's owner and queue time from its row, as the jobs monitor's records need them. */
interface QueueRow {
  owner: string;
  created_at: number;
}

function emptyUpdate(state: JobState): JobUpdate {
  return { state, progress: [], sideUpdates: [] };
}

function prepareStatements(db: Database) {
  return {
    insertJob: db.prepare(
      `INSERT INTO jobs (id, function_key, payload, owner, cache_key, cache_expire, state, created_at,
                         policy, priority, fair_tag)
       VALUES (@id, @functionKey, @payload, @owner, @cacheKey, @cacheExpire, 'queued', @now,
               @policy, @priority, @tag)`,
    ),
    peek: db.prepare(
      `SELECT state, EXISTS (SELECT 1 FROM events WHERE job_id = jobs.id) AS events, began,
              coalesce(json_extract(policy, '$.reportQueue'), 0) AS reportQueue
       FROM jobs WHERE id = ?`,
    ),
    jobForTake: db.prepare('SELECT state, outcome, claimed_by, began FROM jobs WHERE id = ?'),
    clearBegan: db.prepare('UPDATE jobs SET began = NULL WHERE id = ?'),
    deleteProgressOf: db.prepare(`DELETE FROM events WHERE job_id = ? AND kind = 'progress'`),
    runningOwner: db
      .prepare(`SELECT owner FROM jobs WHERE id = ? AND state = 'running' AND claimed_by = ?`)
      .pluck(),
    retry: db.prepare(
      `UPDATE jobs SET state = 'queued', claimed_by = NULL, heartbeat_at = NULL, began = NULL,
                       not_before = @notBefore, fair_tag = @tag
       WHERE id = @id AND state = 'running' AND claimed_by = @pool RETURNING owner, created_at`,
    ),
    eventsOf: db.prepare('SELECT kind, body FROM events WHERE job_id = ? ORDER BY seq'),
    deleteEventsOf: db.prepare('DELETE FROM events WHERE job_id = ?'),
    deleteJob: db.prepare('DELETE FROM jobs WHERE id = ?'),
    owner: db.prepare('SELECT owner FROM jobs WHERE id = ?'),
    pageUnfinished: db
      .prepare(
        `SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running') AND json_extract(owner, '$.endId') = ?`,
      )
      .pluck(),
    queuedCount: db.prepare(`SELECT COUNT(*) FROM jobs WHERE state = 'queued'`).pluck(),
    cancel: db.prepare(
      `UPDATE jobs SET state = 'cancelled', cancel_requested = ?, outcome = NULL, finished_at = ?
       WHERE id = ? AND state != 'cancelled' RETURNING claimed_by`,
    ),
    claim: db.prepare(
      `UPDATE jobs SET state = 'running', claimed_by = ?, heartbeat_at = ?, started_at = ?,
                       attempts = attempts + 1, began = attempts + 1
       WHERE seq IN (SELECT seq FROM jobs WHERE state = 'queued' AND not_before <= ?
                       AND function_key IN (SELECT value FROM json_each(?)) ORDER BY ${START_ORDER} LIMIT ?)
       RETURNING seq, id, function_key AS functionKey, payload, attempts AS attempt, policy, priority,
                 fair_tag AS tag, owner, created_at AS createdAt`,
    ),
    hasQueued: db
      .prepare(
        `SELECT 1 FROM jobs WHERE state = 'queued' AND not_before <= ?
           AND function_key IN (SELECT value FROM json_each(?)) LIMIT 1`,
      )
      .pluck(),
    isRunningFor: db.prepare(`SELECT 1 FROM jobs WHERE id = ? AND state = 'running' AND claimed_by = ?`),
    insertEvent: db.prepare('INSERT INTO events (job_id, kind, body) VALUES (?, ?, ?)'),
    trimProgress: db.prepare(
      `DELETE FROM events WHERE job_id = @job AND kind = 'progress' AND seq < (
         SELECT seq FROM events WHERE job_id = @job AND kind = 'progress' ORDER BY seq DESC LIMIT 1 OFFSET @keep)`,
    ),
    finish: db.prepare(
      `UPDATE jobs SET state = 'finished', outcome = ?, finished_at = ?, claimed_by = NULL, heartbeat_at = NULL
       WHERE id = ? AND state = 'running' AND claimed_by = ?
       RETURNING cache_key, cache_expire, function_key, started_at, owner, created_at, attempts`,
    ),
    finishUnclaimed: db.prepare(
      `UPDATE jobs SET state = 'finished', outcome = ?, finished_at = ?, claimed_by = NULL, heartbeat_at = NULL
       WHERE id = ?`,
    ),
    release: db.prepare(`DELETE FROM jobs WHERE id = ? AND state = 'cancelled' AND claimed_by = ?`),
    requeue: db.prepare(
      `UPDATE jobs SET state = 'queued', claimed_by = NULL, heartbeat_at = NULL, attempts = max(attempts - 1, 0), began = NULL
       WHERE id = ? AND state = 'running' AND claimed_by = ? RETURNING owner, created_at`,
    ),
    failQueued: db.prepare(
      `UPDATE jobs SET state = 'finished', outcome = ?, started_at = ?, finished_at = ?, attempts = attempts + 1
       WHERE seq IN (SELECT seq FROM jobs WHERE state = 'queued'
                       AND function_key IN (SELECT value FROM json_each(?)) ORDER BY seq LIMIT ?)
       RETURNING id, owner, created_at, attempts`,
    ),
    claimStates: db.prepare(
      `SELECT id, state FROM jobs
       WHERE claimed_by = ? AND state IN ('running', 'cancelled') AND id IN (SELECT value FROM json_each(?))`,
    ),
    foreignClaims: db.prepare(
      `SELECT j.id AS jobId, j.claimed_by AS claimedBy, j.heartbeat_at AS jobHeartbeatAt,
              p.pid AS poolPid, p.host AS poolHost, p.heartbeat_at AS poolHeartbeatAt
       FROM jobs j LEFT JOIN pools p ON p.id = j.claimed_by
       WHERE j.claimed_by IS NOT NULL AND j.claimed_by != ?`,
    ),
    claimedJob: db.prepare(
      'SELECT state, attempts, policy, owner, created_at, started_at FROM jobs WHERE id = ? AND claimed_by = ?',
    ),
    recordedState: db.prepare('SELECT state, owner, created_at, started_at FROM jobs WHERE id = ?'),
    claimsOf: db.prepare('SELECT 1 FROM jobs WHERE claimed_by = ? LIMIT 1'),
    upsertPool: db.prepare(
      `INSERT INTO pools (id, pid, host, heartbeat_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`,
    ),
    heartbeatJobs: db.prepare(
      `UPDATE jobs SET heartbeat_at = ? WHERE claimed_by = ? AND id IN (SELECT value FROM json_each(?))`,
    ),
    deletePool: db.prepare('DELETE FROM pools WHERE id = ?'),
    deleteEnded: db.prepare(
      `DELETE FROM jobs WHERE state IN ('finished', 'cancelled') AND finished_at < ? AND claimed_by IS NULL`,
    ),
    deleteExpiredCache: db.prepare('DELETE FROM cache WHERE expires_at IS NOT NULL AND expires_at < ?'),
    deleteIdlePools: db.prepare(
      `DELETE FROM pools WHERE heartbeat_at < ? AND NOT EXISTS (SELECT 1 FROM jobs WHERE claimed_by = pools.id)`,
    ),
    putCache: db.prepare(
      `INSERT INTO cache (key, outcome, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET outcome = excluded.outcome, expires_at = excluded.expires_at`,
    ),
    getCache: db.prepare(
      'SELECT outcome FROM cache WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)',
    ),
    touchCache: db.prepare(
      `UPDATE cache SET expires_at = ? WHERE key = ? AND (expires_at IS NULL OR expires_at > ?) RETURNING outcome`,
    ),
    getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
    putMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)'),
    dataVersion: db.prepare('PRAGMA data_version').pluck(),
  };
}
