--[[
  Records and queues a new job.

  KEYS: 1 job, 2 order, 3 clock, 4 the turn's next start tag (fairness.ts fairTurnKey: the user's,
        else the page load's), 5 seq, 6 the page load's unfinished
        jobs (page-load.lua), 7 the monitor's `mon:on` (../records.ts), 8 the user's unfinished
        jobs (page-load.lua; unused for a job without a user), 9 the kept jobs of its user,
        callback and outputs (find-kept.lua)
  ARGV: 1 owner (JSON), 2 cacheKey ('' for none), 3 cacheTtlMs, 4 jobTtlMs, 5 functionKey,
        6 payload, 7 policy ('' for the defaults), 8 priority, 9 reportQueue ('1'/'0'),
        10 pageTtlMs, 11 id, 12 '1' when the job has a user, 13 its user line ('' when
        maxConcurrent.perUser does not limit it), 14 that limit, 15 keep ms ('' for a job that is
        not kept), 16 '1': findable (added to KEYS[9])
  Returns 1 if queued, 0 if it existed.

  The job hash keeps `pj` (the page load's set: every script that ends the job leaves it), `uj`
  (the user's set, likewise: includes/counts.lua) and,
  while the monitor records, `mon` (its window: every later script records the job's changes).
]]
--- @include "time"
--- @include "order"
--- @include "monitor"

if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local now = redisNow()
local job, id = KEYS[1], ARGV[11]
local tag, member, seqNo = newPlace(KEYS[3], KEYS[4], KEYS[5], ARGV[10], id)
local window = redis.call('GET', KEYS[7]) or false
local fields = {'state', 'queued', 'owner', ARGV[1], 'queuedAt', now, 'seq', 0, 'key', ARGV[5],
  'payload', ARGV[6], 'policy', ARGV[7], 'prio', ARGV[8], 'rq', ARGV[9], 'page', KEYS[4], 'pj', KEYS[6],
  'attempt', 0, 'tag', tag, 'member', member}
local function addField(name, value)
  fields[#fields + 1] = name
  fields[#fields + 1] = value
end
if ARGV[2] ~= '' then
  addField('cacheKey', ARGV[2])
  addField('cacheTtlMs', ARGV[3])
end
if ARGV[13] ~= '' then
  addField('line', ARGV[13])
  addField('cap', ARGV[14])
end
if ARGV[15] ~= '' then
  addField('keep', ARGV[15])
  if ARGV[16] == '1' then
    redis.call('ZADD', KEYS[9], now, id)
    redis.call('PEXPIRE', KEYS[9], tonumber(ARGV[4]) + tonumber(ARGV[15]))
  end
end
if window then addField('mon', window) end
redis.call('HSET', job, unpack(fields))
redis.call('PEXPIRE', job, ARGV[4])
redis.call('ZADD', KEYS[2], orderScore(ARGV[8], tag), member)
redis.call('ZADD', KEYS[6], now, id)
redis.call('PEXPIRE', KEYS[6], ARGV[4])
if ARGV[12] == '1' then
  redis.call('HSET', job, 'uj', KEYS[8])
  redis.call('ZADD', KEYS[8], now, id)
  redis.call('PEXPIRE', KEYS[8], ARGV[4])
end
if window then
  monStart(window)
  local owner = cjson.decode(ARGV[1])
  local recorded = {'cb', owner.callbackId, 'page', owner.endId, 'queuedAt', now, 'attempts', 0}
  if type(owner.user) == 'string' then
    recorded[#recorded + 1] = 'user'
    recorded[#recorded + 1] = owner.user
  end
  -- A new job: a new record (false: no transitions to read).
  monRecord('queued', now, recorded, false)
  local index = monBase .. 'mon:index'
  redis.call('ZADD', index, now, monId)
  -- Trimmed every 64th job (reads trim it too): the index outlives the window by a few entries.
  if seqNo % 64 == 0 then redis.call('ZREMRANGEBYSCORE', index, '-inf', now - tonumber(monWindow)) end
  redis.call('PEXPIRE', index, monWindow)
end
return 1
