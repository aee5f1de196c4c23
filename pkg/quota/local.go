package quota

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/cchub/cchub/pkg/gateway/catalog"
)

// LocalOptions configures Local.
type LocalOptions struct {
	// Location is TZ, the zone of daily, weekly and monthly windows (default UTC).
	Location *time.Location
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Ledger rebuilds an entity's spend the first time it is seen; nil starts every entity
	// at zero (tests).
	Ledger Ledger
	// SessionTTL is how long a session stays active after its last request (default 5 min).
	SessionTTL time.Duration
	// HoldTTL frees the reservation of a request that never settles (default 30 min).
	HoldTTL time.Duration
	// LoadTimeout bounds one ledger read (default 5 s); LoadRetry is the pause after a
	// failed one, during which the entity runs on what it has (default 5 s).
	LoadTimeout, LoadRetry time.Duration
	Log                    *slog.Logger
}

func (o *LocalOptions) defaults() {
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = 5 * time.Minute
	}
	if o.HoldTTL <= 0 {
		o.HoldTTL = 30 * time.Minute
	}
	if o.LoadTimeout <= 0 {
		o.LoadTimeout = 5 * time.Second
	}
	if o.LoadRetry <= 0 {
		o.LoadRetry = 5 * time.Second
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
}

// Local is the in-process limiter: exact for one hub instance, and the fallback of the Redis
// limiter. Each entity's state is rebuilt from the ledger when it is first used, so a restart
// keeps everyone's spend.
type Local struct {
	o      LocalOptions
	shards [32]localShard
}

type localShard struct {
	mu sync.Mutex
	m  map[Entity]*entity
}

// entity is one user's, key's or provider's state.
type entity struct {
	mu      sync.Mutex
	loaded  bool
	retryAt int64
	spend   spend
	in      inflight
}

var _ Limiter = (*Local)(nil)

// NewLocal returns an in-process limiter.
func NewLocal(o LocalOptions) *Local {
	o.defaults()
	l := &Local{o: o}
	for i := range l.shards {
		l.shards[i].m = make(map[Entity]*entity)
	}
	return l
}

func (l *Local) shard(e Entity) *localShard {
	return &l.shards[(uint(e.ID)*3+uint(e.Kind))%uint(len(l.shards))]
}

// get returns e's state, creating it.
func (l *Local) get(e Entity) *entity {
	s := l.shard(e)
	s.mu.Lock()
	en := s.m[e]
	if en == nil {
		en = &entity{}
		s.m[e] = en
	}
	s.mu.Unlock()
	return en
}

// lookup returns e's state or nil.
func (l *Local) lookup(e Entity) *entity {
	s := l.shard(e)
	s.mu.Lock()
	en := s.m[e]
	s.mu.Unlock()
	return en
}

// Entities lists every entity the limiter holds state for.
func (l *Local) Entities() []Entity {
	var out []Entity
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		for e := range s.m {
			out = append(out, e)
		}
		s.mu.Unlock()
	}
	return out
}

// ensure loads en's spend from the ledger when it has none for lim's CostResetAt. en.mu is
// held; the ledger read happens under it so that concurrent first requests wait for one read.
func (l *Local) ensure(ctx context.Context, e Entity, en *entity, lim *catalog.Limits, now time.Time) {
	cra := unixMilliOrZero(lim.CostResetAt)
	if en.loaded && en.spend.cra == cra {
		return
	}
	ms := now.UnixMilli()
	if l.o.Ledger == nil {
		// No ledger: rebuild what the buckets know for the new reset instant.
		var h History
		for _, p := range en.spend.ev[en.spend.head:] {
			if p.At >= cra {
				h.Points = append(h.Points, p)
				h.Total += p.Cost
			}
		}
		if en.loaded {
			en.spend.reset(Summarize(h, lim, now, l.o.Location), cra)
		} else {
			en.spend.cra = cra
		}
		en.loaded = true
		return
	}
	if ms < en.retryAt {
		return
	}
	from, since := LoadRange(lim, now, l.o.Location)
	lctx, cancel := context.WithTimeout(ctx, l.o.LoadTimeout)
	h, err := l.o.Ledger.History(lctx, e, from, since)
	cancel()
	if err != nil {
		en.retryAt = ms + l.o.LoadRetry.Milliseconds()
		l.o.Log.Warn("quota: reading spend from the usage ledger failed; limits use what this instance has seen",
			"entity", e.Kind.String(), "id", e.ID, "err", err)
		return
	}
	en.spend.reset(Summarize(h, lim, now, l.o.Location), cra)
	en.loaded = true
}

// prepare loads en if needed and slides its windows to now. en.mu is held.
func (l *Local) prepare(ctx context.Context, e Entity, en *entity, lim *catalog.Limits, now time.Time) {
	l.ensure(ctx, e, en, lim, now)
	ms := now.UnixMilli()
	en.spend.advance(ms)
	en.in.expire(ms)
}

// Acquire implements Limiter.
func (l *Local) Acquire(ctx context.Context, t *Ticket, p *catalog.Provider) *Rejection {
	st := t.State()
	if st.Admitted && (p == nil || p == st.Provider) {
		return nil
	}
	prev, prevNew, prevRemote := st.Provider, st.ProviderNew, st.ProviderRemote
	r := l.acquire(ctx, t, p)
	if r == nil && p != nil && prev != nil && !prevRemote {
		// The request moved to p: the previous provider no longer carries it. This runs after
		// p's lock is released, so two requests moving in opposite directions cannot deadlock.
		l.release(Entity{KindProvider, prev.ID}, t.RequestID, t.SessionMember(), prevNew)
	}
	return r
}

func (l *Local) acquire(ctx context.Context, t *Ticket, p *catalog.Provider) *Rejection {
	st := t.State()
	now := l.o.Now()
	ms := now.UnixMilli()
	admit := !st.Admitted
	var ek, eu, ep *entity
	// Lock in kind order (key, user, provider): every path takes them in this order.
	if admit {
		ek, eu = l.get(Entity{KindKey, t.Key.ID}), l.get(Entity{KindUser, t.User.ID})
		ek.mu.Lock()
		defer ek.mu.Unlock()
		l.prepare(ctx, Entity{KindKey, t.Key.ID}, ek, &t.Key.Limits, now)
		eu.mu.Lock()
		defer eu.mu.Unlock()
		l.prepare(ctx, Entity{KindUser, t.User.ID}, eu, &t.User.Limits, now)
	}
	if p != nil {
		ep = l.get(Entity{KindProvider, p.ID})
		ep.mu.Lock()
		defer ep.mu.Unlock()
		l.prepare(ctx, Entity{KindProvider, p.ID}, ep, &p.Limits, now)
	}
	member := t.SessionMember()
	if admit {
		if r := l.checkKeyUser(t, ek, eu, member, ms); r != nil {
			return r
		}
	}
	if ep != nil {
		if r := l.checkProvider(p, ep, member, ms); r != nil {
			r.Provider = true
			return r
		}
	}
	ttl := l.o.SessionTTL.Milliseconds()
	exp := ms + l.o.HoldTTL.Milliseconds()
	if admit {
		eu.in.addRequest(ms)
		ek.in.touchSession(member, ms, ttl)
		eu.in.touchSession(member, ms, ttl)
		ek.in.reserve(t.RequestID, t.Hold, exp)
		eu.in.reserve(t.RequestID, t.Hold, exp)
		st.Admitted, st.Start, st.Remote = true, now, false
	}
	if ep != nil {
		fresh := ep.in.touchSession(member, ms, ttl)
		ep.in.reserve(t.RequestID, t.Hold, exp)
		st.Provider, st.ProviderNew, st.ProviderRemote = p, fresh, false
	}
	return nil
}

// release frees a request's reservation and, when it added it, its session on entity e.
func (l *Local) release(e Entity, id, member string, dropSession bool) {
	en := l.lookup(e)
	if en == nil {
		return
	}
	en.mu.Lock()
	en.in.release(id)
	if dropSession {
		en.in.dropSession(member)
	}
	en.mu.Unlock()
}

// checkKeyUser runs the reference's order: key total → user total → key/user sessions → user
// RPM → key 5h → user 5h → key daily → user daily → weekly → monthly (key before user).
func (l *Local) checkKeyUser(t *Ticket, ek, eu *entity, member string, ms int64) *Rejection {
	k, u := t.Key, t.User
	if r := l.checkSpend(ek, KindKey, k.ID, &k.Limits, WindowTotal, ms); r != nil {
		return r
	}
	if r := l.checkSpend(eu, KindUser, u.ID, &u.Limits, WindowTotal, ms); r != nil {
		return r
	}
	if r := l.checkSessions(ek, KindKey, k.ID, EffectiveSessions(k, u), member, ms); r != nil {
		return r
	}
	if r := l.checkSessions(eu, KindUser, u.ID, u.Limits.ConcurrentSessions, member, ms); r != nil {
		return r
	}
	if u.RPMLimit > 0 {
		if n, reset := eu.in.rpmCount(ms); n >= u.RPMLimit {
			return &Rejection{Type: LimitRPM, Scope: KindUser, ID: u.ID, Current: int64(n), Limit: int64(u.RPMLimit),
				Reset: time.UnixMilli(reset)}
		}
	}
	for _, w := range [...]Window{Window5h, WindowDaily, WindowWeekly, WindowMonthly} {
		if r := l.checkSpend(ek, KindKey, k.ID, &k.Limits, w, ms); r != nil {
			return r
		}
		if r := l.checkSpend(eu, KindUser, u.ID, &u.Limits, w, ms); r != nil {
			return r
		}
	}
	return nil
}

// checkProvider checks every spend window, then the concurrent sessions.
func (l *Local) checkProvider(p *catalog.Provider, ep *entity, member string, ms int64) *Rejection {
	for _, w := range [...]Window{WindowTotal, Window5h, WindowDaily, WindowWeekly, WindowMonthly} {
		if r := l.checkSpend(ep, KindProvider, p.ID, &p.Limits, w, ms); r != nil {
			return r
		}
	}
	return l.checkSessions(ep, KindProvider, p.ID, p.Limits.ConcurrentSessions, member, ms)
}

// checkSpend refuses when spend plus the reservations of requests in flight reaches the limit.
func (l *Local) checkSpend(en *entity, kind Kind, id int, lim *catalog.Limits, w Window, ms int64) *Rejection {
	limit := w.Limit(lim)
	if limit <= 0 {
		return nil
	}
	used, sp := en.spend.used(w, lim, ms, l.o.Location)
	if used+en.in.held < limit {
		return nil
	}
	r := &Rejection{Type: w.LimitType(), Scope: kind, ID: id, Current: used, Limit: limit, Reserved: en.in.held, Reset: sp.Reset}
	if w == WindowTotal {
		r.Reset = TotalReset
	}
	return r
}

// checkSessions refuses a new session when limit sessions are active; a session already
// active may always continue.
func (l *Local) checkSessions(en *entity, kind Kind, id, limit int, member string, ms int64) *Rejection {
	ttl := l.o.SessionTTL.Milliseconds()
	if limit <= 0 || en.in.hasSession(member, ms, ttl) {
		return nil
	}
	if en.in.activeSessions(ms, ttl, false) < limit {
		return nil
	}
	n := en.in.activeSessions(ms, ttl, true)
	if n < limit {
		return nil
	}
	return &Rejection{Type: LimitSessions, Scope: kind, ID: id, Current: int64(n), Limit: int64(limit)}
}

// ProviderAvailable implements Limiter from the provider's current state; a provider not seen
// yet is available (Acquire loads and checks it).
func (l *Local) ProviderAvailable(p *catalog.Provider, sid string) (bool, string) {
	if !hasLimits(&p.Limits) {
		return true, ""
	}
	en := l.lookup(Entity{KindProvider, p.ID})
	if en == nil {
		return true, ""
	}
	ms := l.o.Now().UnixMilli()
	en.mu.Lock()
	defer en.mu.Unlock()
	if !en.loaded {
		return true, ""
	}
	en.spend.advance(ms)
	en.in.expire(ms)
	member := sid
	if member == "" {
		member = "\x00" // a session-less request is always a new session
	}
	if r := l.checkProvider(p, en, member, ms); r != nil {
		return false, r.Reason()
	}
	return true, ""
}

func hasLimits(l *catalog.Limits) bool {
	return l.Limit5h > 0 || l.LimitDaily > 0 || l.LimitWeekly > 0 || l.LimitMonthly > 0 || l.LimitTotal > 0 ||
		l.ConcurrentSessions > 0
}

// Settle implements Limiter.
func (l *Local) Settle(t *Ticket, cost int64) {
	if !t.Admitted() || !t.ClaimSettle() {
		return
	}
	l.SettleParts(t, cost, true, true)
}

// SettleParts books cost for t's key and user (keyUser) and provider (provider), releasing
// what this limiter tracked for them (parts the shared backend tracked are only charged). It
// does not check for a repeated settlement: the caller has claimed it (the Redis limiter
// settles here while Redis is unreachable).
func (l *Local) SettleParts(t *Ticket, cost int64, keyUser, provider bool) {
	st := t.State()
	if keyUser && st.Admitted {
		l.settle(Entity{KindKey, t.Key.ID}, &t.Key.Limits, t, cost, !st.Remote)
		l.settle(Entity{KindUser, t.User.ID}, &t.User.Limits, t, cost, !st.Remote)
	}
	if provider && st.Provider != nil {
		l.settle(Entity{KindProvider, st.Provider.ID}, &st.Provider.Limits, t, cost, !st.ProviderRemote)
	}
}

func (l *Local) settle(e Entity, lim *catalog.Limits, t *Ticket, cost int64, release bool) {
	en := l.get(e)
	now := l.o.Now()
	en.mu.Lock()
	defer en.mu.Unlock()
	if cost != 0 {
		// A ticket admitted by Redis before an outage lands here with an entity this limiter
		// has not loaded yet; load it first so the charge adds to the ledger's history.
		l.ensure(context.Background(), e, en, lim, now)
	}
	ms := now.UnixMilli()
	en.spend.advance(ms)
	if release {
		en.in.release(t.RequestID)
		if t.SessionID == "" {
			en.in.dropSession(t.SessionMember())
		}
	}
	en.spend.add(t.Start().UnixMilli(), cost, ms, lim, l.o.Location)
}

// Usage implements Limiter.
func (l *Local) Usage(ctx context.Context, e Entity, lim *catalog.Limits, rpmLimit int) (EntityUsage, error) {
	en := l.get(e)
	now := l.o.Now()
	ms := now.UnixMilli()
	en.mu.Lock()
	defer en.mu.Unlock()
	l.prepare(ctx, e, en, lim, now)
	u := EntityUsage{Reserved: en.in.held, SessionLimit: lim.ConcurrentSessions, RPMLimit: rpmLimit}
	for _, w := range Windows {
		used, sp := en.spend.used(w, lim, ms, l.o.Location)
		u.Windows[w] = windowUsage(w, lim, used, sp)
	}
	u.Sessions = en.in.activeSessions(ms, l.o.SessionTTL.Milliseconds(), true)
	u.RPM, _ = en.in.rpmCount(ms)
	return u, nil
}

// Release frees what this limiter tracks for request t on provider p (its reservation, and
// its session when the request added it); the Redis limiter calls it when a request tracked
// here moves to a provider tracked there.
func (l *Local) Release(t *Ticket, p *catalog.Provider, sessionAdded bool) {
	l.release(Entity{KindProvider, p.ID}, t.RequestID, t.SessionMember(), sessionAdded)
}
