-- ARGV 5 operation: 'add' (6.. items JSON), 'pop', 'clear', 'set' (6 index, 7 item JSON)
-- The conversation history the SDK's Session reads; fenced like every other write.
local stop = precheck()
if stop then return stop end
local op = ARGV[5]
local result = 'null'
if op == 'add' then
  for i = 6, #ARGV do redis.call('RPUSH', K_HIST, ARGV[i]) end
elseif op == 'pop' then
  local item = redis.call('RPOP', K_HIST)
  if item then result = item end
elseif op == 'clear' then
  redis.call('DEL', K_HIST)
elseif op == 'set' then
  local n = redis.call('LLEN', K_HIST)
  local index = tonumber(ARGV[6])
  if index < 0 then index = n + index end
  if index < 0 or index >= n then return '{"err":"index","length":' .. n .. '}' end
  redis.call('LSET', K_HIST, index, ARGV[7])
else
  return '{"err":"bad_op"}'
end
return finish('{"ok":1,"result":' .. result .. '}')
