package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/cchub/cchub/ent/requestlog"
	"github.com/cchub/cchub/pkg/billing"
	"github.com/cchub/cchub/pkg/gateway/catalog"
	"github.com/cchub/cchub/pkg/pricesync"
	"github.com/cchub/cchub/pkg/quota"
	"github.com/cchub/cchub/pkg/store"
	"github.com/cchub/cchub/pkg/store/storetest"
)

// testClock is an injected clock moved by the test.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

type fakeSync struct {
	mu    sync.Mutex
	urls  []string
	fail  bool
	loads int
}

func (f *fakeSync) sync(_ context.Context, url string) (pricesync.Summary, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.urls = append(f.urls, url)
	if f.fail {
		return pricesync.Summary{}, errors.New("network down")
	}
	return pricesync.Summary{Source: url}, nil
}

func (f *fakeSync) reload(context.Context) error {
	f.mu.Lock()
	f.loads++
	f.mu.Unlock()
	return nil
}

func (f *fakeSync) counts() (syncs, loads int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.urls), f.loads
}

func newTestMaintenance(s *store.Store, c *testClock, f *fakeSync) *maintenance {
	return newMaintenance(s, slog.New(slog.NewTextHandler(io.Discard, nil)), c.now, f.sync, f.reload)
}

func patchSettings(t *testing.T, s *store.Store, p store.SettingsPatch) {
	t.Helper()
	if _, err := s.UpdateSettings(context.Background(), p, time.Now()); err != nil {
		t.Fatal(err)
	}
}

func intp(v int) *int { return &v }

type ledgerTotals struct {
	rows       int
	cost, toks int64
}

func ledgerOf(t *testing.T, s *store.Store) ledgerTotals {
	t.Helper()
	rows, err := s.Client.UsageLedger.Query().All(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var z ledgerTotals
	for _, r := range rows {
		z.rows++
		z.cost += r.CostNano
		z.toks += r.InputTokens + r.OutputTokens
	}
	return z
}

// TestRetentionCleanup: the cleanup deletes request logs past the retention and nothing else:
// the ledger (which quota windows sum) and the hourly statistics are unchanged.
func TestRetentionCleanup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)
		var recs []billing.Record
		for i := range 40 {
			recs = append(recs, billing.Record{RequestID: fmt.Sprintf("r%d", i),
				CreatedAt: now.Add(-time.Duration(i) * 12 * time.Hour), UserID: 1, KeyID: 1, ProviderID: 1,
				Model: "m", StatusCode: 200, TTFBMs: 10, CostNano: 1000, Usage: billing.Usage{InputTokens: 10}, Ledger: true})
		}
		if err := s.WriteBatch(ctx, recs); err != nil {
			t.Fatal(err)
		}
		ledger := ledgerOf(t, s)
		// The user's quota windows (daily, weekly, monthly, total) as the limiter rebuilds them.
		quotas := quota.LedgerReader{Ledger: s.QuotaLedger(), Now: func() time.Time { return now }}
		limits := &catalog.Limits{LimitDaily: 1 << 40, LimitWeekly: 1 << 40, LimitMonthly: 1 << 40, LimitTotal: 1 << 40}
		quotaBefore, err := quotas.Usage(ctx, quota.Entity{Kind: quota.KindUser, ID: 1}, limits, 0)
		if err != nil {
			t.Fatal(err)
		}
		if quotaBefore.Windows[quota.WindowTotal].Used != 40*1000 {
			t.Fatalf("total before %+v", quotaBefore.Windows[quota.WindowTotal])
		}
		before, err := s.Usage(ctx, []time.Time{now.Add(-30 * 24 * time.Hour), now.Add(time.Hour)}, store.DimNone, store.UsageFilter{})
		if err != nil {
			t.Fatal(err)
		}
		clock := &testClock{t: now}
		f := &fakeSync{}
		m := newTestMaintenance(s, clock, f)

		m.tick(ctx) // retention 0: keep everything
		if n, _ := s.Client.RequestLog.Query().Count(ctx); n != 40 {
			t.Fatalf("retention 0 deleted logs: %d left", n)
		}
		patchSettings(t, s, store.SettingsPatch{LogRetentionDays: intp(7)})
		m.tick(ctx)
		cutoff := now.Add(-7 * 24 * time.Hour)
		if old, _ := s.Client.RequestLog.Query().Where(requestlog.CreatedAtLT(cutoff)).Count(ctx); old != 0 {
			t.Fatalf("%d logs older than 7 days left", old)
		}
		if n, _ := s.Client.RequestLog.Query().Count(ctx); n != 15 {
			t.Fatalf("%d logs left, want 15 (7 days of 12-hour steps, both ends)", n)
		}
		if got := ledgerOf(t, s); got != ledger {
			t.Fatalf("ledger changed: %+v -> %+v", ledger, got)
		}
		after, err := s.Usage(ctx, []time.Time{now.Add(-30 * 24 * time.Hour), now.Add(time.Hour)}, store.DimNone, store.UsageFilter{})
		if err != nil || len(after) != 1 || after[0].UsageSums != before[0].UsageSums {
			t.Fatalf("statistics changed: %+v -> %+v (%v)", before, after, err)
		}

		// Hourly: a log that ages past the retention 30 minutes later waits for the next hour.
		clock.set(now.Add(30 * time.Minute))
		m.tick(ctx)
		if n, _ := s.Client.RequestLog.Query().Count(ctx); n != 15 {
			t.Fatalf("cleanup ran again within the hour: %d left", n)
		}
		clock.set(now.Add(cleanupEvery))
		m.tick(ctx)
		if n, _ := s.Client.RequestLog.Query().Count(ctx); n != 14 {
			t.Fatalf("after an hour: %d left, want 14", n)
		}
		// A shorter retention applies at once.
		patchSettings(t, s, store.SettingsPatch{LogRetentionDays: intp(1)})
		m.tick(ctx)
		if n, _ := s.Client.RequestLog.Query().Count(ctx); n != 2 {
			t.Fatalf("retention 1 day: %d left, want 2", n)
		}
		if got := ledgerOf(t, s); got != ledger {
			t.Fatalf("ledger changed: %+v -> %+v", ledger, got)
		}
		quotaAfter, err := quotas.Usage(ctx, quota.Entity{Kind: quota.KindUser, ID: 1}, limits, 0)
		if err != nil || quotaAfter != quotaBefore {
			t.Fatalf("quota windows changed: %+v -> %+v (%v)", quotaBefore, quotaAfter, err)
		}
	})
}

func TestScheduledPriceSync(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		t0 := time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)
		clock := &testClock{t: t0}
		f := &fakeSync{}
		m := newTestMaintenance(s, clock, f)
		other := newTestMaintenance(s, clock, f) // a second instance on the same database

		m.tick(ctx)
		if n, _ := f.counts(); n != 0 {
			t.Fatal("synced without a schedule")
		}
		patchSettings(t, s, store.SettingsPatch{PriceSyncIntervalHours: intp(6)})
		m.tick(ctx)
		other.tick(ctx)
		if n, _ := f.counts(); n != 1 || f.urls[0] != pricesync.DefaultURL {
			t.Fatalf("first scheduled sync: %v", f.urls)
		}
		for _, d := range []time.Duration{time.Hour, 5*time.Hour + 59*time.Minute} {
			clock.set(t0.Add(d))
			m.tick(ctx)
			other.tick(ctx)
		}
		if n, _ := f.counts(); n != 1 {
			t.Fatalf("synced before the interval: %v", f.urls)
		}
		url := "https://mirror.example/prices.json"
		patchSettings(t, s, store.SettingsPatch{PriceSyncURL: &url})
		f.fail = true
		clock.set(t0.Add(6 * time.Hour))
		other.tick(ctx)
		m.tick(ctx)
		if n, _ := f.counts(); n != 2 || f.urls[1] != url {
			t.Fatalf("second sync: %v", f.urls)
		}
		// Failed: retried after priceSyncRetry, not a whole interval.
		clock.set(t0.Add(6*time.Hour + priceSyncRetry - time.Minute))
		m.tick(ctx)
		if n, _ := f.counts(); n != 2 {
			t.Fatalf("retried too early: %v", f.urls)
		}
		f.fail = false
		clock.set(t0.Add(6*time.Hour + priceSyncRetry))
		m.tick(ctx)
		other.tick(ctx)
		if n, _ := f.counts(); n != 3 {
			t.Fatalf("no retry: %v", f.urls)
		}
	})
}

func TestPriceReloadOnChange(t *testing.T) {
	s := storetest.SQLite(t)
	ctx := context.Background()
	clock := &testClock{t: time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)}
	f := &fakeSync{}
	m := newTestMaintenance(s, clock, f)
	m.tick(ctx)
	if _, loads := f.counts(); loads != 1 {
		t.Fatalf("initial loads %d", loads)
	}
	m.tick(ctx)
	if _, loads := f.counts(); loads != 1 {
		t.Fatalf("reloaded without a change: %d", loads)
	}
	e, err := billing.ParseEntry("m", []byte(`{"input_cost_per_token":1e-06}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SetManualPrice(ctx, e, clock.now()); err != nil { // as another instance would
		t.Fatal(err)
	}
	m.tick(ctx)
	if _, loads := f.counts(); loads != 2 {
		t.Fatalf("loads after a change %d, want 2", loads)
	}
	// An admin change on this instance reloads at once and is not reloaded again.
	e.Model = "m2"
	if _, _, err := s.SetManualPrice(ctx, e, clock.now()); err != nil {
		t.Fatal(err)
	}
	if err := m.reloadPrices(ctx); err != nil {
		t.Fatal(err)
	}
	m.tick(ctx)
	if _, loads := f.counts(); loads != 3 {
		t.Fatalf("loads %d, want 3", loads)
	}
}
