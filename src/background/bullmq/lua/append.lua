--[[
  A batch of a running try's events. A batch at or below the last applied seq is a resend (after
  a reconnect) and is skipped.

  KEYS: 1 job, 2 events
  ARGV: 1 token, 2 seq, 3 news channel, 4 id, 5 jobTtlMs, 6... events
  Returns 0 when the try is no longer this token's, else 1.
]]
--- @include "push"

if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'state') ~= 'running' then
  return 0
end
if tonumber(redis.call('HGET', KEYS[1], 'seq')) >= tonumber(ARGV[2]) then return 1 end
redis.call('HSET', KEYS[1], 'seq', ARGV[2])
pushAll(KEYS[2], ARGV, 6)
redis.call('PEXPIRE', KEYS[2], ARGV[5])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
