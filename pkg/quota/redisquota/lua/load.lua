-- LOAD: rebuild an entity's namespace from a ledger summary, unless another instance already
-- did.
-- KEYS[1] = P:holds
-- ARGV: namespace, c5, s5, c24, s24, day_start, day, week_start, week, month_start, month,
--       total, f5_start, f5, buckets (at, cost)…
-- Returns 1 when it loaded, 0 when the namespace was already warm.
local ns = ARGV[1]
if redis.call('EXISTS', ns) == 1 then return 0 end
local ev, evc = ns .. ':ev', ns .. ':evc'
redis.call('DEL', ev, evc)
for i = 15, #ARGV, 500 do
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
redis.call('PEXPIRE', ev, NSTTL)
redis.call('PEXPIRE', evc, NSTTL)
redis.call('HSET', ns, 'c5', ARGV[2], 's5', ARGV[3], 'c24', ARGV[4], 's24', ARGV[5],
  'ds', ARGV[6], 'dv', ARGV[7], 'ws', ARGV[8], 'wv', ARGV[9], 'ms', ARGV[10], 'mv', ARGV[11],
  't', ARGV[12], 'f5', ARGV[13], 'f5s', ARGV[14])
redis.call('PEXPIRE', ns, NSTTL)
return 1
