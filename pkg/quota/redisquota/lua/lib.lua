-- Shared by every cchub quota script. All keys of one installation share the hash tag in
-- their prefix (P = "{cchub…}:q"), so each script touches a single Redis Cluster slot.
--
-- An entity (key, user or provider) is passed as a group of G arguments:
--   base, sig, limit_5h, fixed_5h, limit_daily, daily_rolling, limit_weekly, limit_monthly,
--   limit_total, session_limit, day_start, day_reset, week_start, week_reset, month_start,
--   month_reset, flag
-- base is "P:k:12"; sig names the namespace of its windows (cost-reset instant, daily reset
-- time, time zone): changing any of them starts a namespace that is rebuilt from the ledger.
-- Window starts are Unix ms computed by the hub (time zones and DST stay in Go). flag is the
-- reservation to hold (acquire) or 1 to release the request's session slot (settle).
local G = 17
local FIVEH = 18000000
local DAY = 86400000
local HORIZON = 93600000 -- buckets are kept 26 h: a fixed day lasts up to 25 h
local KEEP = 3600000     -- fixed-window counters outlive their window by an hour

local function n(x) return tonumber(x) or 0 end

local function ent(a, i)
  return {
    b = a[i], sig = a[i + 1], ns = a[i] .. ':' .. a[i + 1] .. ':',
    l5 = n(a[i + 2]), fixed5 = a[i + 3] == '1', ld = n(a[i + 4]), droll = a[i + 5] == '1',
    lw = n(a[i + 6]), lm = n(a[i + 7]), lt = n(a[i + 8]), ls = n(a[i + 9]),
    ds = a[i + 10], dr = n(a[i + 11]), ws = a[i + 12], wr = n(a[i + 13]), ms = a[i + 14], mr = n(a[i + 15]),
    flag = n(a[i + 16]),
  }
end

-- warm: the entity's namespace was rebuilt from the ledger and kept up since.
local function warm(e) return redis.call('GET', e.b .. ':ok') == e.sig end

-- bucketsCost sums the cost of bucket members (HMGET in chunks: Lua's unpack is bounded).
local function bucketsCost(evc, members)
  local t = 0
  for i = 1, #members, 500 do
    local chunk = {}
    for j = i, math.min(i + 499, #members) do chunk[#chunk + 1] = members[j] end
    local v = redis.call('HMGET', evc, unpack(chunk))
    for j = 1, #v do t = t + n(v[j]) end
  end
  return t
end

-- advance slides the rolling 5 h and 24 h sums to now: every bucket is subtracted once per
-- window, when the window's start passes it, so the cost is amortised O(1) per bucket.
local function advance(e, now)
  local rs, ev, evc = e.ns .. 'rs', e.ns .. 'ev', e.ns .. 'evc'
  local v = redis.call('HMGET', rs, 's5', 's24', 'c5', 'c24')
  local s5, s24, c5, c24 = n(v[1]), n(v[2]), n(v[3]), n(v[4])
  local n5, n24, nh = now - FIVEH, now - DAY, now - HORIZON
  local dirty = false
  if n5 > c5 then
    local gone = redis.call('ZRANGEBYSCORE', ev, c5, '(' .. n5)
    if #gone > 0 then s5 = s5 - bucketsCost(evc, gone) end
    c5, dirty = n5, true
  end
  if n24 > c24 then
    local gone = redis.call('ZRANGEBYSCORE', ev, c24, '(' .. n24)
    if #gone > 0 then s24 = s24 - bucketsCost(evc, gone) end
    c24, dirty = n24, true
  end
  local old = redis.call('ZRANGEBYSCORE', ev, '-inf', '(' .. nh)
  if #old > 0 then
    for i = 1, #old, 500 do
      local chunk = {}
      for j = i, math.min(i + 499, #old) do chunk[#chunk + 1] = old[j] end
      redis.call('HDEL', evc, unpack(chunk))
    end
    redis.call('ZREMRANGEBYSCORE', ev, '-inf', '(' .. nh)
  end
  if dirty then redis.call('HSET', rs, 's5', s5, 's24', s24, 'c5', c5, 'c24', c24) end
  e.s5, e.s24, e.c5, e.c24 = s5, s24, c5, c24
end

-- used is the spend in window w (1 5h, 2 daily, 3 weekly, 4 monthly, 5 total) and its reset
-- (0 = none known, -1 = total).
local function used(e, w, now)
  if w == 1 then
    if e.fixed5 then
      local v = redis.call('HMGET', e.ns .. 'f5', 'st', 's')
      local st = n(v[1])
      if st > 0 and now < st + FIVEH then return n(v[2]), st + FIVEH end
      return 0, 0
    end
    return e.s5, 0
  elseif w == 2 then
    if e.droll then return e.s24, 0 end
    return n(redis.call('GET', e.ns .. 'd:' .. e.ds)), e.dr
  elseif w == 3 then
    return n(redis.call('GET', e.ns .. 'w:' .. e.ws)), e.wr
  elseif w == 4 then
    return n(redis.call('GET', e.ns .. 'm:' .. e.ms)), e.mr
  end
  return n(redis.call('GET', e.ns .. 't')), -1
end

local LIMIT_TYPE = { 'usd_5h', 'daily_quota', 'usd_weekly', 'usd_monthly', 'usd_total' }

local function limitOf(e, w)
  if w == 1 then return e.l5 elseif w == 2 then return e.ld elseif w == 3 then return e.lw
  elseif w == 4 then return e.lm end
  return e.lt
end

-- held is the budget reserved by the entity's requests in flight.
local function held(e)
  if e.held == nil then e.held = n(redis.call('GET', e.b .. ':held')) end
  return e.held
end

local function decrHeld(base, amount)
  if redis.call('DECRBY', base .. ':held', amount) <= 0 then redis.call('DEL', base .. ':held') end
end

-- purgeHolds frees the reservations of requests that never settled (a crashed instance).
local function purgeHolds(P, now)
  local ids = redis.call('ZRANGEBYSCORE', P .. ':holds', '-inf', now, 'LIMIT', 0, 50)
  for _, id in ipairs(ids) do
    local h = redis.call('HGETALL', P .. ':hd:' .. id)
    for i = 1, #h, 2 do decrHeld(h[i], n(h[i + 1])) end
    redis.call('DEL', P .. ':hd:' .. id)
    redis.call('ZREM', P .. ':holds', id)
  end
end
