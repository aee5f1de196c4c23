package quotatest

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cchub/cchub/pkg/gateway/catalog"
	"github.com/cchub/cchub/pkg/quota"
)

// Options are what the suite hands a backend factory.
type Options struct {
	Clock      *Clock
	Ledger     *Ledger
	Location   *time.Location
	SessionTTL time.Duration
}

// Env is one backend under test.
type Env struct {
	Limiter quota.Limiter
	// Flush makes every settlement so far visible (a backend may settle asynchronously).
	Flush func()
	// Restart returns a fresh limiter of the same backend that kept nothing but the ledger:
	// a process restart, or a flushed Redis.
	Restart func() quota.Limiter
}

// Factory builds a backend for one test.
type Factory func(t *testing.T, o Options) *Env

// Start is the suite's clock start: Wednesday 2026-05-06 13:00 UTC.
var Start = time.Date(2026, 5, 6, 13, 0, 0, 0, time.UTC)

// USD is one dollar in nano-USD.
const USD = int64(1_000_000_000)

// Run runs the suite against a backend.
func Run(t *testing.T, f Factory) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, x *fixture)
	}{
		{"SpendWindow402", testSpendWindow},
		{"CheckOrder", testCheckOrder},
		{"RPM", testRPM},
		{"ConcurrentSessions", testSessions},
		{"SessionlessRequestIsASessionWhileInFlight", testSessionless},
		{"ReservationsBoundConcurrentSpend", testReservations},
		{"Fixed5hOpensAtFirstCharge", testFixed5h},
		{"Rolling5hSlides", testRolling5h},
		{"FixedWindowsReset", testFixedResets},
		{"DailyRolling", testDailyRolling},
		{"CostResetAt", testCostReset},
		{"ProviderLimits", testProvider},
		{"ProviderSessionsMoveWithTheRequest", testProviderMove},
		{"SettleIsIdempotent", testIdempotent},
		{"RestartKeepsSpend", testRestart},
		{"Usage", testUsage},
		{"ConcurrentAdmissions", testConcurrent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := Options{Clock: NewClock(Start), Ledger: &Ledger{}, Location: time.UTC, SessionTTL: 5 * time.Minute}
			env := f(t, o)
			x := &fixture{t: t, env: env, o: o, lim: env.Limiter,
				user: &catalog.User{ID: 1, Name: "u", Enabled: true},
				key:  &catalog.Key{ID: 10, UserID: 1, Name: "k", Enabled: true},
			}
			tc.fn(t, x)
		})
	}
}

type fixture struct {
	t    *testing.T
	env  *Env
	o    Options
	lim  quota.Limiter
	user *catalog.User
	key  *catalog.Key
	seq  atomic.Int64
}

func (x *fixture) ticket(sid string, hold int64) *quota.Ticket {
	return &quota.Ticket{RequestID: "req-" + strconv.FormatInt(x.seq.Add(1), 10), Key: x.key, User: x.user, SessionID: sid, Hold: hold}
}

// admit acquires a fresh ticket (no provider) and fails the test on an unexpected outcome.
func (x *fixture) admit(sid string, hold int64) *quota.Ticket {
	x.t.Helper()
	tk := x.ticket(sid, hold)
	if r := x.lim.Acquire(context.Background(), tk, nil); r != nil {
		x.t.Fatalf("request refused: %+v", r)
	}
	return tk
}

// refused acquires a fresh ticket and expects a rejection of type typ.
func (x *fixture) refused(typ string, sid string, hold int64) *quota.Rejection {
	x.t.Helper()
	tk := x.ticket(sid, hold)
	r := x.lim.Acquire(context.Background(), tk, nil)
	if r == nil {
		x.t.Fatalf("request admitted, want a %s rejection", typ)
	}
	if r.Type != typ {
		x.t.Fatalf("rejected by %s (%+v), want %s", r.Type, r, typ)
	}
	return r
}

// charge settles tk with cost and books it in the ledger as the billing writer would.
func (x *fixture) charge(tk *quota.Ticket, cost int64) {
	es := []quota.Entity{{Kind: quota.KindKey, ID: tk.Key.ID}, {Kind: quota.KindUser, ID: tk.User.ID}}
	if p := tk.Provider(); p != nil {
		es = append(es, quota.Entity{Kind: quota.KindProvider, ID: p.ID})
	}
	x.lim.Settle(tk, cost)
	x.o.Ledger.Add(tk.Start(), cost, es...)
	x.env.Flush()
}

// spend admits a request and charges cost.
func (x *fixture) spend(cost int64) {
	x.t.Helper()
	x.charge(x.admit("", 0), cost)
}

func (x *fixture) usage(e quota.Entity, l *catalog.Limits) quota.EntityUsage {
	x.t.Helper()
	u, err := x.lim.Usage(context.Background(), e, l, x.user.RPMLimit)
	if err != nil {
		x.t.Fatal(err)
	}
	return u
}

func (x *fixture) keyEntity() quota.Entity  { return quota.Entity{Kind: quota.KindKey, ID: x.key.ID} }
func (x *fixture) userEntity() quota.Entity { return quota.Entity{Kind: quota.KindUser, ID: x.user.ID} }

func testSpendWindow(t *testing.T, x *fixture) {
	x.key.Limits.LimitDaily = 1 * USD
	for range 4 {
		x.spend(USD * 3 / 10)
	}
	r := x.refused(quota.LimitDaily, "", 0)
	if r.Scope != quota.KindKey || r.Current != 12*USD/10 || r.Limit != USD || r.Status() != 402 || r.Provider {
		t.Fatalf("rejection %+v status %d", r, r.Status())
	}
	if want := time.Date(2026, 5, 7, 0, 0, 0, 0, time.UTC); !r.Reset.Equal(want) {
		t.Fatalf("reset %v, want %v", r.Reset, want)
	}
}

func testCheckOrder(t *testing.T, x *fixture) {
	// Exhaust several limits at once; each step lifts the one reported and expects the next
	// in the reference's order.
	x.user.RPMLimit = 1
	x.key.Limits = catalog.Limits{LimitTotal: USD, Limit5h: USD, LimitDaily: USD, LimitWeekly: USD, LimitMonthly: USD, ConcurrentSessions: 1}
	x.user.Limits = catalog.Limits{LimitTotal: USD, Limit5h: USD, LimitDaily: USD, LimitWeekly: USD, LimitMonthly: USD, ConcurrentSessions: 1}
	x.charge(x.admit("s1", 0), 2*USD)
	steps := []struct {
		typ   string
		scope quota.Kind
		lift  func()
	}{
		{quota.LimitTotal, quota.KindKey, func() { x.key.Limits.LimitTotal = 0 }},
		{quota.LimitTotal, quota.KindUser, func() { x.user.Limits.LimitTotal = 0 }},
		{quota.LimitSessions, quota.KindKey, func() { x.key.Limits.ConcurrentSessions = 5 }},
		{quota.LimitSessions, quota.KindUser, func() { x.user.Limits.ConcurrentSessions = 0 }},
		{quota.LimitRPM, quota.KindUser, func() { x.user.RPMLimit = 0 }},
		{quota.LimitUSD5h, quota.KindKey, func() { x.key.Limits.Limit5h = 0 }},
		{quota.LimitUSD5h, quota.KindUser, func() { x.user.Limits.Limit5h = 0 }},
		{quota.LimitDaily, quota.KindKey, func() { x.key.Limits.LimitDaily = 0 }},
		{quota.LimitDaily, quota.KindUser, func() { x.user.Limits.LimitDaily = 0 }},
		{quota.LimitWeekly, quota.KindKey, func() { x.key.Limits.LimitWeekly = 0 }},
		{quota.LimitWeekly, quota.KindUser, func() { x.user.Limits.LimitWeekly = 0 }},
		{quota.LimitMonthly, quota.KindKey, func() { x.key.Limits.LimitMonthly = 0 }},
		{quota.LimitMonthly, quota.KindUser, func() { x.user.Limits.LimitMonthly = 0 }},
	}
	for _, s := range steps {
		r := x.refused(s.typ, "s2", 0)
		if r.Scope != s.scope {
			t.Fatalf("%s rejected for %s, want %s", s.typ, r.Scope, s.scope)
		}
		s.lift()
	}
	x.admit("s2", 0)
}

func testRPM(t *testing.T, x *fixture) {
	x.user.RPMLimit = 3
	first := x.o.Clock.Now()
	for range 3 {
		x.admit("", 0)
		x.o.Clock.Advance(time.Second)
	}
	r := x.refused(quota.LimitRPM, "", 0)
	if r.Status() != 429 || r.Current != 3 || r.Limit != 3 || r.Scope != quota.KindUser {
		t.Fatalf("rejection %+v", r)
	}
	if want := first.Add(time.Minute); !r.Reset.Equal(want) {
		t.Fatalf("reset %v, want %v (when the oldest request leaves the window)", r.Reset, want)
	}
	x.o.Clock.Set(first.Add(time.Minute + time.Millisecond))
	x.admit("", 0)
	x.refused(quota.LimitRPM, "", 0)
}

func testSessions(t *testing.T, x *fixture) {
	x.user.Limits.ConcurrentSessions = 2
	x.admit("a", 0)
	x.admit("b", 0)
	r := x.refused(quota.LimitSessions, "c", 0)
	// The key has no limit of its own and inherits the user's: the key is reported first.
	if r.Scope != quota.KindKey || r.Current != 2 || r.Limit != 2 || r.Status() != 429 {
		t.Fatalf("rejection %+v", r)
	}
	x.admit("a", 0) // a known session may always continue
	x.o.Clock.Advance(4 * time.Minute)
	x.admit("a", 0) // keeps a alive; b expires one minute later
	x.o.Clock.Advance(time.Minute + time.Second)
	x.admit("c", 0)
	x.refused(quota.LimitSessions, "d", 0)

	// A key limit of its own overrides the user's.
	x.key.Limits.ConcurrentSessions = 1
	r = x.refused(quota.LimitSessions, "d", 0)
	if r.Scope != quota.KindKey || r.Limit != 1 {
		t.Fatalf("key limit: %+v", r)
	}
}

func testSessionless(t *testing.T, x *fixture) {
	x.user.Limits.ConcurrentSessions = 1
	tk := x.admit("", 0)
	x.refused(quota.LimitSessions, "", 0)
	x.charge(tk, 0)
	x.admit("", 0)
}

func testReservations(t *testing.T, x *fixture) {
	x.key.Limits.LimitDaily = USD
	hold := USD * 4 / 10
	a := x.admit("", hold)
	b := x.admit("", hold)
	x.admit("", hold)
	// 1.2 reserved: nothing spent yet, so this is a retryable 429, not a 402.
	r := x.refused(quota.LimitDaily, "", hold)
	if !r.Held() || r.Status() != 429 || r.Current != 0 || r.Reserved != 3*hold {
		t.Fatalf("rejection %+v", r)
	}
	x.charge(a, USD/10)
	x.charge(b, USD/10)
	// Spent 0.2, reserved 0.4: admitted.
	x.admit("", hold)
	r = x.refused(quota.LimitDaily, "", hold)
	if r.Current != USD/5 || r.Reserved != 2*hold {
		t.Fatalf("after settling: %+v", r)
	}
}

func testFixed5h(t *testing.T, x *fixture) {
	x.key.Limits.Limit5h = USD
	x.key.Limits.Limit5hFixed = true
	x.o.Clock.Advance(-2 * time.Hour)
	opened := x.o.Clock.Now()
	x.spend(USD * 6 / 10)
	x.o.Clock.Advance(2 * time.Hour)
	x.spend(USD * 6 / 10)
	r := x.refused(quota.LimitUSD5h, "", 0)
	if want := opened.Add(5 * time.Hour); !r.Reset.Equal(want) {
		t.Fatalf("reset %v, want %v", r.Reset, want)
	}
	x.o.Clock.Set(opened.Add(5*time.Hour - time.Second))
	x.refused(quota.LimitUSD5h, "", 0)
	x.o.Clock.Set(opened.Add(5 * time.Hour))
	x.spend(USD / 10) // the window closed; this charge opens the next one
	u := x.usage(x.keyEntity(), &x.key.Limits)
	w := u.Windows[quota.Window5h]
	if w.Used != USD/10 || !w.Reset.Equal(opened.Add(10*time.Hour)) || w.Rolling {
		t.Fatalf("next fixed window: %+v", w)
	}
}

func testRolling5h(t *testing.T, x *fixture) {
	x.key.Limits.Limit5h = USD
	x.spend(USD)
	x.refused(quota.LimitUSD5h, "", 0)
	r := x.refused(quota.LimitUSD5h, "", 0)
	if !r.Reset.IsZero() {
		t.Fatalf("a rolling window has no reset: %v", r.Reset)
	}
	x.o.Clock.Advance(5*time.Hour - time.Minute)
	x.refused(quota.LimitUSD5h, "", 0)
	x.o.Clock.Advance(time.Minute + 10*time.Second)
	x.admit("", 0)
}

func testFixedResets(t *testing.T, x *fixture) {
	x.key.Limits = catalog.Limits{LimitDaily: USD, DailyResetTime: "18:00"}
	x.spend(USD) // Wednesday 13:00
	x.refused(quota.LimitDaily, "", 0)
	x.o.Clock.Set(time.Date(2026, 5, 6, 17, 59, 0, 0, time.UTC))
	x.refused(quota.LimitDaily, "", 0)
	x.o.Clock.Set(time.Date(2026, 5, 6, 18, 0, 0, 0, time.UTC))
	x.admit("", 0)

	x.key.Limits = catalog.Limits{LimitWeekly: 2 * USD}
	x.spend(USD) // total this week: 2
	r := x.refused(quota.LimitWeekly, "", 0)
	if want := time.Date(2026, 5, 11, 0, 0, 0, 0, time.UTC); !r.Reset.Equal(want) || r.Current != 2*USD {
		t.Fatalf("weekly: %+v", r)
	}
	x.o.Clock.Set(time.Date(2026, 5, 10, 23, 59, 59, 0, time.UTC)) // Sunday night
	x.refused(quota.LimitWeekly, "", 0)
	x.o.Clock.Set(time.Date(2026, 5, 11, 0, 0, 0, 0, time.UTC)) // Monday
	x.admit("", 0)

	x.key.Limits = catalog.Limits{LimitMonthly: 3 * USD}
	x.spend(USD) // May: 3
	r = x.refused(quota.LimitMonthly, "", 0)
	if want := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC); !r.Reset.Equal(want) {
		t.Fatalf("monthly: %+v", r)
	}
	x.o.Clock.Set(time.Date(2026, 5, 31, 23, 59, 0, 0, time.UTC))
	x.refused(quota.LimitMonthly, "", 0)
	x.o.Clock.Set(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	x.admit("", 0)
}

func testDailyRolling(t *testing.T, x *fixture) {
	x.key.Limits = catalog.Limits{LimitDaily: USD, DailyRolling: true}
	x.spend(USD)
	x.o.Clock.Set(time.Date(2026, 5, 7, 12, 59, 0, 0, time.UTC)) // a fixed day would have reset
	r := x.refused(quota.LimitDaily, "", 0)
	if !r.Reset.IsZero() {
		t.Fatalf("rolling daily has no reset: %+v", r)
	}
	x.o.Clock.Set(time.Date(2026, 5, 7, 13, 0, 10, 0, time.UTC))
	x.admit("", 0)
}

func testCostReset(t *testing.T, x *fixture) {
	x.key.Limits = catalog.Limits{LimitTotal: USD, LimitDaily: USD}
	x.spend(USD)
	x.refused(quota.LimitTotal, "", 0)
	x.o.Clock.Advance(time.Minute)
	key := *x.key
	key.Limits.CostResetAt = x.o.Clock.Now()
	x.key = &key // a new snapshot, as the admin API would publish
	x.o.Clock.Advance(time.Minute)
	x.spend(USD / 2)
	u := x.usage(x.keyEntity(), &x.key.Limits)
	for _, w := range []quota.Window{quota.WindowTotal, quota.WindowDaily, quota.Window5h, quota.WindowMonthly} {
		if got := u.Windows[w].Used; got != USD/2 {
			t.Errorf("%s after the cost reset = %d, want %d", w, got, USD/2)
		}
	}
	x.spend(USD / 2)
	x.refused(quota.LimitTotal, "", 0)
}

func testProvider(t *testing.T, x *fixture) {
	p := &catalog.Provider{ID: 3, Name: "p3", Enabled: true, Limits: catalog.Limits{LimitDaily: USD}}
	tk := x.ticket("", 0)
	if r := x.lim.Acquire(context.Background(), tk, p); r != nil {
		t.Fatal(r)
	}
	x.charge(tk, USD)
	tk = x.ticket("", 0)
	r := x.lim.Acquire(context.Background(), tk, p)
	if r == nil || !r.Provider || r.Type != quota.LimitDaily || r.Scope != quota.KindProvider || r.ID != 3 {
		t.Fatalf("provider over its daily limit: %+v", r)
	}
	if tk.Admitted() {
		// Nothing is tracked on a refusal: the next Acquire checks the key and user again
		// together with the next provider, atomically.
		t.Fatal("a refused request was admitted")
	}
	if ok, reason := x.lim.ProviderAvailable(p, ""); ok || reason != "daily_quota_limit" {
		t.Fatalf("ProviderAvailable after a refusal = %v %q", ok, reason)
	}
	other := &catalog.Provider{ID: 4, Name: "p4", Enabled: true}
	if ok, _ := x.lim.ProviderAvailable(other, ""); !ok {
		t.Fatal("a provider without limits is available")
	}
	if r := x.lim.Acquire(context.Background(), tk, other); r != nil {
		t.Fatalf("failover provider: %+v", r)
	}
	x.charge(tk, USD)
	u := x.usage(quota.Entity{Kind: quota.KindProvider, ID: 4}, &other.Limits)
	if u.Windows[quota.WindowDaily].Used != USD {
		t.Fatalf("provider 4 spend %+v", u.Windows[quota.WindowDaily])
	}
	if u := x.usage(quota.Entity{Kind: quota.KindProvider, ID: 3}, &p.Limits); u.Windows[quota.WindowDaily].Used != USD {
		t.Fatalf("provider 3 spend %+v", u.Windows[quota.WindowDaily])
	}
}

func testProviderMove(t *testing.T, x *fixture) {
	p1 := &catalog.Provider{ID: 5, Name: "p5", Enabled: true, Limits: catalog.Limits{ConcurrentSessions: 1}}
	p2 := &catalog.Provider{ID: 6, Name: "p6", Enabled: true, Limits: catalog.Limits{ConcurrentSessions: 1}}
	a := x.ticket("a", 0)
	if r := x.lim.Acquire(context.Background(), a, p1); r != nil {
		t.Fatal(r)
	}
	b := x.ticket("b", 0)
	r := x.lim.Acquire(context.Background(), b, p1)
	if r == nil || !r.Provider || r.Type != quota.LimitSessions {
		t.Fatalf("second session on p1: %+v", r)
	}
	// a fails over to p2: p1 no longer carries session a, so b fits there.
	if r := x.lim.Acquire(context.Background(), a, p2); r != nil {
		t.Fatal(r)
	}
	if r := x.lim.Acquire(context.Background(), b, p1); r != nil {
		t.Fatalf("p1 after a moved away: %+v", r)
	}
	// The same session continues on p2 at its limit.
	a2 := x.ticket("a", 0)
	if r := x.lim.Acquire(context.Background(), a2, p2); r != nil {
		t.Fatalf("continuing session: %+v", r)
	}
}

func testIdempotent(t *testing.T, x *fixture) {
	tk := x.admit("", 0)
	x.lim.Settle(tk, USD)
	x.lim.Settle(tk, USD)
	x.env.Flush()
	if u := x.usage(x.keyEntity(), &x.key.Limits); u.Windows[quota.WindowTotal].Used != USD {
		t.Fatalf("spend after settling twice = %d, want %d", u.Windows[quota.WindowTotal].Used, USD)
	}
	x.lim.Settle(x.ticket("", 0), USD) // never admitted: ignored
	x.env.Flush()
	if u := x.usage(x.keyEntity(), &x.key.Limits); u.Windows[quota.WindowTotal].Used != USD {
		t.Fatalf("an unadmitted ticket was charged: %d", u.Windows[quota.WindowTotal].Used)
	}
}

func testRestart(t *testing.T, x *fixture) {
	x.key.Limits = catalog.Limits{LimitDaily: 2 * USD, Limit5h: 10 * USD, Limit5hFixed: true}
	x.spend(USD)
	x.o.Clock.Advance(time.Hour)
	x.spend(USD / 2)
	before := x.usage(x.keyEntity(), &x.key.Limits)
	x.lim = x.env.Restart()
	after := x.usage(x.keyEntity(), &x.key.Limits)
	for _, w := range quota.Windows {
		if before.Windows[w].Used != after.Windows[w].Used {
			t.Errorf("%s: %d before the restart, %d after", w, before.Windows[w].Used, after.Windows[w].Used)
		}
	}
	if !after.Windows[quota.Window5h].Reset.Equal(Start.Add(5 * time.Hour)) {
		t.Errorf("fixed 5h window after restart resets at %v, want %v", after.Windows[quota.Window5h].Reset, Start.Add(5*time.Hour))
	}
	x.spend(USD / 2)
	x.refused(quota.LimitDaily, "", 0)
}

func testUsage(t *testing.T, x *fixture) {
	x.user.RPMLimit = 10
	x.user.Limits = catalog.Limits{LimitDaily: 5 * USD, ConcurrentSessions: 3}
	x.charge(x.admit("a", 0), USD)
	x.admit("b", USD/4)
	u := x.usage(x.userEntity(), &x.user.Limits)
	d := u.Windows[quota.WindowDaily]
	if d.Used != USD || d.Limit != 5*USD || d.Rolling || !d.Start.Equal(time.Date(2026, 5, 6, 0, 0, 0, 0, time.UTC)) ||
		!d.Reset.Equal(time.Date(2026, 5, 7, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("daily %+v", d)
	}
	if u.Sessions != 2 || u.SessionLimit != 3 || u.RPM != 2 || u.RPMLimit != 10 || u.Reserved != USD/4 {
		t.Errorf("usage %+v", u)
	}
	if w := u.Windows[quota.Window5h]; !w.Rolling || w.Used != USD || w.Limit != 0 {
		t.Errorf("5h %+v", w)
	}
	// Never seen: zero, read from the ledger.
	other := x.usage(quota.Entity{Kind: quota.KindKey, ID: 999}, &catalog.Limits{})
	if other.Windows[quota.WindowTotal].Used != 0 {
		t.Errorf("unknown key %+v", other)
	}
}

// testConcurrent: 64 requests at once against a key whose budget allows 10 at their reserved
// cost: exactly 10 are admitted, whatever the interleaving.
func testConcurrent(t *testing.T, x *fixture) {
	cost := USD / 10
	x.key.Limits.LimitDaily = USD
	var admitted atomic.Int64
	var wg sync.WaitGroup
	tickets := make(chan *quota.Ticket, 64)
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tk := x.ticket("", cost)
			if r := x.lim.Acquire(context.Background(), tk, nil); r == nil {
				admitted.Add(1)
				tickets <- tk
			} else if r.Type != quota.LimitDaily {
				t.Errorf("unexpected rejection %+v", r)
			}
		}()
	}
	wg.Wait()
	close(tickets)
	if n := admitted.Load(); n != 10 {
		t.Fatalf("admitted %d of 64, want 10", n)
	}
	for tk := range tickets {
		x.charge(tk, cost)
	}
	u := x.usage(x.keyEntity(), &x.key.Limits)
	if u.Windows[quota.WindowDaily].Used != USD || u.Reserved != 0 {
		t.Fatalf("after settling: %+v reserved %d", u.Windows[quota.WindowDaily], u.Reserved)
	}
	x.refused(quota.LimitDaily, "", cost)
}
