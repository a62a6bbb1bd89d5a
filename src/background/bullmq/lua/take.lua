--[[
  Read-once delivery of a job's news.

  KEYS: 1 job, 2 events, 3 heartbeat, 4 workers, 5 order, 6 runtimes, 7 BullMQ's active list,
        8 seen (a kept job's delivered events, for rejoin.lua)
  ARGV: 1 judge ('1': may declare the job lost), 2 noWorkerTimeoutMs, 3 lost-no-worker outcome,
        4 id
  Returns {state, outcome or '', began or '', position or '', mean run ms or '', running or '',
  event...}; a finished job is deleted as its outcome is returned, unless it is kept (`keep`):
  then every read returns its outcome, and what a read delivers is added to its `seen` list. When judging, a running job
  whose worker died is not read: the reply is {'lost-worker', token, attempt, policy}, and the
  caller decides whether that try is retried (job-options/retry.ts), tells lose.lua, and reads
  again.
]]
--- @include "time"
--- @include "monitor"
--- @include "counts"
--- @include "lines"
--- @include "kept"
--- @include "push"

local h = redis.call('HMGET', KEYS[1], 'state', 'outcome', 'began', 'rq', 'member', 'key', 'pj', 'mon', 'line', 'cap',
  'keep')
local state = h[1]
if not state then return {'unknown', '', '', '', '', ''} end
if state == 'cancelled' then
  -- Gone once its worker has let go (or never had one, or died).
  if redis.call('EXISTS', KEYS[3]) == 0 then redis.call('DEL', KEYS[1], KEYS[2]) end
  return {'cancelled', '', '', '', '', ''}
end
local outcome = false
if state == 'finished' then
  outcome = h[2]
elseif ARGV[1] == '1' then
  if state == 'running' and redis.call('EXISTS', KEYS[3]) == 0 then
    -- Its worker died: lose.lua ends it or queues its next try, as the caller decides.
    local f = redis.call('HMGET', KEYS[1], 'token', 'attempt', 'policy')
    return {'lost-worker', f[1], f[2], f[3]}
  elseif state == 'queued' and tonumber(ARGV[2]) > 0 then
    local now = redisNow()
    local limit = tonumber(ARGV[2])
    local last = redis.call('ZREVRANGE', KEYS[4], 0, 0, 'WITHSCORES')
    local lastAlive = tonumber(last[2] or 0)
    if now - tonumber(redis.call('HGET', KEYS[1], 'queuedAt')) > limit and lastAlive < now - limit then
      outcome = ARGV[3]
    end
  end
end
local events = redis.call('LRANGE', KEYS[2], 0, -1)
local began = h[3] or ''
local reply = {state, '', began, '', '', ''}
if h[11] and (#events > 0 or began ~= '') then
  -- A kept job: what is delivered joins what a rejoining page is shown (began as 'b<try>').
  if began ~= '' then redis.call('RPUSH', KEYS[8], 'b' .. began) end
  if #events > 0 then pushAll(KEYS[8], events, 1) end
  redis.call('PEXPIRE', KEYS[8], math.max(redis.call('PTTL', KEYS[1]), 1000))
end
if outcome and h[11] then
  -- Kept: the outcome stays for its keep (declared lost just now: it ends here).
  if state ~= 'finished' then
    if h[7] then redis.call('ZREM', h[7], ARGV[4]) end
    leaveUserCount(KEYS[1], ARGV[4])
    if h[8] then
      monStart(h[8])
      monFinish(redisNow(), monOutcome(outcome))
    end
    redis.call('HSET', KEYS[1], 'state', 'finished', 'outcome', outcome)
    keptEnd(KEYS[1], KEYS[2], redisNow(), 0)
  end
  redis.call('DEL', KEYS[2])
  if began ~= '' then redis.call('HDEL', KEYS[1], 'began') end
  reply[1] = 'finished'
  reply[2] = outcome
elseif outcome then
  -- Declared lost just now, no worker having served the queue (a finished job left its page's
  -- set, and had its outcome recorded, when it was stored).
  if state ~= 'finished' then
    if h[7] then redis.call('ZREM', h[7], ARGV[4]) end
    leaveUserCount(KEYS[1], ARGV[4])
    if h[8] then
      monStart(h[8])
      monFinish(redisNow(), monOutcome(outcome))
    end
  end
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
  reply[1] = 'finished'
  reply[2] = outcome
else
  if #events > 0 then redis.call('DEL', KEYS[2]) end
  if began ~= '' then redis.call('HDEL', KEYS[1], 'began') end
  if state == 'queued' and h[4] == '1' then
    local rank = redis.call('ZRANK', KEYS[5], h[5])
    local base = string.match(KEYS[1], '^(.*)job:[^:]*$')
    if rank then
      local place = rank + 1 - fullLinesAhead(base, KEYS[5], rank, h[9])
      if h[9] then
        -- Its own line's parked jobs queued before it start before it: a begin.lua that ran while
        -- every slot was busy may have parked some and left this one in `order`.
        local score = redis.call('ZSCORE', KEYS[5], h[5])
        place = place + redis.call('ZCOUNT', base .. 'lw:' .. h[9], '-inf', '(' .. score)
      end
      reply[4] = place
      reply[5] = redis.call('HGET', KEYS[6], h[6]) or ''
      reply[6] = redis.call('LLEN', KEYS[7])
    elseif h[9] then
      -- Parked, its user line being full (includes/lines.lua): after the line's jobs ahead of it
      -- and the jobs in line before it; its ETA spreads over the line's limit.
      local waiting = base .. 'lw:' .. h[9]
      local parkedRank = redis.call('ZRANK', waiting, h[5])
      if parkedRank then
        local before = redis.call('ZCOUNT', KEYS[5], '-inf', '(' .. redis.call('ZSCORE', waiting, h[5]))
        reply[4] = parkedRank + 1 + before - fullLinesAhead(base, KEYS[5], before, h[9])
        reply[5] = redis.call('HGET', KEYS[6], h[6]) or ''
        reply[6] = h[10]
      end
    end
  end
end
for i = 1, #events do reply[#reply + 1] = events[i] end
return reply
