--[[
  A worker stops: it counts as last alive now (and the monitor notes it stopped cleanly).

  KEYS: 1 workers
  ARGV: 1 worker id
]]
--- @include "time"

local now = redisNow()
redis.call('ZADD', KEYS[1], now, ARGV[1])
local base = string.match(KEYS[1], '^(.*)workers$')
if redis.call('EXISTS', base .. 'mon:on') == 1 then
  redis.call('HSET', base .. 'mon:retired', ARGV[1], now)
  redis.call('PEXPIRE', base .. 'mon:retired', 3600000 + tonumber(redis.call('GET', base .. 'mon:on')))
end
return 1
