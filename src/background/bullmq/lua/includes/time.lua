-- Milliseconds now by Redis's clock: never a caller's, whose clocks may disagree.
local function redisNow()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
