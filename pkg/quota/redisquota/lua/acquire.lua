-- ACQUIRE: check a request against its key and user (in the reference's order) and/or a
-- provider, and track it when everything passes — atomically, in one round trip.
-- KEYS[1] = P:holds (routes the call to the installation's slot)
-- ARGV: P, now, request_id, session_member, session_ttl, hold_expires, has_key_user,
--       has_provider, rpm_limit, previous_provider_base, previous_provider_new, groups…
-- Returns {'ok', provider_session_new} | {'cold', index…} | {'rej', type, index, current,
-- limit, reserved, reset}; index 1 key, 2 user, 3 provider.
local P, now, rid, member, ttl, holdExp = ARGV[1], n(ARGV[2]), ARGV[3], ARGV[4], n(ARGV[5]), n(ARGV[6])
local hasKU, hasP, rpmLimit, prev, prevNew = ARGV[7] == '1', ARGV[8] == '1', n(ARGV[9]), ARGV[10], ARGV[11] == '1'
local i = 12
local es = {}
if hasKU then
  es[1], es[2] = ent(ARGV, i), ent(ARGV, i + G)
  i = i + 2 * G
end
if hasP then es[3] = ent(ARGV, i) end

local cold = {}
for idx = 1, 3 do
  local e = es[idx]
  if e and not fetch(e) then cold[#cold + 1] = idx end
end
if #cold > 0 then return { 'cold', unpack(cold) } end

purgeHolds(P, now)
for idx = 1, 3 do
  local e = es[idx]
  if e and advance(e, now) then
    redis.call('HSET', e.ns, 's5', e.s5_, 'c5', e.c5_, 's24', e.s24_, 'c24', e.c24_)
  end
end

local function spend(idx, w)
  local e = es[idx]
  local limit = limitOf(e, w)
  if limit <= 0 then return nil end
  local v, reset = used(e, w, now)
  local h = held(e)
  if v + h < limit then return nil end
  return { 'rej', LIMIT_TYPE[w], idx, v, limit, h, reset }
end

local function sessions(idx)
  local e = es[idx]
  if e.ls <= 0 then return nil end
  local ss = e.b .. ':ss'
  redis.call('ZREMRANGEBYSCORE', ss, '-inf', now - ttl)
  if redis.call('ZSCORE', ss, member) then return nil end
  local c = redis.call('ZCARD', ss)
  if c < e.ls then return nil end
  return { 'rej', 'concurrent_sessions', idx, c, e.ls, 0, 0 }
end

local function rpm()
  if rpmLimit <= 0 then return nil end
  local key = es[2].b .. ':rpm'
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - 60000)
  local c = redis.call('ZCARD', key)
  if c < rpmLimit then return nil end
  local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return { 'rej', 'rpm', 2, c, rpmLimit, 0, n(first[2]) + 60000 }
end

if hasKU then
  local r = spend(1, 5) or spend(2, 5) or sessions(1) or sessions(2) or rpm()
      or spend(1, 1) or spend(2, 1) or spend(1, 2) or spend(2, 2)
      or spend(1, 3) or spend(2, 3) or spend(1, 4) or spend(2, 4)
  if r then return r end
end
if hasP then
  local r = spend(3, 5) or spend(3, 1) or spend(3, 2) or spend(3, 3) or spend(3, 4) or sessions(3)
  if r then return r end
end

-- Track: sessions (ZADD says whether the member is new; expired members were swept by the
-- check when there is a limit), the RPM window, reservations.
local hdArgs = {}
local fresh = 0
for idx = 1, 3 do
  local e = es[idx]
  if e then
    local ss = e.b .. ':ss'
    local added = redis.call('ZADD', ss, now, member)
    redis.call('PEXPIRE', ss, ttl * 2)
    if idx == 3 then fresh = added end
    if e.flag > 0 then
      redis.call('INCRBY', e.b .. ':held', e.flag)
      hdArgs[#hdArgs + 1] = e.b
      hdArgs[#hdArgs + 1] = e.flag
    end
  end
end
if hasKU and rpmLimit > 0 then
  local key = es[2].b .. ':rpm'
  redis.call('ZADD', key, now, rid)
  redis.call('PEXPIRE', key, 61000)
end
local hd = P .. ':hd:' .. rid
if hasP and prev ~= '' then
  local amount = redis.call('HGET', hd, prev)
  if amount then
    decrHeld(prev, n(amount))
    redis.call('HDEL', hd, prev)
  end
  if prevNew then redis.call('ZREM', prev .. ':ss', member) end
end
if #hdArgs > 0 then
  redis.call('HSET', hd, unpack(hdArgs))
  redis.call('ZADD', P .. ':holds', holdExp, rid)
end
return { 'ok', fresh }
