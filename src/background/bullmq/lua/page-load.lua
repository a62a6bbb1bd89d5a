--[[
  Counts for backgroundLimits (../page-load.ts): a page load's unfinished jobs, and the jobs
  waiting for a worker. Members of the page's set not seen unfinished for recheckMs are looked at
  again: still unfinished, they are seen now; else they go.

  KEYS: 1 the page load's set, 2 order, 3 backoff
  ARGV: 1 job key prefix, 2 recheckMs
  Returns {unfinished of the page, queued}.
]]
--- @include "time"

local now = redisNow()
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))) do
  local state = redis.call('HGET', ARGV[1] .. id, 'state')
  if state == 'queued' or state == 'running' then
    redis.call('ZADD', KEYS[1], 'XX', now, id)
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return {redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2]) + redis.call('ZCARD', KEYS[3])}
