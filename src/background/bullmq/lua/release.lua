--[[
  The attempt has stopped without an outcome to store (cancelled, or given up on elsewhere). A
  cancelled job is deleted.

  KEYS: 1 job, 2 events, 3 heartbeat
  ARGV: 1 token, 2 news channel, 3 id
  Returns 1 when a cancelled job was deleted, else 0.
]]
if redis.call('HGET', KEYS[1], 'token') == ARGV[1] and redis.call('HGET', KEYS[1], 'state') == 'cancelled' then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
  redis.call('PUBLISH', ARGV[2], ARGV[3])
  return 1
end
if redis.call('GET', KEYS[3]) == ARGV[1] then redis.call('DEL', KEYS[3]) end
return 0
