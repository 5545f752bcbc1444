-- ARGV 5 level, 6 reason. The level only goes up; reasons accumulate in order.
local stop = precheck()
if stop then return stop end
local level = math.max(tonumber(ARGV[5]), tonumber(redis.call('HGET', K_STATE, 'esc_level')))
local reasons = redis.call('HGET', K_STATE, 'esc_reasons')
if reasons == '[]' then
  reasons = '[' .. enc(ARGV[6]) .. ']'
else
  reasons = string.sub(reasons, 1, -2) .. ',' .. enc(ARGV[6]) .. ']'
end
redis.call('HSET', K_STATE, 'esc_level', level, 'esc_reasons', reasons)
bump()
local id = emit('escalation', 1, '{"level":' .. level .. ',"reason":' .. enc(ARGV[6]) .. '}')
return finish('{"ok":1,"level":' .. level .. ',"event_id":' .. enc(id) .. '}')
