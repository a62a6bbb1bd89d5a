--[[
  A page load takes a kept job over (Manager.rejoin): the owner's endId becomes the page's, the
  job moves to that page's set of unfinished jobs, and its unread events join `seen`, which is
  returned whole (the caller folds it into one view, ../job-view.ts).

  KEYS: 1 job, 2 events, 3 seen, 4 the new page load's unfinished jobs, 5 order, 6 runtimes,
        7 BullMQ's active list
  ARGV: 1 endId, 2 id, 3 jobTtlMs
  Returns false when the job is not kept, unknown, cancelled or past its keep; else
  {state, outcome or '', position or '', mean run ms or '', running or '', seen entry...}.
]]
--- @include "time"
--- @include "push"

local h = redis.call('HMGET', KEYS[1], 'state', 'outcome', 'began', 'rq', 'member', 'key', 'pj', 'keep',
  'endedAt', 'owner')
local state = h[1]
if not state or not h[8] or state == 'cancelled' then return false end
local now = redisNow()
if state == 'finished' and tonumber(h[9] or 0) + tonumber(h[8]) <= now then return false end
-- Unread news is consumed here: the page's next reads continue from what it is shown now.
if h[3] then
  redis.call('RPUSH', KEYS[3], 'b' .. h[3])
  redis.call('HDEL', KEYS[1], 'began')
end
local events = redis.call('LRANGE', KEYS[2], 0, -1)
if #events > 0 then
  pushAll(KEYS[3], events, 1)
  redis.call('DEL', KEYS[2])
end
redis.call('PEXPIRE', KEYS[3], math.max(redis.call('PTTL', KEYS[1]), 1000))
local owner = cjson.decode(h[10])
owner.endId = ARGV[1]
redis.call('HSET', KEYS[1], 'owner', cjson.encode(owner))
local reply = {state, h[2] or '', '', '', ''}
if state == 'queued' or state == 'running' then
  if h[7] then redis.call('ZREM', h[7], ARGV[2]) end
  redis.call('ZADD', KEYS[4], now, ARGV[2])
  redis.call('PEXPIRE', KEYS[4], ARGV[3])
  redis.call('HSET', KEYS[1], 'pj', KEYS[4])
end
if state == 'queued' and h[4] == '1' then
  local rank = redis.call('ZRANK', KEYS[5], h[5])
  if rank then
    reply[3] = rank + 1
    reply[4] = redis.call('HGET', KEYS[6], h[6]) or ''
    reply[5] = redis.call('LLEN', KEYS[7])
  end
end
local seen = redis.call('LRANGE', KEYS[3], 0, -1)
for i = 1, #seen do reply[#reply + 1] = seen[i] end
return reply
