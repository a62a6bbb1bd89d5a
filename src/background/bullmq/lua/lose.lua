--[[
  A running job whose worker died (take.lua found its heartbeat gone) ends lost, or, when the
  caller's retry decision (job-options/retry.ts) gives it another try, waits out that try's
  backoff, computed by the caller too.

  KEYS: 1 job, 2 heartbeat, 3 backoff, 4 clock, 5 seq
  ARGV: 1 the dead try's token, 2 id, 3 lost outcome, 4 retry delay ms ('' when the job ends
        here), 5 pageTtlMs, 6 news channel
  Returns 1: ended lost; 3: queued for its next try; 0: no longer that try's (its worker came
  back, or someone else judged it first).
]]
--- @include "time"
--- @include "order"
--- @include "monitor"
--- @include "counts"
--- @include "kept"

local h = redis.call('HMGET', KEYS[1], 'token', 'state', 'page', 'pj', 'mon')
if h[1] ~= ARGV[1] or h[2] ~= 'running' or redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local now = redisNow()
local job, id = KEYS[1], ARGV[2]
if h[5] then monStart(h[5]) end
if ARGV[4] ~= '' then
  local delay = tonumber(ARGV[4])
  redis.call('HSET', job, 'state', 'queued', 'seq', 0)
  redis.call('HDEL', job, 'token', 'began')
  local tag, member = newPlace(KEYS[4], h[3], KEYS[5], ARGV[5], id)
  redis.call('HSET', job, 'tag', tag, 'member', member)
  redis.call('ZADD', KEYS[3], now + delay, id)
  redis.call('PUBLISH', ARGV[6], id)
  if h[5] then monRecord('queued', now, {}) end
  return 3
end
redis.call('HSET', job, 'state', 'finished', 'outcome', ARGV[3])
keptEnd(job, job, now, 0)
if h[4] then redis.call('ZREM', h[4], id) end
leaveUserCount(job, id)
if h[5] then monFinish(now, monOutcome(ARGV[3])) end
redis.call('PUBLISH', ARGV[6], id)
return 1
