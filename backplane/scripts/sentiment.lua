-- ARGV 5 score, 6 alpha (EMA weight of the newest turn), 7 source
local stop = precheck()
if stop then return stop end
local score, alpha = tonumber(ARGV[5]), tonumber(ARGV[6])
local n = tonumber(redis.call('HGET', K_STATE, 'sentiment_n') or '0')
local rolling = score
if n > 0 then
  rolling = alpha * score + (1 - alpha) * tonumber(redis.call('HGET', K_STATE, 'sentiment'))
end
local turn = redis.call('HGET', K_STATE, 'turn')
redis.call('HSET', K_SENT, turn, ARGV[5])
redis.call('HSET', K_STATE, 'sentiment', string.format('%.6f', rolling), 'sentiment_n', n + 1)
bump()
local r = string.format('%.6f', rolling)
local id = emit('sentiment', 1, '{"score":' .. ARGV[5] .. ',"rolling":' .. r .. ',"source":' ..
  enc(ARGV[7]) .. '}')
return finish('{"ok":1,"rolling":' .. r .. ',"event_id":' .. enc(id) .. '}')
