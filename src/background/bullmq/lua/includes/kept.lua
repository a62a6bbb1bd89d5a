-- A kept job (JobSubmission.keep, field `keep` in ms) that just ended: note when, and keep its
-- keys for at least its keep (findKept and rejoin look at `endedAt`).
local function keptEnd(jobKey, eventsKey, now, minTtl)
  local keep = redis.call('HGET', jobKey, 'keep')
  if not keep then return end
  redis.call('HSET', jobKey, 'endedAt', now)
  local ttl = math.max(tonumber(keep), tonumber(minTtl))
  redis.call('PEXPIRE', jobKey, ttl)
  redis.call('PEXPIRE', eventsKey, ttl)
end
