/**
 * The Lua scripts behind every state change of a job (see keys.ts for the data). Each change is
 * one script, so it is atomic however many server processes and workers race: a cancel and a
 * worker's write cannot interleave, and a write carries the token of the attempt that made it,
 * so a cancelled, handed-back or given-up attempt stores nothing more.
 *
 * Times come from Redis (`TIME`), never from the callers, whose clocks may disagree.
 */
import type { Redis } from 'ioredis';

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** RPUSH of ARGV[first..], in chunks: Lua's unpack has a small limit on its results. */
const PUSH_EVENTS = (first: number) => `for i = ${first}, #ARGV, 1000 do
  redis.call('RPUSH', KEYS[2], unpack(ARGV, i, math.min(i + 999, #ARGV)))
end`;

/** KEYS job; ARGV owner, cacheKey ('' for none), cacheTtlMs, jobTtlMs. 1 if queued, 0 if it existed. */
const submit = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
${NOW}
redis.call('HSET', KEYS[1], 'state', 'queued', 'owner', ARGV[1], 'queuedAt', now, 'seq', 0)
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'cacheKey', ARGV[2], 'cacheTtlMs', ARGV[3]) end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1`;

/**
 * Read-once delivery. KEYS job, events, heartbeat, workers; ARGV judge ('1': may declare the job
 * lost), noWorkerTimeoutMs, lost-running outcome, lost-no-worker outcome.
 * Returns {state, outcome or '', event...}; a finished job is deleted as its outcome is returned.
 */
const take = `
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'unknown', ''} end
if state == 'cancelled' then
  -- Gone once its worker has let go (or never had one, or died).
  if redis.call('EXISTS', KEYS[3]) == 0 then redis.call('DEL', KEYS[1], KEYS[2]) end
  return {'cancelled', ''}
end
local outcome = false
if state == 'finished' then
  outcome = redis.call('HGET', KEYS[1], 'outcome')
elseif ARGV[1] == '1' then
  if state == 'running' and redis.call('EXISTS', KEYS[3]) == 0 then
    outcome = ARGV[3]
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
local reply = {state, ''}
if outcome then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
  reply = {'finished', outcome}
elseif #events > 0 then
  redis.call('DEL', KEYS[2])
end
for i = 1, #events do reply[#reply + 1] = events[i] end
return reply`;

/**
 * KEYS job, events; ARGV news channel, cancel channel, id. A job that finished but whose outcome
 * nobody has read yet is cancelled too: its outcome is never delivered.
 * 0: nothing to cancel; 1: it was queued; 2: it was running (its worker is told); 3: it had finished.
 */
const cancel = `
local state = redis.call('HGET', KEYS[1], 'state')
if state ~= 'queued' and state ~= 'running' and state ~= 'finished' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'cancelled')
redis.call('HDEL', KEYS[1], 'outcome')
redis.call('DEL', KEYS[2])
if state == 'running' then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
redis.call('PUBLISH', ARGV[1], ARGV[3])
if state == 'running' then return 2 end
if state == 'finished' then return 3 end
return 1`;

/** A worker takes a queued job. KEYS job, events, heartbeat; ARGV token, jobTtlMs, staleMs. 'ok' or why not. */
const begin = `
local state = redis.call('HGET', KEYS[1], 'state')
if state ~= 'queued' then return state or 'gone' end
redis.call('HSET', KEYS[1], 'state', 'running', 'token', ARGV[1], 'seq', 0)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[3])
return 'ok'`;

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
 * The job ended. KEYS job, events, heartbeat; ARGV token, seq, news channel, id, finishedTtlMs,
 * outcome, cacheable ('1'/'0'), cache key prefix, event...
 * 1: stored; 2: it had been cancelled, and is now gone; 0: no longer this attempt's to write.
 */
const finish = `
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then return 0 end
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'cancelled' then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
  redis.call('PUBLISH', ARGV[3], ARGV[4])
  return 2
end
if state ~= 'running' then return 0 end
if tonumber(redis.call('HGET', KEYS[1], 'seq')) < tonumber(ARGV[2]) then
  ${PUSH_EVENTS(9)}
end
redis.call('HSET', KEYS[1], 'state', 'finished', 'outcome', ARGV[6], 'seq', ARGV[2])
redis.call('DEL', KEYS[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
if ARGV[7] == '1' then
  local cacheKey = redis.call('HGET', KEYS[1], 'cacheKey')
  if cacheKey then
    redis.call('SET', ARGV[8] .. cacheKey, ARGV[6], 'PX', redis.call('HGET', KEYS[1], 'cacheTtlMs'))
  end
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
 * A worker shutting down gives a running job back to the queue. KEYS job, events, heartbeat;
 * ARGV token, news channel, id. 1: queued again; 2: it had been cancelled, and is now gone; 0: not ours.
 */
const handback = `
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then return 0 end
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'running' then
  redis.call('HSET', KEYS[1], 'state', 'queued', 'seq', 0)
  redis.call('HDEL', KEYS[1], 'token')
  redis.call('DEL', KEYS[3])
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

/** A worker stops: it counts as last alive now. KEYS workers; ARGV worker id. */
const retire = `
${NOW}
redis.call('ZADD', KEYS[1], now, ARGV[1])
return 1`;

export const SCRIPTS = {
  dashSubmit: { keys: 1, lua: submit },
  dashTake: { keys: 4, lua: take },
  dashCancel: { keys: 2, lua: cancel },
  dashBegin: { keys: 3, lua: begin },
  dashAppend: { keys: 2, lua: append },
  dashFinish: { keys: 3, lua: finish },
  dashRelease: { keys: 3, lua: release },
  dashHandback: { keys: 3, lua: handback },
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
