package quota_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/cchub/cchub/pkg/gateway/catalog"
	"github.com/cchub/cchub/pkg/quota"
	"github.com/cchub/cchub/pkg/quota/quotatest"
)

// BenchmarkLocalAcquireSettle is one request's limiter work in process: admission against a key,
// its user and a provider with every window limited, then settlement. Target: ≤ 20 µs.
func BenchmarkLocalAcquireSettle(b *testing.B) {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		b.Fatal(err)
	}
	clock := quotatest.NewClock(quotatest.Start)
	l := quota.NewLocal(quota.LocalOptions{Location: loc, Now: clock.Now})
	big := catalog.Limits{Limit5h: 1 << 60, LimitDaily: 1 << 60, LimitWeekly: 1 << 60, LimitMonthly: 1 << 60,
		LimitTotal: 1 << 60, ConcurrentSessions: 1000, DailyResetTime: "08:00"}
	u := &catalog.User{ID: 1, RPMLimit: 1 << 30, Limits: big}
	k := &catalog.Key{ID: 1, UserID: 1, Limits: big}
	p := &catalog.Provider{ID: 1, Limits: big}
	ids := make([]string, 1024)
	for i := range ids {
		ids[i] = "req-" + strconv.Itoa(i)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		clock.Advance(time.Millisecond)
		t := &quota.Ticket{RequestID: ids[i%len(ids)], Key: k, User: u, SessionID: "session", Hold: 1000}
		if r := l.Acquire(ctx, t, p); r != nil {
			b.Fatal(r)
		}
		l.Settle(t, 12345)
	}
}
