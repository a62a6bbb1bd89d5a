--[[
  The sets that count a job among the unfinished for backgroundLimits (../../page-load.ts): its
  page load's (the job hash's `pj`, left by each script that ends the job) and, when the job has a
  user, its user's (`uj`). leaveUserCount is that second half: a script that ends a job calls it
  where it leaves `pj`, while the job hash is still there.
]]
local function leaveUserCount(jobKey, id)
  local set = redis.call('HGET', jobKey, 'uj')
  if set then redis.call('ZREM', set, id) end
end
