package redisquota

import (
	"context"
	"testing"
	"time"

	"github.com/cchub/cchub/pkg/gateway/catalog"
)

// BenchmarkRedisAcquireSettle is one request's limiter work on Redis: admission against a
// key, its user and a provider, then settlement (carried by the next admission). It reports
// the Redis round trips per request.
func BenchmarkRedisAcquireSettle(b *testing.B) {
	rdb := testClient(b)
	rt := &roundTrips{}
	rdb.AddHook(rt)
	l := New(rdb, Options{Prefix: testPrefix(b, rdb), SettleDelay: time.Hour, Log: quietLog()})
	defer l.Close(context.Background())
	f := newFixture()
	big := catalog.Limits{Limit5h: 1 << 50, LimitDaily: 1 << 50, LimitWeekly: 1 << 50, LimitMonthly: 1 << 50,
		LimitTotal: 1 << 50, ConcurrentSessions: 1 << 20}
	f.key.Limits, f.user.Limits, f.prov.Limits = big, big, big
	f.user.RPMLimit = 1 << 30
	ctx := context.Background()
	warm := f.ticket(1000)
	if r := l.Acquire(ctx, warm, f.prov); r != nil {
		b.Fatal(r)
	}
	l.Settle(warm, 1)
	l.Flush(ctx)
	start := rt.n.Load()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		t := f.ticket(1000)
		t.SessionID = "s"
		if r := l.Acquire(ctx, t, f.prov); r != nil {
			b.Fatal(r)
		}
		l.Settle(t, 12345)
	}
	l.Flush(ctx)
	b.StopTimer()
	b.ReportMetric(float64(rt.n.Load()-start)/float64(b.N), "roundtrips/op")
}
