-- LOAD: rebuild an entity's windows from a ledger summary, unless another instance already
-- did (the marker names the namespace).
-- KEYS[1] = P:holds
-- ARGV: base, sig, now, s5, s24, c5, c24, day_start, day, day_ttl, week_start, week,
--       week_ttl, month_start, month, month_ttl, f5_start, f5, total, marker_ttl,
--       buckets (at, cost)…
-- Returns 1 when it loaded, 0 when the namespace was already warm.
local b, sig = ARGV[1], ARGV[2]
if redis.call('GET', b .. ':ok') == sig then return 0 end
local ns = b .. ':' .. sig .. ':'
local now = n(ARGV[3])
local rs, ev, evc, f5 = ns .. 'rs', ns .. 'ev', ns .. 'evc', ns .. 'f5'
redis.call('DEL', rs, ev, evc, f5)
redis.call('HSET', rs, 's5', ARGV[4], 's24', ARGV[5], 'c5', ARGV[6], 'c24', ARGV[7])
redis.call('PEXPIRE', rs, HORIZON)
for i = 21, #ARGV, 500 do
  local z, h = {}, {}
  for j = i, math.min(i + 499, #ARGV - 1), 2 do
    z[#z + 1] = ARGV[j]
    z[#z + 1] = ARGV[j]
    h[#h + 1] = ARGV[j]
    h[#h + 1] = ARGV[j + 1]
  end
  if #z > 0 then
    redis.call('ZADD', ev, unpack(z))
    redis.call('HSET', evc, unpack(h))
  end
end
redis.call('PEXPIRE', ev, HORIZON)
redis.call('PEXPIRE', evc, HORIZON)
local function put(key, v, ttl)
  if ttl > 0 then redis.call('SET', key, v, 'PX', ttl) else redis.call('DEL', key) end
end
put(ns .. 'd:' .. ARGV[8], ARGV[9], n(ARGV[10]))
put(ns .. 'w:' .. ARGV[11], ARGV[12], n(ARGV[13]))
put(ns .. 'm:' .. ARGV[14], ARGV[15], n(ARGV[16]))
local st = n(ARGV[17])
if st > 0 and st + FIVEH > now then
  redis.call('HSET', f5, 'st', ARGV[17], 's', ARGV[18])
  redis.call('PEXPIRE', f5, st + FIVEH - now)
end
-- The total outlives the marker, so a warm namespace always has it.
local markerTTL = n(ARGV[20])
redis.call('SET', ns .. 't', ARGV[19], 'PX', markerTTL + DAY)
redis.call('SET', b .. ':ok', sig, 'PX', markerTTL)
return 1
