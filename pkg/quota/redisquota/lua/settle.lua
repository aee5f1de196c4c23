-- SETTLE: book a request's cost in every window of its key, user and provider and release
-- what ACQUIRE reserved for it. Idempotent by request id (for an hour: long enough for the
-- replay after an outage of any settlement whose first attempt may have landed).
-- KEYS[1] = P:holds
-- ARGV: P, now, request_id, sessionless_member ('' for a named session), at (Unix ms the
--       cost is booked at, the request's start), at_bucket, cost, groups… (flag 1 = drop the
--       sessionless member). Window starts in the groups are those of at.
-- Returns 1, or 0 for a request already settled.
local P, now, rid, member, at, bucket, cost = ARGV[1], n(ARGV[2]), ARGV[3], ARGV[4], n(ARGV[5]), ARGV[6], n(ARGV[7])
if not redis.call('SET', P .. ':st:' .. rid, '1', 'NX', 'PX', 3600000) then return 0 end
release(P, rid)

local b = n(bucket)
local i = 8
while i <= #ARGV do
  local e = ent(ARGV, i)
  i = i + G
  if e.flag > 0 and member ~= '' then redis.call('ZREM', e.b .. ':ss', member) end
  -- A cold namespace is rebuilt from the ledger, which carries this cost.
  if cost ~= 0 and fetch(e) then
    advance(e, now)
    local set = { 't', e.t_ + cost }
    if b >= now - HORIZON then
      local ev, evc = e.ns .. ':ev', e.ns .. ':evc'
      if redis.call('ZADD', ev, b, bucket) == 1 then
        -- A new bucket (at most one per 10 s): drop those past the horizon, keep the sets
        -- alive as long as their namespace.
        local old = redis.call('ZRANGEBYSCORE', ev, '-inf', '(' .. (now - HORIZON))
        for j = 1, #old, 500 do
          local chunk = {}
          for k = j, math.min(j + 499, #old) do chunk[#chunk + 1] = old[k] end
          redis.call('HDEL', evc, unpack(chunk))
          redis.call('ZREM', ev, unpack(chunk))
        end
        redis.call('PEXPIRE', ev, NSTTL)
        redis.call('PEXPIRE', evc, NSTTL)
      end
      redis.call('HINCRBY', evc, bucket, cost)
      if b >= e.c24_ then e.s24_ = e.s24_ + cost end
      if b >= e.c5_ then e.s5_ = e.s5_ + cost end
    end
    set[#set + 1] = 's5'
    set[#set + 1] = e.s5_
    set[#set + 1] = 'c5'
    set[#set + 1] = e.c5_
    set[#set + 1] = 's24'
    set[#set + 1] = e.s24_
    set[#set + 1] = 'c24'
    set[#set + 1] = e.c24_
    -- Fixed periods: the first charge of a new period starts it; a late charge for a period
    -- already over is left out.
    for _, f in ipairs({ { 'ds', 'dv', e.ds }, { 'ws', 'wv', e.ws }, { 'ms', 'mv', e.ms } }) do
      local cur = e[f[1] .. '_']
      if f[3] == cur then
        set[#set + 1], set[#set + 2] = f[2], e[f[2] .. '_'] + cost
      elseif f[3] > cur then
        set[#set + 1], set[#set + 2], set[#set + 3], set[#set + 4] = f[1], f[3], f[2], cost
      end
    end
    if cost > 0 then
      if e.f5_ == 0 or at >= e.f5_ + FIVEH then
        set[#set + 1], set[#set + 2], set[#set + 3], set[#set + 4] = 'f5', at, 'f5s', cost
      else
        set[#set + 1], set[#set + 2] = 'f5s', e.f5s_ + cost
      end
    end
    redis.call('HSET', e.ns, unpack(set))
  end
end
return 1
