-- Shared by every cchub quota script. All keys of one installation share the hash tag in
-- their prefix (P = "{cchub…}:q"), so each script touches a single Redis Cluster slot.
--
-- An entity (key, user or provider) is passed as a group of G arguments:
--   base, sig, limit_5h, fixed_5h, limit_daily, daily_rolling, limit_weekly, limit_monthly,
--   limit_total, session_limit, day_start, day_reset, week_start, week_reset, month_start,
--   month_reset, flag
-- base is "P:k:12". sig names the namespace of its windows (cost-reset instant, daily reset
-- time, time zone): changing any of them starts a new namespace, rebuilt from the ledger.
-- Window starts are Unix ms computed by the hub (time zones and DST stay in Go). flag is the
-- reservation to hold (acquire) or 1 to release the request's own session slot (settle).
--
-- A namespace is one hash, NS = base:sig, which exists only once LOAD rebuilt it from the
-- ledger (its existence is what "warm" means):
--   s5 s24    rolling 5 h / 24 h sums     c5 c24   their cursors: buckets before them are out
--   ds dv     fixed day start and spend   ws wv, ms mv   week, month
--   t         total since the cost reset  f5 f5s   open fixed 5 h window start and spend
-- plus NS:ev (zset of 10 s bucket starts) and NS:evc (bucket → cost) for the rolling sums.
-- base:held is the budget reserved by requests in flight, base:ss the session zset,
-- base:rpm the user's request zset.
local G = 17
local FIVEH = 18000000
local DAY = 86400000
local HORIZON = 93600000 -- buckets are kept 26 h: a fixed day lasts up to 25 h
local BUCKET = 10000
local NSTTL = 35 * DAY   -- a namespace is rebuilt from the ledger at least this often

local function n(x) return tonumber(x) or 0 end

local tonumber = tonumber

local function ent(a, i)
  return {
    b = a[i], ns = a[i] .. ':' .. a[i + 1],
    l5 = tonumber(a[i + 2]), fixed5 = a[i + 3] == '1', ld = tonumber(a[i + 4]), droll = a[i + 5] == '1',
    lw = tonumber(a[i + 6]), lm = tonumber(a[i + 7]), lt = tonumber(a[i + 8]), ls = tonumber(a[i + 9]),
    ds = tonumber(a[i + 10]), dr = tonumber(a[i + 11]), ws = tonumber(a[i + 12]), wr = tonumber(a[i + 13]),
    ms = tonumber(a[i + 14]), mr = tonumber(a[i + 15]), flag = tonumber(a[i + 16]),
    -- filled by fetch
    c5_ = 0, c24_ = 0, s5_ = 0, s24_ = 0, ds_ = 0, dv_ = 0, ws_ = 0, wv_ = 0, ms_ = 0, mv_ = 0, t_ = 0, f5_ = 0, f5s_ = 0,
    held = false,
  }
end

-- fetch reads the namespace into e and reports whether it is warm.
local function fetch(e)
  local v = redis.call('HMGET', e.ns, 'c5', 'c24', 's5', 's24', 'ds', 'dv', 'ws', 'wv', 'ms', 'mv', 't', 'f5', 'f5s')
  if not v[1] then return false end
  e.c5_, e.c24_, e.s5_, e.s24_ = tonumber(v[1]), tonumber(v[2]), tonumber(v[3]), tonumber(v[4])
  e.ds_, e.dv_, e.ws_, e.wv_, e.ms_, e.mv_ = tonumber(v[5]), tonumber(v[6]), tonumber(v[7]), tonumber(v[8]), tonumber(v[9]), tonumber(v[10])
  e.t_, e.f5_, e.f5s_ = tonumber(v[11]), tonumber(v[12]), tonumber(v[13])
  return true
end

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

-- slide subtracts the buckets in [from, to) from a rolling sum. Buckets start on multiples of
-- BUCKET, so most calls see none in the range and cost nothing.
local function slide(e, from, to)
  if math.ceil(from / BUCKET) * BUCKET >= to then return 0 end
  local gone = redis.call('ZRANGEBYSCORE', e.ns .. ':ev', from, '(' .. to)
  if #gone == 0 then return 0 end
  return bucketsCost(e.ns .. ':evc', gone)
end

-- advance slides the rolling sums to now (after fetch). Every bucket is subtracted once per
-- window, when the window's start passes it: amortised O(1). It reports whether e changed.
local function advance(e, now)
  local dirty = false
  local n5, n24 = now - FIVEH, now - DAY
  if n5 > e.c5_ then
    local c = slide(e, e.c5_, n5)
    if c ~= 0 then e.s5_, e.c5_, dirty = e.s5_ - c, n5, true end
  end
  if n24 > e.c24_ then
    local c = slide(e, e.c24_, n24)
    if c ~= 0 then e.s24_, e.c24_, dirty = e.s24_ - c, n24, true end
  end
  return dirty
end

-- used is the spend in window w (1 5h, 2 daily, 3 weekly, 4 monthly, 5 total) of a fetched
-- entity, and its reset (0 = none known, -1 = total). A fixed period the namespace has no
-- spend for yet (a new day) holds 0.
local function used(e, w, now)
  if w == 1 then
    if e.fixed5 then
      if e.f5_ > 0 and now < e.f5_ + FIVEH then return e.f5s_, e.f5_ + FIVEH end
      return 0, 0
    end
    return e.s5_, 0
  elseif w == 2 then
    if e.droll then return e.s24_, 0 end
    if e.ds_ == e.ds then return e.dv_, e.dr end
    return 0, e.dr
  elseif w == 3 then
    if e.ws_ == e.ws then return e.wv_, e.wr end
    return 0, e.wr
  elseif w == 4 then
    if e.ms_ == e.ms then return e.mv_, e.mr end
    return 0, e.mr
  end
  return e.t_, -1
end

local LIMIT_TYPE = { 'usd_5h', 'daily_quota', 'usd_weekly', 'usd_monthly', 'usd_total' }

local function limitOf(e, w)
  if w == 1 then return e.l5 elseif w == 2 then return e.ld elseif w == 3 then return e.lw
  elseif w == 4 then return e.lm end
  return e.lt
end

-- held is the budget reserved by the entity's requests in flight.
local function held(e)
  if not e.held then e.held = n(redis.call('GET', e.b .. ':held')) end
  return e.held
end

local function decrHeld(base, amount)
  if redis.call('DECRBY', base .. ':held', amount) <= 0 then redis.call('DEL', base .. ':held') end
end

-- release frees every reservation of request rid (its hd hash lists base → amount).
local function release(P, rid)
  local hd = P .. ':hd:' .. rid
  local h = redis.call('HGETALL', hd)
  if #h == 0 then return end
  for i = 1, #h, 2 do decrHeld(h[i], n(h[i + 1])) end
  redis.call('DEL', hd)
  redis.call('ZREM', P .. ':holds', rid)
end

-- purgeHolds frees the reservations of requests that never settled (a crashed instance).
local function purgeHolds(P, now)
  local ids = redis.call('ZRANGEBYSCORE', P .. ':holds', '-inf', now, 'LIMIT', 0, 20)
  for _, id in ipairs(ids) do release(P, id) end
end
