-- ARGV 5 kind, 6 schema version, 7 data JSON: an event that changes no state.
local stop = precheck()
if stop then return stop end
local id = emit(ARGV[5], ARGV[6], ARGV[7])
return finish('{"ok":1,"event_id":' .. enc(id) .. '}')
