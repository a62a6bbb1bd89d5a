--[[
  maxConcurrent.perUser (../../job-options/user-lines.ts). A job whose policy limits it carries
  its user line (`line`) and the limit (`cap`) in its hash. Per line, `lr:<line>` holds the ids
  of its jobs that hold a worker, each counted while its heartbeat key lives (so a job whose
  worker let go, handed it back or died stops counting by itself, whichever script ended it),
  and `lw:<line>` its parked jobs: waiting jobs that begin.lua took out of `order` because their
  line was full, kept with their score and member so that they go back to the same place. The
  queue's `lines` set names the lines with parked jobs.
]]

-- The jobs of `line` holding a worker now (members whose heartbeat is gone are dropped).
local function lineRunning(base, line)
  local key = base .. 'lr:' .. line
  local n = 0
  for _, id in ipairs(redis.call('SMEMBERS', key)) do
    if redis.call('EXISTS', base .. 'hb:' .. id) == 1 then
      n = n + 1
    else
      redis.call('SREM', key, id)
    end
  end
  return n
end

-- Takes a waiting job of a full line out of `order` until its line has room (unparkLines).
local function parkJob(base, linesKey, line, score, member, ttlMs)
  local waiting = base .. 'lw:' .. line
  redis.call('ZADD', waiting, score, member)
  redis.call('PEXPIRE', waiting, ttlMs)
  redis.call('SADD', linesKey, line)
  redis.call('PEXPIRE', linesKey, ttlMs)
end

-- Puts parked jobs back in `order`, as many per line as it has room for, first parked first;
-- drops parked members whose job no longer waits (cancelled, expired).
local function unparkLines(base, linesKey, orderKey)
  for _, line in ipairs(redis.call('SMEMBERS', linesKey)) do
    local waiting = base .. 'lw:' .. line
    local room
    while true do
      local head = redis.call('ZRANGE', waiting, 0, 0, 'WITHSCORES')
      if #head == 0 then
        redis.call('SREM', linesKey, line)
        break
      end
      local f = redis.call('HMGET', base .. 'job:' .. string.sub(head[1], 17), 'state', 'cap')
      if f[1] == 'queued' then
        room = room or (tonumber(f[2]) - lineRunning(base, line))
        if room <= 0 then break end
        room = room - 1
        redis.call('ZADD', orderKey, head[2], head[1])
      end
      redis.call('ZREM', waiting, head[1])
    end
  end
end

--[[
  Of the first `count` jobs in `order` (at most the first 100: deeper places are counted as they
  stand), those whose user line, other than `ownLine`, is full: they cannot start before the
  job being placed, so its place leaves them out (../../job-options/user-lines.ts). A line's
  jobs wait in `order` until a begin.lua parks them, so the count is made here.
]]
local function fullLinesAhead(base, orderKey, count, ownLine)
  if count <= 0 then return 0 end
  local n, full = 0, {}
  for _, member in ipairs(redis.call('ZRANGE', orderKey, 0, math.min(count, 100) - 1)) do
    local f = redis.call('HMGET', base .. 'job:' .. string.sub(member, 17), 'line', 'cap')
    if f[1] and f[1] ~= ownLine then
      if full[f[1]] == nil then full[f[1]] = lineRunning(base, f[1]) >= tonumber(f[2]) end
      if full[f[1]] then n = n + 1 end
    end
  end
  return n
end
