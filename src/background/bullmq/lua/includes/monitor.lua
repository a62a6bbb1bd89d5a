--[[
  The jobs monitor's records (../../records.ts), written by the job scripts as part
  of the change itself. A script whose job is recorded (its hash has a `mon` field: the window,
  copied there at submit) calls monStart(window) first, then:

  - monRecord(state, now, fields, tr) updates the record (`tr`: its transitions when the caller
    has read them; false for a new record);
  - monFinish(now, outcome, message, stack) also counts the outcome and observes the run time;
  - monOutcome(json) classifies a stored outcome; monObserve(callback, metric, ms) adds to a
    histogram.

  A job not recorded pays one test of its `mon` field.
]]
--- @include "monitor-constants"

local monBase, monId, monWindow

-- The job is KEYS[1] unless the script names it (`base`, `id`).
local function monStart(window, base, id)
  monWindow = window
  if base then
    monBase, monId = base, id
  else
    monBase, monId = string.match(KEYS[1], '^(.*)job:([^:]*)$')
  end
end

local function monObserve(callback, metric, ms)
  local bounds = monBucketBounds()
  local bucket = #bounds
  for i, bound in ipairs(bounds) do
    if ms <= bound then bucket = i - 1 break end
  end
  local key = monBase .. 'mon:durations'
  redis.call('HINCRBY', key, callback .. '\n' .. metric .. '\n' .. bucket, 1)
  redis.call('HINCRBYFLOAT', key, callback .. '\n' .. metric .. '\nsum', ms)
end

local function monRecord(state, now, fields, tr)
  if not monWindow then return false end
  local key = monBase .. 'mon:' .. monId
  if tr == nil then tr = redis.call('HGET', key, 'tr') end
  tr = tr or ''
  fields[#fields + 1] = 'state'
  fields[#fields + 1] = state
  fields[#fields + 1] = 'tr'
  fields[#fields + 1] = tr .. state .. ' ' .. now .. ','
  redis.call('HSET', key, unpack(fields))
  redis.call('PEXPIRE', key, monWindow)
  return true
end

local function monFinish(now, outcome, message, stack)
  local fields = {'finishedAt', now, 'outcome', outcome}
  if message then fields[#fields + 1] = 'message'; fields[#fields + 1] = message end
  if stack then fields[#fields + 1] = 'stack'; fields[#fields + 1] = stack end
  local was = redis.call('HMGET', monBase .. 'mon:' .. monId, 'cb', 'state', 'startedAt', 'tr')
  if was[2] == 'finished' or not monRecord('finished', now, fields, was[4]) or not was[1] then return end
  redis.call('HINCRBY', monBase .. 'mon:totals', was[1] .. '\n' .. outcome, 1)
  if was[2] == 'running' and was[3] then monObserve(was[1], 'run', now - tonumber(was[3])) end
end

local function monOutcome(json)
  local kind = string.match(json, '^{"kind":"([%w%-]+)"')
  if kind == 'result' or kind == 'prevent-update' then return 'succeeded' end
  local outcome = cjson.decode(json)
  local message = outcome.message
  if type(message) ~= 'string' then message = nil end
  local stack = outcome.stack
  if type(stack) ~= 'string' then stack = nil end
  return monOutcomeOfKind(outcome.kind) or 'failed', message, stack
end
