-- Shared by every write script (prepended at load time).
-- KEYS: 1 state, 2 slots, 3 sentiment, 4 events, 5 lease, 6 fence, 7 ops, 8 history
-- ARGV: 1 fencing token, 2 operation id ('' = none), 3 call-clock time, 4 active TTL (ms),
--       5.. the script's own arguments.
-- Scripts check everything before their first write: Redis does not roll back a script that
-- fails half-way, so a failed check must leave nothing behind.
redis.replicate_commands()
local K_STATE, K_SLOTS, K_SENT, K_EVENTS = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local K_LEASE, K_FENCE, K_OPS, K_HIST = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local TOKEN, OP_ID, NOW, TTL = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])

local function enc(s) return cjson.encode(s) end

-- Returns an error or a recorded reply when the write must not run, nil when it may.
local function precheck()
  if OP_ID ~= '' then
    local prev = redis.call('HGET', K_OPS, OP_ID)
    if prev then return prev end
  end
  if redis.call('EXISTS', K_STATE) == 0 then return '{"err":"not_found"}' end
  local current = redis.call('GET', K_FENCE) or '0'
  if current ~= TOKEN then return '{"err":"stale","current":' .. current .. '}' end
  if redis.call('HGET', K_STATE, 'status') == 'ended' then return '{"err":"ended"}' end
  return nil
end

local function bump()
  redis.call('HINCRBY', K_STATE, 'version', 1)
  redis.call('HSET', K_STATE, 'updated_at', NOW)
  return tonumber(redis.call('HGET', K_STATE, 'version'))
end

local function emit(kind, v, data)
  local turn = redis.call('HGET', K_STATE, 'turn') or '0'
  return redis.call('XADD', K_EVENTS, '*', 'kind', kind, 'v', v, 'turn', turn, 'at', NOW,
    'data', data)
end

local function expire_all(ttl)
  for i = 1, 8 do
    if i ~= 5 and redis.call('EXISTS', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], ttl) end
  end
end

-- Record the reply under the operation id, so a retry whose reply was lost is a no-op.
local function finish(reply)
  if OP_ID ~= '' then redis.call('HSET', K_OPS, OP_ID, reply) end
  expire_all(TTL)
  return reply
end
