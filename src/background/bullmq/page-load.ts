/**
 * Counting for backgroundLimits on BullMQManager: each page load's unfinished jobs are a small
 * sorted set `pagejobs:<endId>` (job ids, scored by submit time) next to the queue's keys, and
 * the jobs waiting for a worker are the queue's `order` and `backoff` sets. Counting prunes the
 * members whose job has ended (or expired), so a set never holds more than the page's limit and
 * a few racing submits.
 */
import type { Redis } from 'ioredis';
import type { JobLoad } from '../manager.ts';
import type { KeySpace } from './keys.ts';

/** KEYS page set, order, backoff; ARGV job key prefix. Returns {unfinished of the page, queued}. */
const COUNT = `
local unfinished = 0
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local state = redis.call('HGET', ARGV[1] .. id, 'state')
  if state == 'queued' or state == 'running' then
    unfinished = unfinished + 1
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return {unfinished, redis.call('ZCARD', KEYS[2]) + redis.call('ZCARD', KEYS[3])}`;

const COMMAND = 'dashPageLoad';

export class PageLoad {
  constructor(
    private readonly client: Redis,
    private readonly keys: KeySpace,
    /** How long a page's set outlives its last submit: as long as a job's state may. */
    private readonly ttlMs: number,
  ) {
    client.defineCommand(COMMAND, { numberOfKeys: 3, lua: COUNT });
  }

  /** Counts `jobId` as one of the page load's unfinished jobs until it ends. */
  async record(endId: string, jobId: string): Promise<void> {
    const key = this.#pageKey(endId);
    await this.client.multi().zadd(key, Date.now(), jobId).pexpire(key, this.ttlMs).exec();
  }

  async count(endId: string): Promise<JobLoad> {
    const command = (this.client as unknown as Record<string, (...args: string[]) => Promise<number[]>>)[
      COMMAND
    ]!;
    const [pageUnfinished, queued] = await command.call(
      this.client,
      this.#pageKey(endId),
      this.keys.order,
      this.keys.backoff,
      this.keys.job(''),
    );
    return { pageUnfinished: pageUnfinished!, queued: queued! };
  }

  #pageKey(endId: string): string {
    return `${this.keys.base}pagejobs:${endId}`;
  }
}
