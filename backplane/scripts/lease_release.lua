-- KEYS 1 lease. ARGV 1 owner, 2 token. Only the holder may release.
if redis.call('GET', KEYS[1]) == ARGV[1] .. '|' .. ARGV[2] then
  redis.call('DEL', KEYS[1])
  return '{"ok":1}'
end
return '{"ok":0}'
