--[[
  The newest kept job of one user, callback and outputs that is queued, running, or finished
  less than its keep ago (a cancelled one is not): Manager.findKept.

  KEYS: 1 the kept jobs of that user, callback and outputs (a sorted set by queue time)
  ARGV: 1 the job key prefix (keys.ts job(''))
  Returns the job id, or false. Ids whose job is gone (expired) are pruned on the way.
]]
--- @include "time"

local now = redisNow()
local ids = redis.call('ZREVRANGE', KEYS[1], 0, -1)
for _, id in ipairs(ids) do
  local h = redis.call('HMGET', ARGV[1] .. id, 'state', 'keep', 'endedAt')
  local state = h[1]
  if not state then
    redis.call('ZREM', KEYS[1], id)
  elseif state == 'queued' or state == 'running' then
    return id
  elseif state == 'finished' and tonumber(h[3] or 0) + tonumber(h[2] or 0) > now then
    return id
  end
end
return false
