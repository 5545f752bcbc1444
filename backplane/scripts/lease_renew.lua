-- KEYS 1 lease, 2 fence. ARGV 1 owner, 2 token, 3 TTL ms.
-- Renewing a lease that lapsed without anyone taking it is allowed: the token is still current.
if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[2] then
  return '{"err":"stale","current":' .. (redis.call('GET', KEYS[2]) or '0') .. '}'
end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[2], 'PX', ARGV[3])
return '{"ok":1}'
