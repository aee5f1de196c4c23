package redisquota

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cchub/cchub/pkg/gateway/catalog"
	"github.com/cchub/cchub/pkg/quota"
	"github.com/cchub/cchub/pkg/quota/quotatest"
)

const usd = quotatest.USD

// roundTrips counts the client's round trips: every command and every pipeline is one.
type roundTrips struct{ n atomic.Int64 }

func (h *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmd)
	}
}
func (h *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmds)
	}
}

type fixture struct {
	user *catalog.User
	key  *catalog.Key
	prov *catalog.Provider
	seq  atomic.Int64
}

func newFixture() *fixture {
	return &fixture{
		user: &catalog.User{ID: 1, Enabled: true},
		key:  &catalog.Key{ID: 10, UserID: 1, Enabled: true},
		prov: &catalog.Provider{ID: 3, Enabled: true},
	}
}

func (f *fixture) ticket(hold int64) *quota.Ticket {
	return &quota.Ticket{RequestID: "r" + strconv.FormatInt(f.seq.Add(1), 10), Key: f.key, User: f.user, Hold: hold}
}

// TestSettleIdempotentByRequestID: a settlement retried with another ticket for the same
// request (another instance, a replay) is booked once.
func TestSettleIdempotentByRequestID(t *testing.T) {
	rdb := testClient(t)
	l := New(rdb, Options{Prefix: testPrefix(t, rdb), Log: quietLog()})
	defer l.Close(context.Background())
	f := newFixture()
	a := f.ticket(0)
	if r := l.Acquire(context.Background(), a, f.prov); r != nil {
		t.Fatal(r)
	}
	b := &quota.Ticket{RequestID: a.RequestID, Key: f.key, User: f.user}
	if r := l.Acquire(context.Background(), b, f.prov); r != nil {
		t.Fatal(r)
	}
	l.Settle(a, usd)
	l.Settle(b, usd)
	l.Flush(context.Background())
	for _, e := range []quota.Entity{{Kind: quota.KindKey, ID: 10}, {Kind: quota.KindUser, ID: 1}, {Kind: quota.KindProvider, ID: 3}} {
		u, err := l.Usage(context.Background(), e, &catalog.Limits{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := u.Windows[quota.WindowTotal].Used; got != usd {
			t.Errorf("%v total = %d, want %d", e, got, usd)
		}
	}
}

// TestTwoInstancesShareOneBudget: two limiters (two hub instances) on one Redis admit exactly
// the requests the budget allows, between them.
func TestTwoInstancesShareOneBudget(t *testing.T) {
	rdb := testClient(t)
	prefix := testPrefix(t, rdb)
	ledger := &quotatest.Ledger{}
	a := New(rdb, Options{Prefix: prefix, Ledger: ledger, Log: quietLog()})
	b := New(rdb, Options{Prefix: prefix, Ledger: ledger, Log: quietLog()})
	defer a.Close(context.Background())
	defer b.Close(context.Background())
	f := newFixture()
	f.key.Limits.LimitDaily = usd
	cost := usd / 10
	var admitted atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var tickets []*quota.Ticket
	for i := range 64 {
		l := a
		if i%2 == 1 {
			l = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			tk := f.ticket(cost)
			if r := l.Acquire(context.Background(), tk, nil); r == nil {
				admitted.Add(1)
				mu.Lock()
				tickets = append(tickets, tk)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if n := admitted.Load(); n != 10 {
		t.Fatalf("admitted %d of 64 across two instances, want 10", n)
	}
	for i, tk := range tickets {
		if i%2 == 0 {
			a.Settle(tk, cost)
		} else {
			b.Settle(tk, cost)
		}
	}
	a.Flush(context.Background())
	b.Flush(context.Background())
	u, err := b.Usage(context.Background(), quota.Entity{Kind: quota.KindKey, ID: 10}, &f.key.Limits, 0)
	if err != nil {
		t.Fatal(err)
	}
	if u.Windows[quota.WindowDaily].Used != usd || u.Reserved != 0 {
		t.Fatalf("shared spend %+v reserved %d", u.Windows[quota.WindowDaily], u.Reserved)
	}
	if a.Degraded() || b.Degraded() {
		t.Fatal("fell back to in-process limits")
	}
}

// TestOneRoundTripPerRequest counts Redis round trips: an admission is one, and the
// settlement of the previous request travels with it.
func TestOneRoundTripPerRequest(t *testing.T) {
	rdb := testClient(t)
	rt := &roundTrips{}
	rdb.AddHook(rt)
	l := New(rdb, Options{Prefix: testPrefix(t, rdb), SettleDelay: time.Hour, Log: quietLog()})
	defer l.Close(context.Background())
	f := newFixture()
	f.key.Limits = catalog.Limits{LimitDaily: 1000 * usd, Limit5h: 1000 * usd, LimitWeekly: 1000 * usd, ConcurrentSessions: 100}
	f.prov.Limits = catalog.Limits{LimitDaily: 1000 * usd, ConcurrentSessions: 100}
	f.user.RPMLimit = 10_000
	warm := f.ticket(usd)
	if r := l.Acquire(context.Background(), warm, f.prov); r != nil { // rebuilds the namespaces
		t.Fatal(r)
	}
	l.Settle(warm, usd)
	l.Flush(context.Background())
	start := rt.n.Load()
	const n = 200
	for range n {
		tk := f.ticket(usd / 100)
		if r := l.Acquire(context.Background(), tk, f.prov); r != nil {
			t.Fatal(r)
		}
		l.Settle(tk, usd/1000)
	}
	l.Flush(context.Background())
	got := rt.n.Load() - start
	// n admissions, each carrying the previous settlement, plus the last flush.
	if got != n+1 {
		t.Fatalf("%d round trips for %d requests, want %d", got, n, n+1)
	}
	t.Logf("%d Redis round trips for %d requests (admission + settlement)", got, n)
	u, err := l.Usage(context.Background(), quota.Entity{Kind: quota.KindKey, ID: 10}, &f.key.Limits, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := usd + n*(usd/1000); u.Windows[quota.WindowDaily].Used != want || u.Reserved != 0 {
		t.Fatalf("spend %d reserved %d, want %d and 0", u.Windows[quota.WindowDaily].Used, u.Reserved, want)
	}
}

// TestColdNamespaceRebuiltFromLedger: a flushed Redis (or a changed reset time) rebuilds spend
// from the ledger on the next admission, exactly once even with several instances racing.
func TestColdNamespaceRebuiltFromLedger(t *testing.T) {
	rdb := testClient(t)
	prefix := testPrefix(t, rdb)
	clock := quotatest.NewClock(quotatest.Start)
	ledger := &quotatest.Ledger{}
	ledger.Add(clock.Now().Add(-30*time.Minute), 3*usd/4, quota.Entity{Kind: quota.KindKey, ID: 10}, quota.Entity{Kind: quota.KindUser, ID: 1})
	f := newFixture()
	f.key.Limits = catalog.Limits{LimitDaily: usd}
	var ls []*Limiter
	for range 4 {
		l := New(rdb, Options{Prefix: prefix, Ledger: ledger, Now: clock.Now, Log: quietLog()})
		defer l.Close(context.Background())
		ls = append(ls, l)
	}
	var wg sync.WaitGroup
	var admitted atomic.Int64
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := ls[i%4].Acquire(context.Background(), f.ticket(usd/10), nil); r == nil {
				admitted.Add(1)
			}
		}()
	}
	wg.Wait()
	// 0.75 spent: holds of 0.1 admit three (0.75, 0.85, 0.95 < 1).
	if n := admitted.Load(); n != 3 {
		t.Fatalf("admitted %d, want 3 on top of the ledger's 0.75", n)
	}
	// A new daily reset time is a new namespace: rebuilt from the ledger again.
	f.key = &catalog.Key{ID: 10, UserID: 1, Enabled: true, Limits: catalog.Limits{LimitDaily: usd, DailyResetTime: "12:00"}}
	u, err := ls[0].Usage(context.Background(), quota.Entity{Kind: quota.KindKey, ID: 10}, &f.key.Limits, 0)
	if err != nil {
		t.Fatal(err)
	}
	if u.Windows[quota.WindowDaily].Used != 3*usd/4 || !u.Windows[quota.WindowDaily].Start.Equal(time.Date(2026, 5, 6, 12, 0, 0, 0, time.UTC)) {
		t.Fatalf("after a reset-time change: %+v", u.Windows[quota.WindowDaily])
	}
}

// TestRedisHangFallsBackWithinTimeout: a Redis that accepts connections but never answers
// costs one Timeout, then the in-process limiter decides.
func TestRedisHangFallsBackWithinTimeout(t *testing.T) {
	opt := &redis.Options{Addr: blackhole(t)}
	TuneOptions(opt, 150*time.Millisecond)
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	l := New(rdb, Options{Timeout: 150 * time.Millisecond, ProbeInterval: time.Hour, Log: quietLog()})
	defer l.Close(context.Background())
	f := newFixture()
	f.user.RPMLimit = 1
	start := time.Now()
	if r := l.Acquire(context.Background(), f.ticket(0), nil); r != nil {
		t.Fatal(r)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("the first request waited %v for a hung Redis", d)
	}
	if !l.Degraded() || l.Fallbacks() != 1 || l.Outages() != 1 {
		t.Fatalf("degraded %v fallbacks %d outages %d", l.Degraded(), l.Fallbacks(), l.Outages())
	}
	// Limits still hold, in process.
	if r := l.Acquire(context.Background(), f.ticket(0), nil); r == nil || r.Type != quota.LimitRPM {
		t.Fatalf("second request in the fallback: %+v", r)
	}
}
