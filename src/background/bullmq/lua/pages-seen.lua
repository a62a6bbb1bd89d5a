--[[
  Page loads that polled (Manager.pageSeen), in one batch from one server process.

  KEYS: 1 the page loads seen (sorted set, by ms)
  ARGV: the endIds
]]
--- @include "time"

local now = redisNow()
for i = 1, #ARGV do redis.call('ZADD', KEYS[1], now, ARGV[i]) end
return #ARGV
