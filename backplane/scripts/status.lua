-- ARGV 5 new status, 6 ended TTL (ms), 7 session_ended reason
-- Status 'ended' also appends session_ended, drops the lease and starts the ended TTL.
local stop = precheck()
if stop then return stop end
local previous = redis.call('HGET', K_STATE, 'status')
redis.call('HSET', K_STATE, 'status', ARGV[5])
bump()
local id = emit('status', 1, '{"status":' .. enc(ARGV[5]) .. ',"previous":' .. enc(previous) .. '}')
if ARGV[5] == 'ended' then
  id = emit('session_ended', 1, '{"reason":' .. enc(ARGV[7]) .. '}')
  redis.call('DEL', K_LEASE)
  if OP_ID ~= '' then redis.call('HSET', K_OPS, OP_ID, '{"ok":1}') end
  expire_all(tonumber(ARGV[6]))
  return '{"ok":1,"event_id":' .. enc(id) .. '}'
end
return finish('{"ok":1,"event_id":' .. enc(id) .. '}')
