-- ARGV 5 to agent, 6 reason, 7 expected current agent ('' = any)
-- One transaction: agent change + slot snapshot + handoff event, all or nothing.
local stop = precheck()
if stop then return stop end
local from = redis.call('HGET', K_STATE, 'agent')
if ARGV[7] ~= '' and ARGV[7] ~= from then
  return '{"err":"wrong_agent","current":' .. enc(from) .. '}'
end
local flat = redis.call('HGETALL', K_SLOTS)
local parts = {}
for i = 1, #flat, 2 do parts[#parts + 1] = enc(flat[i]) .. ':' .. flat[i + 1] end
local snapshot = '{' .. table.concat(parts, ',') .. '}'
redis.call('HSET', K_STATE, 'agent', ARGV[5])
bump()
local data = '{"from_agent":' .. enc(from) .. ',"to_agent":' .. enc(ARGV[5]) .. ',"reason":' ..
  enc(ARGV[6]) .. ',"slots":' .. snapshot .. '}'
local id = emit('handoff', 1, data)
local turn = redis.call('HGET', K_STATE, 'turn')
return finish('{"ok":1,"event_id":' .. enc(id) .. ',"turn":' .. turn .. ',"at":' .. NOW .. ',"from_agent":' .. enc(from) ..
  ',"slots":' .. snapshot .. '}')
