--[[
  Counts for backgroundLimits (../page-load.ts): a page load's unfinished jobs, a user's, and
  the jobs waiting for a worker. Members of the page's (or user's) set not seen unfinished for
  recheckMs are looked at again: still unfinished, they are seen now; else they go.

  KEYS: 1 the page load's set, 2 order, 3 backoff, 4 the user's set, 5 lines (includes/lines.lua)
  ARGV: 1 job key prefix, 2 recheckMs, 3 '1' to count the user's jobs, 4 key base
  Returns {unfinished of the page, queued, unfinished of the user (0 when not counted)}.
]]
--- @include "time"

local now = redisNow()

local function count(set)
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', set, '-inf', now - tonumber(ARGV[2]))) do
    local state = redis.call('HGET', ARGV[1] .. id, 'state')
    if state == 'queued' or state == 'running' then
      redis.call('ZADD', set, 'XX', now, id)
    else
      redis.call('ZREM', set, id)
    end
  end
  return redis.call('ZCARD', set)
end

local user = 0
if ARGV[3] == '1' then user = count(KEYS[4]) end
local queued = redis.call('ZCARD', KEYS[2]) + redis.call('ZCARD', KEYS[3])
-- Jobs parked because their user line is full wait too.
for _, line in ipairs(redis.call('SMEMBERS', KEYS[5])) do
  queued = queued + redis.call('ZCARD', ARGV[4] .. 'lw:' .. line)
end
return {count(KEYS[1]), queued, user}
