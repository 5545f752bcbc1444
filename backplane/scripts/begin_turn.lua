-- ARGV 5 caller_turn data JSON. The backplane owns the turn number: one increment per caller turn.
local stop = precheck()
if stop then return stop end
local turn = redis.call('HINCRBY', K_STATE, 'turn', 1)
bump()
local id = emit('caller_turn', 1, ARGV[5])
return finish('{"ok":1,"turn":' .. turn .. ',"event_id":' .. enc(id) .. '}')
