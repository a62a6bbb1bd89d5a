--[[
  A worker holding a BullMQ job (a ticket: any ticket runs the job first in line, ../tickets.ts)
  takes the next job for one try. Retries whose backoff is over join the line first; a retry's
  unread progress of earlier tries is dropped.

  maxConcurrent.perUser (includes/lines.lua): parked jobs whose line has room go back in line
  first; a job whose line is full is parked, not started, and the next one is looked at. A ticket
  that finds nothing it may start while jobs are parked was one of theirs: it is counted in
  `owed`, and a worker whose limited job's try ended calls this script with `redeem`, which
  takes one owed ticket (if there is one) and begins the next job under it, so that job starts
  as soon as its line has room, without polling. That worker still holds its BullMQ job while it
  does so: if it dies before beginning, BullMQ hands that job out again.

  KEYS: 1 order, 2 backoff, 3 clock, 4 lines, 5 owed
  ARGV: 1 token, 2 jobTtlMs, 3 staleMs, 4 key base, 5 worker id, 6 redeem ('1': only with an owed ticket)
  Returns {id, functionKey, payload, policy, attempt}, or nil when no job may start (or, to
  redeem, none is owed).
]]
--- @include "time"
--- @include "order"
--- @include "push"
--- @include "monitor"
--- @include "lines"

local now = redisNow()
local base = ARGV[4]
if ARGV[6] == '1' then
  if tonumber(redis.call('GET', KEYS[5]) or '0') <= 0 then return false end
  redis.call('DECR', KEYS[5])
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)) do
  redis.call('ZREM', KEYS[2], id)
  local f = redis.call('HMGET', base .. 'job:' .. id, 'state', 'member', 'prio', 'tag')
  if f[1] == 'queued' then redis.call('ZADD', KEYS[1], orderScore(f[3], f[4]), f[2]) end
end
unparkLines(base, KEYS[4], KEYS[1])
while true do
  local head = redis.call('ZPOPMIN', KEYS[1])
  if #head == 0 then
    if redis.call('EXISTS', KEYS[4]) == 1 then
      redis.call('INCR', KEYS[5])
      redis.call('PEXPIRE', KEYS[5], ARGV[2])
    else
      -- Nobody waits: no ticket is owed.
      redis.call('DEL', KEYS[5])
    end
    return false
  end
  local id = string.sub(head[1], 17)
  local job = base .. 'job:' .. id
  -- One read of everything this needs: state, tag, tries so far, then what the worker gets.
  local h = redis.call('HMGET', job, 'state', 'tag', 'attempt', 'key', 'payload', 'policy', 'mon', 'line', 'cap')
  if h[1] == 'queued' and h[8] and lineRunning(base, h[8]) >= tonumber(h[9]) then
    parkJob(base, KEYS[4], h[8], head[2], head[1], ARGV[2])
  elseif h[1] == 'queued' then
    if h[8] then
      local running = base .. 'lr:' .. h[8]
      redis.call('SADD', running, id)
      redis.call('PEXPIRE', running, ARGV[2])
    end
    local attempt = tonumber(h[3]) + 1
    redis.call('HSET', job, 'state', 'running', 'token', ARGV[1], 'seq', 0, 'attempt', attempt, 'began', attempt,
      'startedAt', now)
    redis.call('PEXPIRE', job, ARGV[2])
    redis.call('SET', base .. 'hb:' .. id, ARGV[1], 'PX', ARGV[3])
    -- The clock: the largest tag of any job started so far (fairness.ts).
    local tag = tonumber(h[2])
    if tag > tonumber(redis.call('GET', KEYS[3]) or 0) then redis.call('SET', KEYS[3], tag) end
    if attempt > 1 then
      local ev = base .. 'ev:' .. id
      local kept = {}
      for _, e in ipairs(redis.call('LRANGE', ev, 0, -1)) do
        if string.sub(e, 1, 1) ~= 'p' then kept[#kept + 1] = e end
      end
      redis.call('DEL', ev)
      pushAll(ev, kept, 1)
      if #kept > 0 then redis.call('PEXPIRE', ev, ARGV[2]) end
    end
    if h[7] then
      monStart(h[7], base, id)
      local was = redis.call('HMGET', monBase .. 'mon:' .. monId, 'cb', 'queuedAt', 'tr')
      monRecord('running', now, {'startedAt', now, 'worker', ARGV[5] or '', 'attempts', attempt}, was[3])
      -- Wait time: from queued to the first try (a retry's wait is its backoff, not the queue's).
      if attempt == 1 and was[1] and was[2] then monObserve(was[1], 'wait', now - tonumber(was[2])) end
    end
    return {id, h[4], h[5], h[6], attempt}
  end
end
