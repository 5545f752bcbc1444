-- ARGV 5 agent, 6 channel, 7 metadata JSON, 8 session_started data JSON
if OP_ID ~= '' then
  local prev = redis.call('HGET', K_OPS, OP_ID)
  if prev then return prev end
end
if redis.call('EXISTS', K_STATE) == 1 then return '{"err":"exists"}' end
redis.call('HSET', K_STATE, 'agent', ARGV[5], 'status', 'active', 'version', 1, 'turn', 0,
  'channel', ARGV[6], 'created_at', NOW, 'updated_at', NOW, 'sentiment', 0, 'sentiment_n', 0,
  'esc_level', 0, 'esc_reasons', '[]', 'metadata', ARGV[7])
if redis.call('EXISTS', K_FENCE) == 0 then redis.call('SET', K_FENCE, 0) end
local id = emit('session_started', 1, ARGV[8])
return finish('{"ok":1,"event_id":' .. enc(id) .. '}')
