--[[
  The start order of waiting jobs (../../job-options/fairness.ts): the sorted set `order`, scored
  `-priority * 2^31 + tag`, members `<15-digit submit number>:<id>`, so equal scores start in
  submit order. A job waiting out a retry backoff sits in `backoff` (scored by when it is due)
  and joins `order` when a worker next begins a job.
]]
local function orderScore(priority, tag)
  return -tonumber(priority) * 2147483648 + tonumber(tag)
end

--[[
  A job's place in line: its start tag for the turn `pageKey` (fairness.ts fairTurnKey: the job's
  user's, else its page load's; startTag: the larger of the clock and the turn's next tag, which
  becomes tag + 1, for pageTtlMs) and its member. Returns tag, member, and the submit number the member carries.
]]
local function newPlace(clockKey, pageKey, seqKey, pageTtlMs, id)
  local tags = redis.call('MGET', clockKey, pageKey)
  local tag = math.max(tonumber(tags[1] or 0), tonumber(tags[2] or 0))
  redis.call('SET', pageKey, tag + 1, 'PX', pageTtlMs)
  local seqNo = redis.call('INCR', seqKey)
  return tag, string.format('%015d', seqNo) .. ':' .. id, seqNo
end
