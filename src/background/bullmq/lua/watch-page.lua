--[[
  whenPageLeaves 'cancel' (../page-leave.ts): a job submitted just now is watched, and its page
  load counts as seen now.

  KEYS: 1 the watched jobs (hash: id -> "<pageLeftAfterMs> <endId>"), 2 the page loads seen (sorted set, by ms)
  ARGV: 1 id, 2 pageLeftAfterMs, 3 endId
]]
--- @include "time"

redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ' ' .. ARGV[3])
redis.call('ZADD', KEYS[2], redisNow(), ARGV[3])
return 1
