-- ARGV 5 name, 6 value JSON, 7 confidence, 8 set-by agent, 9 expected slot version ('' = any)
local stop = precheck()
if stop then return stop end
local name = ARGV[5]
if ARGV[9] ~= '' then
  local cur = redis.call('HGET', K_SLOTS, name)
  local cur_version = '0'
  if cur then cur_version = tostring(cjson.decode(cur)['version']) end
  if cur_version ~= ARGV[9] then return '{"err":"conflict","current":' .. cur_version .. '}' end
end
local version = bump()
local turn = redis.call('HGET', K_STATE, 'turn')
local record = '{"value":' .. ARGV[6] .. ',"confidence":' .. ARGV[7] .. ',"set_by":' ..
  enc(ARGV[8]) .. ',"turn":' .. turn .. ',"at":' .. NOW .. ',"version":' .. version .. '}'
redis.call('HSET', K_SLOTS, name, record)
local data = '{"name":' .. enc(name) .. ',"value":' .. ARGV[6] .. ',"confidence":' .. ARGV[7] ..
  ',"set_by":' .. enc(ARGV[8]) .. ',"version":' .. version .. '}'
local id = emit('slot_set', 1, data)
return finish('{"ok":1,"slot":' .. record .. ',"event_id":' .. enc(id) .. '}')
