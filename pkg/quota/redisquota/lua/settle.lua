-- SETTLE: book a request's cost in every window of its key, user and provider and release
-- what ACQUIRE reserved for it. Idempotent by request id.
-- KEYS[1] = P:holds
-- ARGV: P, now, request_id, sessionless_member ('' for a named session), at (Unix ms the
--       cost is booked at), at_bucket, cost, groups… (flag 1 = drop the sessionless member)
-- Returns 1, or 0 for a request already settled.
local P, now, rid, member, at, bucket, cost = ARGV[1], n(ARGV[2]), ARGV[3], ARGV[4], n(ARGV[5]), ARGV[6], n(ARGV[7])
if not redis.call('SET', P .. ':st:' .. rid, '1', 'NX', 'PX', DAY) then return 0 end

local hd = P .. ':hd:' .. rid
local h = redis.call('HGETALL', hd)
for j = 1, #h, 2 do decrHeld(h[j], n(h[j + 1])) end
if #h > 0 then
  redis.call('DEL', hd)
  redis.call('ZREM', P .. ':holds', rid)
end

local function count(key, ttl)
  if ttl > 0 then
    redis.call('INCRBY', key, cost)
    redis.call('PEXPIRE', key, ttl)
  end
end

local i = 8
while i <= #ARGV do
  local e = ent(ARGV, i)
  i = i + G
  if e.flag > 0 and member ~= '' then redis.call('ZREM', e.b .. ':ss', member) end
  -- A cold namespace is rebuilt from the ledger, which carries this cost.
  if cost ~= 0 and warm(e) then
    advance(e, now)
    local b = n(bucket)
    if b >= now - HORIZON then
      local rs, ev, evc = e.ns .. 'rs', e.ns .. 'ev', e.ns .. 'evc'
      redis.call('ZADD', ev, b, bucket)
      redis.call('HINCRBY', evc, bucket, cost)
      if b >= e.c24 then e.s24 = e.s24 + cost end
      if b >= e.c5 then e.s5 = e.s5 + cost end
      redis.call('HSET', rs, 's5', e.s5, 's24', e.s24, 'c5', e.c5, 'c24', e.c24)
      redis.call('PEXPIRE', rs, HORIZON)
      redis.call('PEXPIRE', ev, HORIZON)
      redis.call('PEXPIRE', evc, HORIZON)
    end
    count(e.ns .. 'd:' .. e.ds, e.dr - now + KEEP)
    count(e.ns .. 'w:' .. e.ws, e.wr - now + KEEP)
    count(e.ns .. 'm:' .. e.ms, e.mr - now + KEEP)
    count(e.ns .. 't', 36 * DAY)
    if cost > 0 then
      local f5 = e.ns .. 'f5'
      local v = redis.call('HMGET', f5, 'st', 's')
      local st = n(v[1])
      if st == 0 or at >= st + FIVEH then
        st = at
        redis.call('HSET', f5, 'st', ARGV[5], 's', cost)
      else
        redis.call('HINCRBY', f5, 's', cost)
      end
      local left = st + FIVEH - now
      if left > 0 then redis.call('PEXPIRE', f5, left) else redis.call('DEL', f5) end
    end
  end
end
return 1
