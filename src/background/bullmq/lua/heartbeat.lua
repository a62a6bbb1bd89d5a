--[[
  A worker is alive, and so are its jobs.

  KEYS: 1 workers
  ARGV: 1 worker id, 2 staleMs, 3 jobTtlMs, 4 key base, 5... (id, token) pairs
  Returns each job's state, or 'gone' when it is no longer this attempt's (deleted, handed to
  another attempt).
]]
--- @include "time"

local now = redisNow()
local stale = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now + stale, ARGV[1])
-- Workers gone for an hour are forgotten; the newest score says when a worker was last alive.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 3600000)
redis.call('PEXPIRE', KEYS[1], 3600000 + stale)
local reply = {}
for i = 5, #ARGV, 2 do
  local id, token = ARGV[i], ARGV[i + 1]
  local job = ARGV[4] .. 'job:' .. id
  local state = redis.call('HGET', job, 'state')
  if state and redis.call('HGET', job, 'token') == token then
    if state == 'running' or state == 'cancelled' then
      redis.call('PEXPIRE', job, ARGV[3])
      redis.call('PEXPIRE', ARGV[4] .. 'ev:' .. id, ARGV[3])
      redis.call('SET', ARGV[4] .. 'hb:' .. id, token, 'PX', stale)
    end
    reply[#reply + 1] = state
  else
    reply[#reply + 1] = 'gone'
  end
end
return reply
