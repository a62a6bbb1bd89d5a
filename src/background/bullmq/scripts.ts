/**
 * The Lua scripts behind every state change of a job (see keys.ts for the data). Each change is
 * one script, so it is atomic however many server processes and workers race: a cancel and a
 * worker's write cannot interleave, and a write carries the token of the attempt that made it,
 * so a cancelled, handed-back or given-up attempt stores nothing more.
 *
 * Times come from Redis (`TIME`), never from the callers, whose clocks may disagree.
 */
import type { Redis } from 'ioredis';
import { recording } from '../monitor/redis-records.ts';

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** RPUSH of ARGV[first..], in chunks: Lua's unpack has a small limit on its results. */
const PUSH_EVENTS = (first: number) => `for i = ${first}, #ARGV, 1000 do
  redis.call('RPUSH', KEYS[2], unpack(ARGV, i, math.min(i + 999, #ARGV)))
end`;

/**
 * The start order of waiting jobs (../job-options/fairness.ts) is the sorted set `order`: score
 * `-priority · 2^31 + tag`, member `<15-digit submit number>:<id>`, so equal scores start in
 * submit order. A job waiting out a retry backoff sits in `backoff` (scored by when it is due)
 * and joins `order` when a worker next begins a job.
 */
const SCORE = (priority: string, tag: string) => `-tonumber(${priority}) * 2147483648 + tonumber(${tag})`;

/**
 * A new start tag for page `pageKey` and a new member (locals `tag`, `member`), written to the
 * job unless `deferWrite` names it (the caller then writes them with its own HSET). Needs `id`.
 */
const NEW_PLACE = (clock: string, pageKey: string, seqKey: string, pageTtl: string, deferWrite?: string) => `
local tags = redis.call('MGET', ${clock}, ${pageKey})
local tag = math.max(tonumber(tags[1] or 0), tonumber(tags[2] or 0))
redis.call('SET', ${pageKey}, tag + 1, 'PX', ${pageTtl})
local seqNo = redis.call('INCR', ${seqKey})
local member = string.format('%015d', seqNo) .. ':' .. id
${deferWrite ? '' : "redis.call('HSET', job, 'tag', tag, 'member', member)"}`;

/**
 * KEYS job, order, clock, page, seq, the page load's unfinished jobs (page-load.ts), the
 * monitor's `mon:on` (monitor/redis-records.ts); ARGV owner,
 * cacheKey ('' for none), cacheTtlMs, jobTtlMs, functionKey, payload, policy ('' for the
 * defaults), priority, reportQueue ('1'/'0'), pageTtlMs, id, lostTries (the tries a job whose
 * worker died may have: retry.attempts with onLost, else 0), backoffMs. 1 if queued, 0 if it
 * existed. The job hash keeps `pj` (that set: every script that ends the job leaves it) and,
 * while the monitor records, `mon` (its window: every later script records the job's changes).
 */
const submit = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
${NOW}
local job, id = KEYS[1], ARGV[11]
${NEW_PLACE('KEYS[3]', 'KEYS[4]', 'KEYS[5]', 'ARGV[10]', 'job')}
local window = redis.call('GET', KEYS[7]) or false
local fields = {'state', 'queued', 'owner', ARGV[1], 'queuedAt', now, 'seq', 0, 'key', ARGV[5],
  'payload', ARGV[6], 'policy', ARGV[7], 'prio', ARGV[8], 'rq', ARGV[9], 'page', KEYS[4], 'pj', KEYS[6],
  'attempt', 0, 'lostTries', ARGV[12], 'backoffMs', ARGV[13], 'tag', tag, 'member', member}
if ARGV[2] ~= '' then
  fields[#fields + 1] = 'cacheKey'
  fields[#fields + 1] = ARGV[2]
  fields[#fields + 1] = 'cacheTtlMs'
  fields[#fields + 1] = ARGV[3]
end
if window then
  fields[#fields + 1] = 'mon'
  fields[#fields + 1] = window
end
redis.call('HSET', job, unpack(fields))
redis.call('PEXPIRE', job, ARGV[4])
redis.call('ZADD', KEYS[2], ${SCORE('ARGV[8]', 'tag')}, member)
redis.call('ZADD', KEYS[6], now, id)
redis.call('PEXPIRE', KEYS[6], ARGV[4])
${recording(
  'window',
  `local owner = cjson.decode(ARGV[1])
-- A new job: a new record (false: no transitions to read).
monRecord('queued', now, {'cb', owner.callbackId, 'page', owner.endId, 'queuedAt', now, 'attempts', 0}, false)
local index = monBase .. 'mon:index'
redis.call('ZADD', index, now, monId)
-- Trimmed every 64th job (reads trim it too): the index outlives the window by a few entries.
if seqNo % 64 == 0 then redis.call('ZREMRANGEBYSCORE', index, '-inf', now - tonumber(monWindow)) end
redis.call('PEXPIRE', index, monWindow)`,
)}
return 1`;

/**
 * Read-once delivery. KEYS job, events, heartbeat, workers, order, runtimes, BullMQ's active list;
 * ARGV judge ('1': may declare the job lost), noWorkerTimeoutMs, lost-running outcome,
 * lost-no-worker outcome, key base, id, pageTtlMs. Returns {state, outcome or '', began or '',
 * position or '', mean run ms or '', running or '', next try or '', event...}; a finished job is
 * deleted as its outcome is returned. A running job whose worker died is lost, unless its
 * retry.onLost allows another try: then it waits out its backoff, and `next try` is
 * '<attempt>:<delayMs>', for the caller to add that try's ticket.
 */
const take = `
local h = redis.call('HMGET', KEYS[1], 'state', 'outcome', 'began', 'rq', 'member', 'key', 'pj', 'mon')
local state = h[1]
if not state then return {'unknown', '', '', '', '', '', ''} end
if state == 'cancelled' then
  -- Gone once its worker has let go (or never had one, or died).
  if redis.call('EXISTS', KEYS[3]) == 0 then redis.call('DEL', KEYS[1], KEYS[2]) end
  return {'cancelled', '', '', '', '', '', ''}
end
local outcome = false
local nextTry = ''
if state == 'finished' then
  outcome = h[2]
elseif ARGV[1] == '1' then
  if state == 'running' and redis.call('EXISTS', KEYS[3]) == 0 then
    local f = redis.call('HMGET', KEYS[1], 'attempt', 'lostTries', 'backoffMs')
    local attempt = tonumber(f[1] or 0)
    if attempt < tonumber(f[2] or 0) then
      -- The backoff rule of job-options/retry.ts: backoff · 2^(attempt - 1).
      ${NOW}
      local job, id, base = KEYS[1], ARGV[6], ARGV[5]
      local delay = math.floor(tonumber(f[3]) * 2 ^ (attempt - 1))
      redis.call('HSET', job, 'state', 'queued', 'seq', 0)
      redis.call('HDEL', job, 'token', 'began')
      ${NEW_PLACE("base .. 'clock'", "redis.call('HGET', job, 'page')", "base .. 'seq'", 'ARGV[7]')}
      redis.call('ZADD', base .. 'backoff', now + delay, id)
      state = 'queued'
      nextTry = (attempt + 1) .. ':' .. delay
      ${recording('h[8]', "monRecord('queued', now, {})")}
    else
      outcome = ARGV[3]
    end
  elseif state == 'queued' and tonumber(ARGV[2]) > 0 then
    ${NOW}
    local limit = tonumber(ARGV[2])
    local last = redis.call('ZREVRANGE', KEYS[4], 0, 0, 'WITHSCORES')
    local lastAlive = tonumber(last[2] or 0)
    if now - tonumber(redis.call('HGET', KEYS[1], 'queuedAt')) > limit and lastAlive < now - limit then
      outcome = ARGV[4]
    end
  end
end
local events = redis.call('LRANGE', KEYS[2], 0, -1)
local began = nextTry == '' and h[3] or ''
local reply = {state, '', began, '', '', '', nextTry}
if outcome then
  -- Declared lost just now (a finished job left its page's set, and had its outcome recorded,
  -- when it was stored).
  if state ~= 'finished' then
    if h[7] then redis.call('ZREM', h[7], ARGV[6]) end
    ${recording(
      'h[8]',
      `${NOW}
monFinish(now, monOutcome(outcome))`,
    )}
  end
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
  reply[1] = 'finished'
  reply[2] = outcome
else
  if #events > 0 then redis.call('DEL', KEYS[2]) end
  if began ~= '' then redis.call('HDEL', KEYS[1], 'began') end
  if state == 'queued' and h[4] == '1' then
    local rank = redis.call('ZRANK', KEYS[5], redis.call('HGET', KEYS[1], 'member'))
    if rank then
      reply[4] = rank + 1
      reply[5] = redis.call('HGET', KEYS[6], h[6]) or ''
      reply[6] = redis.call('LLEN', KEYS[7])
    end
  end
end
for i = 1, #events do reply[#reply + 1] = events[i] end
return reply`;

/**
 * KEYS job, events, order, backoff; ARGV news channel, cancel channel, id, the monitor's outcome
 * ('cancelled' or 'superseded'). A job that finished but whose outcome nobody has read yet is
 * cancelled too: its outcome is never delivered.
 * 0: nothing to cancel; 1: it was queued; 2: it was running (its worker is told); 3: it had finished.
 */
const cancel = `
local h = redis.call('HMGET', KEYS[1], 'state', 'member', 'pj', 'mon')
local state = h[1]
if state ~= 'queued' and state ~= 'running' and state ~= 'finished' then return 0 end
if state ~= 'finished' then
  if h[3] then redis.call('ZREM', h[3], ARGV[3]) end
  ${recording(
    'h[4]',
    `${NOW}
monFinish(now, ARGV[4] or 'cancelled')`,
  )}
end
redis.call('HSET', KEYS[1], 'state', 'cancelled')
redis.call('HDEL', KEYS[1], 'outcome')
redis.call('DEL', KEYS[2])
if state == 'queued' then
  redis.call('ZREM', KEYS[3], h[2])
  redis.call('ZREM', KEYS[4], ARGV[3])
end
if state == 'running' then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
redis.call('PUBLISH', ARGV[1], ARGV[3])
if state == 'running' then return 2 end
if state == 'finished' then return 3 end
return 1`;

/**
 * A worker holding a BullMQ job (a ticket: any ticket runs the job first in line) takes the next
 * job. KEYS order, backoff, clock; ARGV token, jobTtlMs, staleMs, key base, worker id. Returns {id,
 * functionKey, payload, policy, attempt}, or nil when no job waits. Retries whose backoff is over
 * join the line first; a retry's unread progress of earlier tries is dropped.
 */
const begin = `
${NOW}
local base = ARGV[4]
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)) do
  redis.call('ZREM', KEYS[2], id)
  local f = redis.call('HMGET', base .. 'job:' .. id, 'state', 'member', 'prio', 'tag')
  if f[1] == 'queued' then redis.call('ZADD', KEYS[1], ${SCORE('f[3]', 'f[4]')}, f[2]) end
end
while true do
  local head = redis.call('ZPOPMIN', KEYS[1])
  if #head == 0 then return false end
  local id = string.sub(head[1], 17)
  local job = base .. 'job:' .. id
  -- One read of everything this needs: state, tag, tries so far, then what the worker gets.
  local h = redis.call('HMGET', job, 'state', 'tag', 'attempt', 'key', 'payload', 'policy', 'mon')
  if h[1] == 'queued' then
    local attempt = tonumber(h[3]) + 1
    redis.call('HSET', job, 'state', 'running', 'token', ARGV[1], 'seq', 0, 'attempt', attempt, 'began', attempt,
      'startedAt', now)
    redis.call('PEXPIRE', job, ARGV[2])
    redis.call('SET', base .. 'hb:' .. id, ARGV[1], 'PX', ARGV[3])
    local tag = tonumber(h[2])
    if tag > tonumber(redis.call('GET', KEYS[3]) or 0) then redis.call('SET', KEYS[3], tag) end
    if attempt > 1 then
      local ev = base .. 'ev:' .. id
      local kept = {}
      for _, e in ipairs(redis.call('LRANGE', ev, 0, -1)) do
        if string.sub(e, 1, 1) ~= 'p' then kept[#kept + 1] = e end
      end
      redis.call('DEL', ev)
      for i = 1, #kept, 1000 do redis.call('RPUSH', ev, unpack(kept, i, math.min(i + 999, #kept))) end
      if #kept > 0 then redis.call('PEXPIRE', ev, ARGV[2]) end
    end
    ${recording(
      'h[7]',
      `monBase, monId = base, id
local was = redis.call('HMGET', monBase .. 'mon:' .. monId, 'cb', 'queuedAt', 'tr')
monRecord('running', now, {'startedAt', now, 'worker', ARGV[5] or '', 'attempts', attempt}, was[3])
-- Wait time: from queued to the first try (a retry's wait is its backoff, not the queue's).
if attempt == 1 and was[1] and was[2] then monObserve(was[1], 'wait', now - tonumber(was[2])) end`,
    )}
    return {id, h[4], h[5], h[6], attempt}
  end
end`;

/**
 * A batch of events. KEYS job, events; ARGV token, seq, news channel, id, jobTtlMs, event...
 * A batch at or below the last applied seq is a resend (after a reconnect) and is skipped.
 */
const append = `
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'state') ~= 'running' then
  return 0
end
if tonumber(redis.call('HGET', KEYS[1], 'seq')) >= tonumber(ARGV[2]) then return 1 end
redis.call('HSET', KEYS[1], 'seq', ARGV[2])
${PUSH_EVENTS(6)}
redis.call('PEXPIRE', KEYS[2], ARGV[5])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1`;

/**
 * The try ended. KEYS job, events, heartbeat, runtimes, order, backoff, clock, seq; ARGV token,
 * seq, news channel, id, finishedTtlMs, outcome, cacheable ('1'/'0'), cache key prefix,
 * retryDelayMs ('' when the job ends here), jobTtlMs, pageTtlMs, run-time weight, event...
 * 1: stored; 3: queued for its next try; 2: it had been cancelled, and is now gone; 0: no longer
 * this attempt's to write.
 */
const finish = `
local h = redis.call('HMGET', KEYS[1], 'token', 'state', 'seq', 'key', 'startedAt', 'cacheKey', 'cacheTtlMs', 'pj',
  'mon')
if h[1] ~= ARGV[1] then return 0 end
local state = h[2]
if state == 'cancelled' then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
  redis.call('PUBLISH', ARGV[3], ARGV[4])
  return 2
end
if state ~= 'running' then return 0 end
if tonumber(h[3]) < tonumber(ARGV[2]) then
  ${PUSH_EVENTS(13)}
end
${NOW}
local fn = h[4]
local mean = tonumber(redis.call('HGET', KEYS[4], fn) or '')
local ran = now - tonumber(h[5] or now)
redis.call('HSET', KEYS[4], fn, mean and (mean + tonumber(ARGV[12]) * (ran - mean)) or ran)
redis.call('DEL', KEYS[3])
if ARGV[9] ~= '' then
  local job, id = KEYS[1], ARGV[4]
  redis.call('HSET', job, 'state', 'queued', 'seq', 0)
  redis.call('HDEL', job, 'token')
  ${NEW_PLACE('KEYS[7]', "redis.call('HGET', job, 'page')", 'KEYS[8]', 'ARGV[11]')}
  local delay = tonumber(ARGV[9])
  if delay > 0 then
    redis.call('ZADD', KEYS[6], now + delay, id)
  else
    redis.call('ZADD', KEYS[5], ${SCORE("redis.call('HGET', job, 'prio')", 'tag')}, member)
  end
  redis.call('PEXPIRE', KEYS[1], ARGV[10])
  redis.call('PEXPIRE', KEYS[2], ARGV[10])
  redis.call('PUBLISH', ARGV[3], ARGV[4])
  ${recording('h[9]', "monRecord('queued', now, {})")}
  return 3
end
redis.call('HSET', KEYS[1], 'state', 'finished', 'outcome', ARGV[6], 'seq', ARGV[2])
if h[8] then redis.call('ZREM', h[8], ARGV[4]) end
${recording('h[9]', 'monFinish(now, monOutcome(ARGV[6]))')}
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
if ARGV[7] == '1' and h[6] then
  redis.call('SET', ARGV[8] .. h[6], ARGV[6], 'PX', h[7])
end
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1`;

/**
 * The attempt has stopped without an outcome to store (cancelled, or given up on elsewhere).
 * KEYS job, events, heartbeat; ARGV token, news channel, id. A cancelled job is deleted.
 */
const release = `
if redis.call('HGET', KEYS[1], 'token') == ARGV[1] and redis.call('HGET', KEYS[1], 'state') == 'cancelled' then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
  redis.call('PUBLISH', ARGV[2], ARGV[3])
  return 1
end
if redis.call('GET', KEYS[3]) == ARGV[1] then redis.call('DEL', KEYS[3]) end
return 0`;

/**
 * A worker shutting down gives a running job back to the queue. KEYS job, events, heartbeat,
 * order; ARGV token, news channel, id. 1: queued again; 2: it had been cancelled, and is now gone; 0: not ours.
 */
const handback = `
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then return 0 end
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'running' then
  -- Back to its old place in line: the try did not count.
  redis.call('HSET', KEYS[1], 'state', 'queued', 'seq', 0)
  redis.call('HINCRBY', KEYS[1], 'attempt', -1)
  redis.call('HDEL', KEYS[1], 'token', 'began')
  redis.call('DEL', KEYS[3])
  local f = redis.call('HMGET', KEYS[1], 'member', 'prio', 'tag', 'mon')
  redis.call('ZADD', KEYS[4], ${SCORE('f[2]', 'f[3]')}, f[1])
  ${recording(
    'f[4]',
    `${NOW}
monRecord('queued', now, {'attempts', redis.call('HGET', KEYS[1], 'attempt')})`,
  )}
  return 1
end
if state == 'cancelled' then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
  redis.call('PUBLISH', ARGV[2], ARGV[3])
  return 2
end
return 0`;

/**
 * A worker is alive, and so are its jobs. KEYS workers; ARGV worker id, staleMs, jobTtlMs, key
 * base, then (id, token) pairs. Returns each job's state, or 'gone' when it is no longer this
 * attempt's (deleted, handed to another attempt).
 */
const heartbeat = `
${NOW}
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
return reply`;

/**
 * Ends a queued job with an outcome (it could not be handed back). KEYS job, order; ARGV outcome,
 * finishedTtlMs, news channel, id. 1 if it was queued.
 */
const fail = `
local h = redis.call('HMGET', KEYS[1], 'state', 'member', 'pj', 'mon')
if h[1] ~= 'queued' then return 0 end
redis.call('ZREM', KEYS[2], h[2])
if h[3] then redis.call('ZREM', h[3], ARGV[4]) end
redis.call('HSET', KEYS[1], 'state', 'finished', 'outcome', ARGV[1])
${recording(
  'h[4]',
  `${NOW}
monFinish(now, monOutcome(ARGV[1]))`,
)}
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1`;

/** A worker stops: it counts as last alive now (and the monitor notes it stopped cleanly). KEYS workers; ARGV worker id. */
const retire = `
${NOW}
redis.call('ZADD', KEYS[1], now, ARGV[1])
local base = string.match(KEYS[1], '^(.*)workers$')
if redis.call('EXISTS', base .. 'mon:on') == 1 then
  redis.call('HSET', base .. 'mon:retired', ARGV[1], now)
  redis.call('PEXPIRE', base .. 'mon:retired', 3600000 + tonumber(redis.call('GET', base .. 'mon:on')))
end
return 1`;

export const SCRIPTS = {
  dashSubmit: { keys: 7, lua: submit },
  dashTake: { keys: 7, lua: take },
  dashCancel: { keys: 4, lua: cancel },
  dashBegin: { keys: 3, lua: begin },
  dashAppend: { keys: 2, lua: append },
  dashFinish: { keys: 8, lua: finish },
  dashRelease: { keys: 3, lua: release },
  dashHandback: { keys: 4, lua: handback },
  dashFail: { keys: 2, lua: fail },
  dashHeartbeat: { keys: 1, lua: heartbeat },
  dashRetire: { keys: 1, lua: retire },
} as const;

export type ScriptName = keyof typeof SCRIPTS;

/**
 * Registers the scripts as client commands: ioredis then sends EVALSHA and falls back to EVAL
 * when Redis does not know the script (a restarted Redis has forgotten every script).
 */
export function defineScripts(client: Redis): void {
  for (const [name, { keys, lua }] of Object.entries(SCRIPTS)) {
    client.defineCommand(name, { numberOfKeys: keys, lua });
  }
}

type ScriptArgument = string | number;

/** Runs a registered script: its keys first, then its arguments. */
export function runScript(
  client: Redis,
  name: ScriptName,
  keys: string[],
  args: ScriptArgument[],
): Promise<unknown> {
  const command = (client as unknown as Record<ScriptName, (...a: ScriptArgument[]) => Promise<unknown>>)[
    name
  ];
  return command.call(client, ...keys, ...args);
}
