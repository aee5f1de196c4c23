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
local k, u, p
if hasKU then
  k, u = ent(ARGV, i), ent(ARGV, i + G)
  i = i + 2 * G
end
if hasP then p = ent(ARGV, i) end

local cold = {}
if hasKU then
  if not warm(k) then cold[#cold + 1] = 1 end
  if not warm(u) then cold[#cold + 1] = 2 end
end
if hasP and not warm(p) then cold[#cold + 1] = 3 end
if #cold > 0 then return { 'cold', unpack(cold) } end

purgeHolds(P, now)

local function spend(e, idx, w)
  local limit = limitOf(e, w)
  if limit <= 0 then return nil end
  local v, reset = used(e, w, now)
  local h = held(e)
  if v + h < limit then return nil end
  return { 'rej', LIMIT_TYPE[w], idx, v, limit, h, reset }
end

local function sessions(e, idx, limit)
  if limit <= 0 then return nil end
  local ss = e.b .. ':ss'
  redis.call('ZREMRANGEBYSCORE', ss, '-inf', now - ttl)
  if redis.call('ZSCORE', ss, member) then return nil end
  local c = redis.call('ZCARD', ss)
  if c < limit then return nil end
  return { 'rej', 'concurrent_sessions', idx, c, limit, 0, 0 }
end

local function rpm(e)
  if rpmLimit <= 0 then return nil end
  local key = e.b .. ':rpm'
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - 60000)
  local c = redis.call('ZCARD', key)
  if c < rpmLimit then return nil end
  local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return { 'rej', 'rpm', 2, c, rpmLimit, 0, n(first[2]) + 60000 }
end

if hasKU then
  advance(k, now)
  advance(u, now)
  local r = spend(k, 1, 5) or spend(u, 2, 5) or sessions(k, 1, k.ls) or sessions(u, 2, u.ls) or rpm(u)
      or spend(k, 1, 1) or spend(u, 2, 1) or spend(k, 1, 2) or spend(u, 2, 2)
      or spend(k, 1, 3) or spend(u, 2, 3) or spend(k, 1, 4) or spend(u, 2, 4)
  if r then return r end
end
if hasP then
  advance(p, now)
  local r = spend(p, 3, 5) or spend(p, 3, 1) or spend(p, 3, 2) or spend(p, 3, 3) or spend(p, 3, 4)
      or sessions(p, 3, p.ls)
  if r then return r end
end

local hd = P .. ':hd:' .. rid
local function reserve(e)
  if e.flag > 0 and redis.call('HSETNX', hd, e.b, e.flag) == 1 then
    redis.call('INCRBY', e.b .. ':held', e.flag)
    redis.call('ZADD', P .. ':holds', holdExp, rid)
  end
end
local function touch(e)
  local ss = e.b .. ':ss'
  local seen = redis.call('ZSCORE', ss, member)
  redis.call('ZADD', ss, now, member)
  redis.call('PEXPIRE', ss, ttl * 2)
  return (not seen or n(seen) <= now - ttl) and 1 or 0
end

local fresh = 0
if hasKU then
  local key = u.b .. ':rpm'
  redis.call('ZADD', key, now, rid)
  redis.call('PEXPIRE', key, 61000)
  touch(k)
  touch(u)
  reserve(k)
  reserve(u)
end
if hasP then
  fresh = touch(p)
  reserve(p)
  if prev ~= '' then
    local amount = redis.call('HGET', hd, prev)
    if amount then
      decrHeld(prev, n(amount))
      redis.call('HDEL', hd, prev)
    end
    if prevNew then redis.call('ZREM', prev .. ':ss', member) end
  end
end
return { 'ok', fresh }
