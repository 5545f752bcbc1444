-- KEYS 1 state, 2 lease, 3 fence. ARGV 1 owner, 2 TTL ms, 3 takeover ('1'/'0').
-- A free (or expired) lease is taken at once; a live one only with takeover, which bumps the
-- fencing token so the old owner's next write fails.
if redis.call('EXISTS', KEYS[1]) == 0 then return '{"err":"not_found"}' end
if redis.call('HGET', KEYS[1], 'status') == 'ended' then return '{"err":"ended"}' end
local cur = redis.call('GET', KEYS[2])
local previous = 'null'
if cur then
  local sep = string.find(cur, '|', 1, true)
  local holder, tok = string.sub(cur, 1, sep - 1), string.sub(cur, sep + 1)
  if holder == ARGV[1] and tok == (redis.call('GET', KEYS[3]) or '0') then
    redis.call('PEXPIRE', KEYS[2], ARGV[2])
    return '{"ok":1,"token":' .. tok .. ',"previous":null}'
  end
  if ARGV[3] ~= '1' then
    return '{"err":"held","holder":' .. cjson.encode(holder) .. ',"pttl":' ..
      redis.call('PTTL', KEYS[2]) .. '}'
  end
  previous = cjson.encode(holder)
end
local token = redis.call('INCR', KEYS[3])
redis.call('SET', KEYS[2], ARGV[1] .. '|' .. token, 'PX', ARGV[2])
return '{"ok":1,"token":' .. token .. ',"previous":' .. previous .. '}'
