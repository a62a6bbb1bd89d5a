/**
 * Where BullMQManager keeps its own state in Redis, next to BullMQ's keys for the same queue
 * (`<prefix>:<queue>:dash:...`), so that obliterating the queue also clears it. Per job:
 *
 *   job:<id>  hash    state (queued|running|finished|cancelled), owner, cache key and TTL,
 *                     queuedAt, the running attempt's token, the last applied write batch,
 *                     and the outcome once finished
 *   ev:<id>   list    progress and setProps events not yet read, oldest first
 *   hb:<id>   string  the running attempt's token; expires unless its worker heartbeats
 *   seen:<id> list    a kept job's delivered events (and `b<try>` when a try began), for rejoin
 *
 * and per queue: `cache:<key>` (cached outcomes), `secret`, `workers` (a sorted set of live
 * workers, scored by when they stop counting as alive), and two pub/sub channels: `news`
 * (a job id whose state or events changed) and `cancel` (a job id to stop).
 *
 * The job options add per queue: `order` (waiting jobs in start order), `backoff` (jobs waiting
 * out a retry backoff, by due time), `clock` and `seq` (fair-order counters), `page:<turn>`
 * (a turn's next start tag, expiring: `page:<endId>`, or `page:user:<user>` for a job with a user), `runtimes` (mean run ms per job function), and
 * `pagejobs:<endId>` and `userjobs:<user>` (a page load's and a user's unfinished jobs, for
 * backgroundLimits).
 *
 * maxConcurrent.perUser adds (lua/includes/lines.lua): `lines` (user lines with parked jobs),
 * `owed` (tickets that found only parked jobs), and per line `lr:<line>` (its jobs holding a
 * worker) and `lw:<line>` (its parked jobs).
 *
 * whenPageLeaves 'cancel' adds per queue: `leavewatch` (a hash of the watched jobs: id ->
 * "<pageLeftAfterMs> <endId>") and `pageseen` (page loads by when they last polled, Redis ms).
 *
 * Kept jobs add `kept:<hash of user, callback, outputs>` (their ids by queue time, find-kept.lua).
 */
import { createHash } from 'node:crypto';

export class KeySpace {
  readonly base: string;
  /** BullMQ's list of active jobs of the queue (the tickets being worked on). */
  readonly bullActive: string;

  constructor(prefix: string, queueName: string) {
    this.base = `${prefix}:${queueName}:dash:`;
    this.bullActive = `${prefix}:${queueName}:active`;
  }

  get order(): string {
    return `${this.base}order`;
  }

  get backoff(): string {
    return `${this.base}backoff`;
  }

  get clock(): string {
    return `${this.base}clock`;
  }

  get seq(): string {
    return `${this.base}seq`;
  }

  /** User lines with parked jobs (maxConcurrent.perUser). */
  get lines(): string {
    return `${this.base}lines`;
  }

  /** Tickets that found only parked jobs, owed to them (lua/begin.lua). */
  get owed(): string {
    return `${this.base}owed`;
  }

  get runtimes(): string {
    return `${this.base}runtimes`;
  }

  /** The next start tag of a turn (fairness.ts fairTurnKey: a user's, else a page load's). */
  turn(key: string): string {
    return `${this.base}page:${key}`;
  }

  /** A user's unfinished jobs (page-load.ts). */
  userJobs(user: string): string {
    return `${this.base}userjobs:${user}`;
  }

  /** Jobs cancelled when their page stops polling (lua/pages-left.lua). */
  get leaveWatch(): string {
    return `${this.base}leavewatch`;
  }

  /** When each page load last polled, by Redis's clock. */
  get pageSeen(): string {
    return `${this.base}pageseen`;
  }

  /** A page load's unfinished jobs (page-load.ts). */
  pageJobs(endId: string): string {
    return `${this.base}pagejobs:${endId}`;
  }

  /** A page load's start-stop marks (Manager.stopStartsBefore): a sorted set, key → time. */
  startStops(endId: string): string {
    return `${this.base}stops:${endId}`;
  }

  job(id: string): string {
    return `${this.base}job:${id}`;
  }

  events(id: string): string {
    return `${this.base}ev:${id}`;
  }

  /** A kept job's delivered events (take.lua, rejoin.lua). */
  seen(id: string): string {
    return `${this.base}seen:${id}`;
  }

  /** The kept jobs of one user, callback and outputs (find-kept.lua). */
  kept(user: string, callbackId: string, outputsKey: string): string {
    const hash = createHash('sha256')
      .update(JSON.stringify([user, callbackId, outputsKey]))
      .digest('base64url');
    return `${this.base}kept:${hash}`;
  }

  heartbeat(id: string): string {
    return `${this.base}hb:${id}`;
  }

  /** The three keys of one job, in the order every script takes them. */
  jobKeys(id: string): [string, string, string] {
    return [this.job(id), this.events(id), this.heartbeat(id)];
  }

  get cachePrefix(): string {
    return `${this.base}cache:`;
  }

  cache(key: string): string {
    return this.cachePrefix + key;
  }

  get secret(): string {
    return `${this.base}secret`;
  }

  get workers(): string {
    return `${this.base}workers`;
  }

  /** Set while the jobs monitor records (records.ts). */
  get monitorOn(): string {
    return `${this.base}mon:on`;
  }

  get newsChannel(): string {
    return `${this.base}news`;
  }

  get cancelChannel(): string {
    return `${this.base}cancel`;
  }
}
