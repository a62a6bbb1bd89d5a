--[[
  A worker shutting down gives a running job back to the queue.

  KEYS: 1 job, 2 events, 3 heartbeat, 4 order
  ARGV: 1 token, 2 news channel, 3 id
  Returns 1: queued again; 2: it had been cancelled, and is now gone; 0: not ours.
]]
--- @include "time"
--- @include "order"
--- @include "monitor"

if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then return 0 end
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'running' then
  -- Back to its old place in line: the try did not count.
  redis.call('HSET', KEYS[1], 'state', 'queued', 'seq', 0)
  redis.call('HINCRBY', KEYS[1], 'attempt', -1)
  redis.call('HDEL', KEYS[1], 'token', 'began')
  redis.call('DEL', KEYS[3])
  local f = redis.call('HMGET', KEYS[1], 'member', 'prio', 'tag', 'mon')
  redis.call('ZADD', KEYS[4], orderScore(f[2], f[3]), f[1])
  if f[4] then
    monStart(f[4])
    monRecord('queued', redisNow(), {'attempts', redis.call('HGET', KEYS[1], 'attempt')})
  end
  return 1
end
if state == 'cancelled' then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
  redis.call('PUBLISH', ARGV[2], ARGV[3])
  return 2
end
return 0
