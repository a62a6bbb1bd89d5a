--[[
  The watched jobs whose page load has not been seen for their pageLeftAfterMs (../page-leave.ts):
  the caller cancels them (reason 'page-left'). Jobs that ended leave the watch here, and marks of
  page loads no watched job needs are deleted once older than keepMs.

  KEYS: 1 the watched jobs (hash: id -> "<pageLeftAfterMs> <endId>"), 2 the page loads seen
  ARGV: 1 job key prefix, 2 keepMs
  Returns the ids of the jobs whose page left.
]]
--- @include "time"

local now = redisNow()
local watched = redis.call('HGETALL', KEYS[1])
local needed = {}
local left = {}
for i = 1, #watched, 2 do
  local id = watched[i]
  local state = redis.call('HGET', ARGV[1] .. id, 'state')
  if state == 'queued' or state == 'running' then
    local afterMs, endId = string.match(watched[i + 1], '^(%d+) (.*)$')
    needed[endId] = true
    local seen = redis.call('ZSCORE', KEYS[2], endId)
    if not seen or now - tonumber(seen) > tonumber(afterMs) then left[#left + 1] = id end
  else
    redis.call('HDEL', KEYS[1], id)
  end
end
for _, endId in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[2]))) do
  if not needed[endId] then redis.call('ZREM', KEYS[2], endId) end
end
return left
