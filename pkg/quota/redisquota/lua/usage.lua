-- USAGE: an entity's windows, reservations, sessions and RPM for the admin API.
-- KEYS[1] = P:holds
-- ARGV: now, session_ttl, group
-- Returns {'cold'} or {'ok', 5h, 5h_reset, daily, weekly, monthly, total, held, sessions, rpm}.
local now, ttl = n(ARGV[1]), n(ARGV[2])
local e = ent(ARGV, 3)
if not fetch(e) then return { 'cold' } end
if advance(e, now) then
  redis.call('HSET', e.ns, 's5', e.s5_, 'c5', e.c5_, 's24', e.s24_, 'c24', e.c24_)
end
local v5, r5 = used(e, 1, now)
local vd = used(e, 2, now)
local vw = used(e, 3, now)
local vm = used(e, 4, now)
local vt = used(e, 5, now)
local sessions = redis.call('ZCOUNT', e.b .. ':ss', '(' .. (now - ttl), '+inf')
local rpm = redis.call('ZCOUNT', e.b .. ':rpm', '(' .. (now - 60000), '+inf')
return { 'ok', v5, r5, vd, vw, vm, vt, held(e), sessions, rpm }
