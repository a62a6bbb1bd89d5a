/**
 * BullMQManager's own state in Redis, one typed method per script (lua/, loaded by scripts.ts)
 * or command: what server processes read and change (submit, take, cancel, owner, cache, secret)
 * and what workers write (begin, events, finish, release, handback, heartbeat).
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { fairTurnKey, PAGE_TAG_TTL_MS } from '../job-options/fairness.ts';
import { PAGE_SEEN_KEEP_MS } from '../job-options/page-leave.ts';
import { decodePolicy, encodePolicy, policyOf } from '../job-options/policy.ts';
import { RUN_TIME_WEIGHT } from '../job-options/queue-status.ts';
import { retryDecision } from '../job-options/retry.ts';
import { userLine } from '../job-options/user-lines.ts';
import type { JobOutcome, JobOwner, JobPolicy, JobState, JobSubmission, JobUpdate } from '../manager.ts';
import type { EventRecord } from '../process/ipc.ts';
import type { CancelReason } from '../records.ts';
import type { KeySpace } from './keys.ts';
import { STALE_AFTER_MS } from './liveness.ts';
import type { ResolvedOptions } from './options.ts';
import { encodeEvent, eventsAsUpdate, queuePlace } from './replies.ts';
import { runScript } from './scripts.ts';

/** A batch of one job's events, numbered so that a batch resent after a reconnect is applied once. */
export interface EventBatch {
  jobId: string;
  token: string;
  seq: number;
  events: EventRecord[];
}

export interface TakeResult {
  update: JobUpdate;
  /** Whether anything was delivered (or the job is terminal or gone): no point waiting. */
  news: boolean;
  /** Its worker died and retry.onLost gives it this try: the caller adds the try's ticket. */
  nextTry?: { attempt: number; delayMs: number };
}

/** A job a worker has taken for one try. */
export interface BegunJob {
  id: string;
  functionKey: string;
  payload: string;
  policy: JobPolicy;
  attempt: number;
}

/** What the job was doing when cancelled ('finished': its outcome was not read yet, and never will be). */
export type CancelResult = 'none' | 'queued' | 'running' | 'finished';
/** What heartbeat says of a job a worker runs. */
export type HeldState = 'running' | 'cancelled' | 'finished' | 'queued' | 'gone';

export class RedisStore {
  constructor(
    private readonly client: Redis,
    private readonly keys: KeySpace,
    private readonly options: ResolvedOptions,
  ) {}

  // --- server side -------------------------------------------------------------------------

  /**
   * Records and queues a job, counting it among its page load's unfinished jobs; false when it
   * exists already (a repeated submit).
   */
  async submit(job: JobSubmission): Promise<boolean> {
    const cacheTtlMs = job.cache?.expireSeconds ? job.cache.expireSeconds * 1000 : this.options.cacheTtlMs;
    const policy = policyOf(job);
    const k = this.keys;
    const queued = await runScript(
      this.client,
      'dashSubmit',
      [
        k.job(job.id),
        k.order,
        k.clock,
        k.turn(fairTurnKey(job.owner)),
        k.seq,
        k.pageJobs(job.owner.endId),
        k.monitorOn,
        k.userJobs(job.owner.user ?? ''),
        // (A job that is not kept is added to no set: the key is there for the script's KEYS only.)
        k.kept(job.owner.user ?? '', job.owner.callbackId, job.owner.outputsKey),
      ],
      [
        JSON.stringify(job.owner),
        job.cache?.key ?? '',
        Math.ceil(cacheTtlMs),
        this.options.jobTtlMs,
        job.functionKey,
        JSON.stringify({ args: job.args, context: job.context }),
        encodePolicy(job) ?? '',
        policy.priority,
        policy.reportQueue ? '1' : '0',
        PAGE_TAG_TTL_MS,
        job.id,
        job.owner.user === undefined ? '0' : '1',
        policy.maxConcurrentPerUser === undefined ? '' : userLine(job.functionKey, job.owner),
        policy.maxConcurrentPerUser ?? '',
        job.keep ? Math.round(job.keep.seconds * 1000) : '',
        job.keep?.findable && job.owner.user !== undefined ? '1' : '0',
      ],
    );
    if (queued !== 1) return false;
    if (policy.pageLeftAfterMs !== undefined) {
      // Watched after it is queued: a server that dies in between leaves a job that finishes.
      await runScript(
        this.client,
        'dashWatchPage',
        [k.leaveWatch, k.pageSeen],
        [job.id, Math.ceil(policy.pageLeftAfterMs), job.owner.endId],
      );
    }
    return true;
  }

  /** These page loads polled just now (whenPageLeaves 'cancel'). */
  async markPagesSeen(endIds: string[]): Promise<void> {
    await runScript(this.client, 'dashPagesSeen', [this.keys.pageSeen], endIds);
  }

  /** The watched jobs whose page load stopped polling, for the caller to cancel. */
  async pagesLeft(): Promise<string[]> {
    return (await runScript(
      this.client,
      'dashPagesLeft',
      [this.keys.leaveWatch, this.keys.pageSeen],
      [this.keys.job(''), PAGE_SEEN_KEEP_MS],
    )) as string[];
  }

  /**
   * Read-once: returns and removes the job's news. `judge`: may declare a job with a dead worker
   * lost; whether that try is retried, and after how long, is retry.ts's to say.
   */
  async take(jobId: string, judge: boolean): Promise<TakeResult> {
    const reply = await this.#take(jobId, judge);
    if (reply[0] !== 'lost-worker') return parseTake(reply);
    const [, token, attempt, policy] = reply as [string, string, string, string | null];
    const decision = retryDecision(decodePolicy(policy), Number(attempt), lostRunning);
    const k = this.keys;
    const declared = await runScript(
      this.client,
      'dashLose',
      [k.job(jobId), k.heartbeat(jobId), k.backoff, k.clock, k.seq],
      [
        token,
        jobId,
        JSON.stringify(lostRunning),
        decision.retry ? decision.delayMs : '',
        PAGE_TAG_TTL_MS,
        k.newsChannel,
      ],
    );
    // Judged already (by lose.lua, or by another process): read what it left.
    const taken = parseTake(await this.#take(jobId, false));
    if (declared !== 3 || !decision.retry) return taken;
    return { ...taken, nextTry: { attempt: Number(attempt) + 1, delayMs: decision.delayMs } };
  }

  async #take(jobId: string, judge: boolean): Promise<string[]> {
    const [job, events, heartbeat] = this.keys.jobKeys(jobId);
    const k = this.keys;
    return (await runScript(
      this.client,
      'dashTake',
      [job, events, heartbeat, k.workers, k.order, k.runtimes, k.bullActive, k.seen(jobId)],
      [judge ? '1' : '0', this.options.noWorkerTimeoutMs, JSON.stringify(this.#lostNoWorker()), jobId],
    )) as string[];
  }

  #lostNoWorker(): JobOutcome {
    const seconds = Math.round(this.options.noWorkerTimeoutMs / 100) / 10;
    return {
      kind: 'lost',
      message:
        `no dash-ts worker has served queue "${this.options.queueName}" for ${seconds} s, so the job could not run; ` +
        'start one with `dash-ts worker <app-module>`',
    };
  }

  async cancel(jobId: string, reason: CancelReason = 'cancel'): Promise<CancelResult> {
    const result = await runScript(
      this.client,
      'dashCancel',
      [this.keys.job(jobId), this.keys.events(jobId), this.keys.order, this.keys.backoff],
      [
        this.keys.newsChannel,
        this.keys.cancelChannel,
        jobId,
        // The monitor counts a page that left as a cancel.
        reason === 'supersede' ? 'superseded' : 'cancelled',
      ],
    );
    return (['none', 'queued', 'running', 'finished'] as const)[Number(result)] ?? 'none';
  }

  async owner(jobId: string): Promise<JobOwner | undefined> {
    const owner = await this.client.hget(this.keys.job(jobId), 'owner');
    return owner ? (JSON.parse(owner) as JobOwner) : undefined;
  }

  async cachedOutcome(cacheKey: string, expireSeconds: number | undefined): Promise<JobOutcome | undefined> {
    const key = this.keys.cache(cacheKey);
    // Reading with an expiry restarts it, as Dash's cache does.
    const text =
      expireSeconds === undefined
        ? await this.client.get(key)
        : await this.client.getex(key, 'PX', Math.ceil(expireSeconds * 1000));
    return text ? (JSON.parse(text) as JobOutcome) : undefined;
  }

  /**
   * Created once by whichever process asks first. The one key without a TTL: it is small, and
   * handles signed with it must keep verifying for as long as any server uses it.
   */
  async sharedSecret(): Promise<Buffer> {
    await this.client.set(this.keys.secret, randomBytes(32).toString('base64'), 'NX');
    const secret = await this.client.get(this.keys.secret);
    if (!secret) throw new Error(`the shared secret ${this.keys.secret} vanished from Redis`);
    return Buffer.from(secret, 'base64');
  }

  // --- worker side -------------------------------------------------------------------------

  /**
   * Takes the job first in line for one try under `token`, run by worker `workerId`; undefined
   * when none may start. `redeem`: only with a ticket owed to jobs that waited for their user
   * line (lua/begin.lua), after a try of a limited job ended.
   */
  async begin(token: string, workerId: string, redeem = false): Promise<BegunJob | undefined> {
    const k = this.keys;
    const reply = (await runScript(
      this.client,
      'dashBegin',
      [k.order, k.backoff, k.clock, k.lines, k.owed],
      [token, this.options.jobTtlMs, STALE_AFTER_MS, k.base, workerId, redeem ? '1' : '0'],
    )) as [string, string, string, string, number] | null;
    if (!reply) return undefined;
    const [id, functionKey, payload, policy, attempt] = reply;
    return {
      id,
      functionKey,
      payload,
      policy: decodePolicy(policy),
      attempt,
    };
  }

  /** Ends a queued job with `outcome` (a worker could not hand it back); false if it was not queued. */
  async fail(jobId: string, outcome: JobOutcome): Promise<boolean> {
    const k = this.keys;
    const result = await runScript(
      this.client,
      'dashFail',
      [k.job(jobId), k.order],
      [JSON.stringify(outcome), this.options.finishedTtlMs, k.newsChannel, jobId],
    );
    return result === 1;
  }

  /** Appends several jobs' event batches in one round trip. */
  async append(batches: EventBatch[]): Promise<void> {
    if (batches.length === 0) return;
    const pipeline = this.client.pipeline();
    for (const batch of batches) {
      const args = [
        batch.token,
        batch.seq,
        this.keys.newsChannel,
        batch.jobId,
        this.options.jobTtlMs,
        ...batch.events.map(encodeEvent),
      ];
      (pipeline as unknown as Record<string, (...a: (string | number)[]) => unknown>).dashAppend!(
        this.keys.job(batch.jobId),
        this.keys.events(batch.jobId),
        ...args,
      );
    }
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0];
  }

  /**
   * Stores how a try ended, with the job's last events: its outcome, or with `retryDelayMs` its
   * next try in line. 'stored', 'retrying', 'released' (it had been cancelled) or 'not-ours'.
   */
  async finish(
    batch: EventBatch,
    outcome: string,
    cacheable: boolean,
    retryDelayMs?: number,
  ): Promise<'stored' | 'retrying' | 'released' | 'not-ours'> {
    const k = this.keys;
    const result = await runScript(
      this.client,
      'dashFinish',
      [...k.jobKeys(batch.jobId), k.runtimes, k.order, k.backoff, k.clock, k.seq],
      [
        batch.token,
        batch.seq,
        k.newsChannel,
        batch.jobId,
        this.options.finishedTtlMs,
        outcome,
        cacheable ? '1' : '0',
        k.cachePrefix,
        retryDelayMs === undefined ? '' : retryDelayMs,
        this.options.jobTtlMs,
        PAGE_TAG_TTL_MS,
        RUN_TIME_WEIGHT,
        ...batch.events.map(encodeEvent),
      ],
    );
    return (['not-ours', 'stored', 'released', 'retrying'] as const)[Number(result)] ?? 'not-ours';
  }

  /** The attempt stopped with nothing to store; a cancelled job goes away. */
  async release(jobId: string, token: string): Promise<void> {
    await runScript(this.client, 'dashRelease', this.keys.jobKeys(jobId), [
      token,
      this.keys.newsChannel,
      jobId,
    ]);
  }

  /** Queues a running job again (worker shutdown); false when it was no longer this attempt's. */
  async handback(jobId: string, token: string): Promise<boolean> {
    const result = await runScript(
      this.client,
      'dashHandback',
      [...this.keys.jobKeys(jobId), this.keys.order],
      [token, this.keys.newsChannel, jobId],
    );
    return result === 1;
  }

  /** Marks the worker and its jobs alive; returns each job's state as this attempt sees it. */
  async heartbeat(workerId: string, jobs: { id: string; token: string }[]): Promise<HeldState[]> {
    return (await runScript(
      this.client,
      'dashHeartbeat',
      [this.keys.workers],
      [
        workerId,
        STALE_AFTER_MS,
        this.options.jobTtlMs,
        this.keys.base,
        ...jobs.flatMap((job) => [job.id, job.token]),
      ],
    )) as HeldState[];
  }

  /** The worker stops: it no longer counts as alive. */
  async retire(workerId: string): Promise<void> {
    await runScript(this.client, 'dashRetire', [this.keys.workers], [workerId]);
  }
}

const lostRunning: JobOutcome = {
  kind: 'lost',
  message:
    `the worker running this job stopped responding (no heartbeat for ${STALE_AFTER_MS / 1000} s): ` +
    'its process or machine died, or it lost its connection to Redis',
};

/** take.lua's reply as a JobUpdate. */
function parseTake(reply: string[]): TakeResult {
  const [state, outcome, began, position, meanRunMs, running, ...encoded] = reply as [
    JobState,
    string,
    string,
    string | number,
    string,
    string | number,
    ...string[],
  ];
  const update: JobUpdate = { state, ...eventsAsUpdate(encoded) };
  if (began !== '') update.began = Number(began);
  const queue = queuePlace(position, meanRunMs, running);
  if (queue) update.queue = queue;
  if (outcome) update.outcome = JSON.parse(outcome) as JobOutcome;
  const news = encoded.length > 0 || began !== '' || (state !== 'queued' && state !== 'running');
  return { update, news };
}
