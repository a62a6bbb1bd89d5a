--[[
  A try ended: its outcome is stored, or with a retry delay the job waits for its next try.

  KEYS: 1 job, 2 events, 3 heartbeat, 4 runtimes, 5 order, 6 backoff, 7 clock, 8 seq
  ARGV: 1 token, 2 seq, 3 news channel, 4 id, 5 finishedTtlMs, 6 outcome, 7 cacheable ('1'/'0'),
        8 cache key prefix, 9 retryDelayMs ('' when the job ends here), 10 jobTtlMs,
        11 pageTtlMs, 12 run-time weight, 13... events
  Returns 1: stored; 3: queued for its next try; 2: it had been cancelled, and is now gone;
  0: no longer this attempt's to write.
]]
--- @include "time"
--- @include "order"
--- @include "push"
--- @include "monitor"
--- @include "counts"
--- @include "kept"

local h = redis.call('HMGET', KEYS[1], 'token', 'state', 'seq', 'key', 'startedAt', 'cacheKey', 'cacheTtlMs', 'pj',
  'mon')
if h[1] ~= ARGV[1] then return 0 end
local state = h[2]
if state == 'cancelled' then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
  redis.call('PUBLISH', ARGV[3], ARGV[4])
  return 2
end
if state ~= 'running' then return 0 end
if tonumber(h[3]) < tonumber(ARGV[2]) then pushAll(KEYS[2], ARGV, 13) end
local now = redisNow()
local fn = h[4]
local mean = tonumber(redis.call('HGET', KEYS[4], fn) or '')
local ran = now - tonumber(h[5] or now)
redis.call('HSET', KEYS[4], fn, mean and (mean + tonumber(ARGV[12]) * (ran - mean)) or ran)
redis.call('DEL', KEYS[3])
if h[9] then monStart(h[9]) end
if ARGV[9] ~= '' then
  local job, id = KEYS[1], ARGV[4]
  redis.call('HSET', job, 'state', 'queued', 'seq', 0)
  redis.call('HDEL', job, 'token')
  local tag, member = newPlace(KEYS[7], redis.call('HGET', job, 'page'), KEYS[8], ARGV[11], id)
  redis.call('HSET', job, 'tag', tag, 'member', member)
  local delay = tonumber(ARGV[9])
  if delay > 0 then
    redis.call('ZADD', KEYS[6], now + delay, id)
  else
    redis.call('ZADD', KEYS[5], orderScore(redis.call('HGET', job, 'prio'), tag), member)
  end
  redis.call('PEXPIRE', KEYS[1], ARGV[10])
  redis.call('PEXPIRE', KEYS[2], ARGV[10])
  redis.call('PUBLISH', ARGV[3], ARGV[4])
  if h[9] then monRecord('queued', now, {}) end
  return 3
end
redis.call('HSET', KEYS[1], 'state', 'finished', 'outcome', ARGV[6], 'seq', ARGV[2])
if h[8] then redis.call('ZREM', h[8], ARGV[4]) end
leaveUserCount(KEYS[1], ARGV[4])
if h[9] then monFinish(now, monOutcome(ARGV[6])) end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
keptEnd(KEYS[1], KEYS[2], now, ARGV[5])
if ARGV[7] == '1' and h[6] then
  redis.call('SET', ARGV[8] .. h[6], ARGV[6], 'PX', h[7])
end
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
