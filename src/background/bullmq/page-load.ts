/**
 * Counting for backgroundLimits on BullMQManager: each page load's unfinished jobs are a small
 * sorted set `pagejobs:<endId>` (keys.ts) next to the queue's keys, each user's likewise
 * `userjobs:<user>`, and the jobs waiting for a worker are the queue's `order` and `backoff`
 * sets. The submit script adds a job to its page's (and user's) set and every script that ends a
 * job (finish, cancel, fail, a job declared lost) removes it, so counting is a ZCARD
 * (lua/page-load.lua). A job whose keys vanished without an end (they
 * expired, or were deleted) is pruned there: members are scored by when they were last seen unfinished, and the few older
 * than RECHECK_MS are looked at again on each count (still unfinished: seen now).
 */
import type { Redis } from 'ioredis';
import type { JobLoad, JobOwner, PageJob } from '../manager.ts';
import { START_STOP_KEEP_MS } from '../start-stops.ts';
import type { KeySpace } from './keys.ts';
import { runScript } from './scripts.ts';

/** How long a page's job counts without being looked at again. */
const RECHECK_MS = 10_000;

export class PageLoad {
  constructor(
    private readonly client: Redis,
    private readonly keys: KeySpace,
  ) {}

  /** The page load's unfinished jobs, the user's when given, and the queued jobs. */
  async count(endId: string, user: string | undefined): Promise<JobLoad> {
    const [pageUnfinished, queued, userUnfinished] = (await runScript(
      this.client,
      'dashPageLoad',
      [
        this.keys.pageJobs(endId),
        this.keys.order,
        this.keys.backoff,
        this.keys.userJobs(user ?? ''),
        this.keys.lines,
      ],
      [this.keys.job(''), RECHECK_MS, user === undefined ? '0' : '1', this.keys.base],
    )) as [number, number, number];
    return { pageUnfinished, userUnfinished, queued };
  }

  /** Manager.stopStartsBefore: ZADD GT keeps the latest mark; the set expires with the page's quiet. */
  async stopStartsBefore(endId: string, key: string, at: number): Promise<void> {
    const marks = this.keys.startStops(endId);
    // One round trip, no MULTI: the expiry only needs to follow the mark, not be atomic with it.
    const results = await this.client
      .pipeline()
      .zadd(marks, 'GT', at, key)
      .pexpire(marks, START_STOP_KEEP_MS)
      .exec();
    const failed = results?.find(([error]) => error)?.[0];
    if (failed) throw failed;
  }

  async startStops(endId: string, keys: readonly string[]): Promise<number[]> {
    const scores = await this.client.zmscore(this.keys.startStops(endId), ...keys);
    return scores.map((score) => (score === null ? 0 : Number(score)));
  }

  /** The page load's queued or running jobs: its set's members whose job is still unfinished. */
  async jobs(endId: string): Promise<PageJob[]> {
    const ids = await this.client.zrange(this.keys.pageJobs(endId), 0, -1);
    if (ids.length === 0) return [];
    const pipeline = this.client.pipeline();
    for (const id of ids) pipeline.hmget(this.keys.job(id), 'state', 'owner');
    const rows = (await pipeline.exec()) ?? [];
    const jobs: PageJob[] = [];
    rows.forEach(([error, fields], i) => {
      const [state, owner] = (fields ?? []) as (string | null)[];
      if (error || !owner || (state !== 'queued' && state !== 'running')) return;
      jobs.push({ id: ids[i]!, owner: JSON.parse(owner) as JobOwner });
    });
    return jobs;
  }
}
