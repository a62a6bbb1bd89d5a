-- RPUSH of list[first..] onto `key`, in chunks: Lua's unpack has a small limit on its results.
local function pushAll(key, list, first)
  for i = first, #list, 1000 do
    redis.call('RPUSH', key, unpack(list, i, math.min(i + 999, #list)))
  end
end
