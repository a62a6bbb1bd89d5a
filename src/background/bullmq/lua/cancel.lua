--[[
  Cancels a job. A job that finished but whose outcome nobody has read yet is cancelled too: its
  outcome is never delivered.

  KEYS: 1 job, 2 events, 3 order, 4 backoff
  ARGV: 1 news channel, 2 cancel channel, 3 id, 4 the monitor's outcome ('cancelled' or 'superseded')
  Returns 0: nothing to cancel; 1: it was queued; 2: it was running (its worker is told); 3: it
  had finished.
]]
--- @include "time"
--- @include "monitor"
--- @include "counts"

local h = redis.call('HMGET', KEYS[1], 'state', 'member', 'pj', 'mon', 'line')
local state = h[1]
if state ~= 'queued' and state ~= 'running' and state ~= 'finished' then return 0 end
if state ~= 'finished' then
  if h[3] then redis.call('ZREM', h[3], ARGV[3]) end
  leaveUserCount(KEYS[1], ARGV[3])
  if h[4] then
    monStart(h[4])
    monFinish(redisNow(), ARGV[4] or 'cancelled')
  end
end
redis.call('HSET', KEYS[1], 'state', 'cancelled')
redis.call('HDEL', KEYS[1], 'outcome')
redis.call('DEL', KEYS[2])
if state == 'queued' then
  redis.call('ZREM', KEYS[3], h[2])
  redis.call('ZREM', KEYS[4], ARGV[3])
  -- Parked, its line being full (includes/lines.lua).
  if h[5] then redis.call('ZREM', string.match(KEYS[1], '^(.*)job:[^:]*$') .. 'lw:' .. h[5], h[2]) end
end
if state == 'running' then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
redis.call('PUBLISH', ARGV[1], ARGV[3])
if state == 'running' then return 2 end
if state == 'finished' then return 3 end
return 1
