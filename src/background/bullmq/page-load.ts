/**
 * Counting for backgroundLimits on BullMQManager: each page load's unfinished jobs are a small
 * sorted set `pagejobs:<endId>` (keys.ts) next to the queue's keys, and the jobs waiting for a
 * worker are the queue's `order` and `backoff` sets. The submit script adds a job to its page's
 * set and every script that ends a job (finish, cancel, fail, a job declared lost) removes it, so
 * counting is a ZCARD. A job whose keys vanished without an end (they expired, or were deleted)
 * is pruned here: members are scored by when they were last seen unfinished, and the few older
 * than RECHECK_MS are looked at again on each count (still unfinished: seen now).
 */
import type { Redis } from 'ioredis';
import type { JobLoad } from '../manager.ts';
import type { KeySpace } from './keys.ts';

/** How long a page's job counts without being looked at again. */
const RECHECK_MS = 10_000;

/** KEYS page set, order, backoff; ARGV job key prefix, RECHECK_MS. Returns {unfinished of the page, queued}. */
const COUNT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))) do
  local state = redis.call('HGET', ARGV[1] .. id, 'state')
  if state == 'queued' or state == 'running' then
    redis.call('ZADD', KEYS[1], 'XX', now, id)
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return {redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2]) + redis.call('ZCARD', KEYS[3])}`;

const COMMAND = 'dashPageLoad';

export class PageLoad {
  constructor(
    private readonly client: Redis,
    private readonly keys: KeySpace,
  ) {
    client.defineCommand(COMMAND, { numberOfKeys: 3, lua: COUNT });
  }

  async count(endId: string): Promise<JobLoad> {
    const command = (
      this.client as unknown as Record<string, (...args: (string | number)[]) => Promise<number[]>>
    )[COMMAND]!;
    const [pageUnfinished, queued] = await command.call(
      this.client,
      this.keys.pageJobs(endId),
      this.keys.order,
      this.keys.backoff,
      this.keys.job(''),
      RECHECK_MS,
    );
    return { pageUnfinished: pageUnfinished!, queued: queued! };
  }
}
