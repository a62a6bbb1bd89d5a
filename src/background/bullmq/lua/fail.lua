--[[
  Ends a queued job with an outcome (its worker could not hand it back).

  KEYS: 1 job, 2 order
  ARGV: 1 outcome, 2 finishedTtlMs, 3 news channel, 4 id
  Returns 1 if it was queued, else 0.
]]
--- @include "time"
--- @include "monitor"
--- @include "counts"
--- @include "kept"

local h = redis.call('HMGET', KEYS[1], 'state', 'member', 'pj', 'mon')
if h[1] ~= 'queued' then return 0 end
redis.call('ZREM', KEYS[2], h[2])
if h[3] then redis.call('ZREM', h[3], ARGV[4]) end
leaveUserCount(KEYS[1], ARGV[4])
redis.call('HSET', KEYS[1], 'state', 'finished', 'outcome', ARGV[1])
if h[4] then
  monStart(h[4])
  monFinish(redisNow(), monOutcome(ARGV[1]))
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
keptEnd(KEYS[1], KEYS[1], redisNow(), ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
