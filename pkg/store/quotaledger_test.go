package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cchub/cchub/pkg/billing"
	"github.com/cchub/cchub/pkg/gateway/catalog"
	"github.com/cchub/cchub/pkg/quota"
	"github.com/cchub/cchub/pkg/store"
	"github.com/cchub/cchub/pkg/store/storetest"
)

func ledgerRecord(id int, at time.Time, user, key, provider int, cost int64) billing.Record {
	return billing.Record{RequestID: fmt.Sprintf("q-%d", id), CreatedAt: at, UserID: user, KeyID: key,
		ProviderID: provider, Model: "m", Endpoint: "/v1/messages", StatusCode: 200, TTFBMs: -1,
		CostNano: cost, CostMultiplier: 1, Ledger: true}
}

func TestQuotaLedgerHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		base := time.Date(2026, 5, 6, 10, 0, 0, 0, time.UTC)
		recs := []billing.Record{
			ledgerRecord(1, base.Add(-48*time.Hour), 1, 10, 100, 1),                // before from: total only
			ledgerRecord(2, base.Add(15*time.Second), 1, 10, 100, 10),              // minute of from, clamped to from
			ledgerRecord(3, base.Add(50*time.Second), 1, 10, 100, 100),             // same minute
			ledgerRecord(4, base.Add(3*time.Minute+time.Second), 1, 11, 101, 1000), // key 11
			ledgerRecord(5, base.Add(5*time.Minute), 2, 12, 100, 10000),            // another user
			ledgerRecord(6, base.Add(6*time.Minute), 1, 10, 100, 0),                // free: no point
		}
		unbilled := ledgerRecord(7, base.Add(7*time.Minute), 1, 10, 100, 5)
		unbilled.Ledger = false // count_tokens: logged, never billed
		if err := s.WriteBatch(ctx, append(recs, unbilled)); err != nil {
			t.Fatal(err)
		}
		l := s.QuotaLedger()
		from := base.Add(10 * time.Second)
		h, err := l.History(ctx, quota.Entity{Kind: quota.KindUser, ID: 1}, from, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		want := []quota.Point{{At: from.UnixMilli(), Cost: 110}, {At: base.Add(3 * time.Minute).UnixMilli(), Cost: 1000}}
		if fmt.Sprint(h.Points) != fmt.Sprint(want) || h.Total != 1111 {
			t.Fatalf("user 1: %+v total %d, want %+v total 1111", h.Points, h.Total, want)
		}
		h, err = l.History(ctx, quota.Entity{Kind: quota.KindKey, ID: 10}, from, from)
		if err != nil {
			t.Fatal(err)
		}
		if h.Total != 110 || len(h.Points) != 1 {
			t.Fatalf("key 10 since from: %+v", h)
		}
		h, err = l.History(ctx, quota.Entity{Kind: quota.KindProvider, ID: 100}, from, base.Add(-72*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if h.Total != 10111 || len(h.Points) != 2 {
			t.Fatalf("provider 100: %+v", h)
		}
		h, err = l.History(ctx, quota.Entity{Kind: quota.KindKey, ID: 99}, from, time.Time{})
		if err != nil || h.Total != 0 || len(h.Points) != 0 {
			t.Fatalf("unknown key: %+v %v", h, err)
		}
	})
}

// TestQuotaLedgerRestartKeepsSpend: an in-process limiter started over the store (a restarted
// hub) sees the spend written before, in every window.
func TestQuotaLedgerRestartKeepsSpend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 5, 6, 13, 0, 0, 0, time.UTC) // Wednesday
		recs := []billing.Record{
			ledgerRecord(1, now.Add(-40*24*time.Hour), 1, 10, 100, 1_000), // April: total only
			ledgerRecord(2, now.Add(-3*24*time.Hour), 1, 10, 100, 2_000),  // Sunday: month
			ledgerRecord(3, now.Add(-20*time.Hour), 1, 10, 100, 4_000),    // Tuesday: week, 24h
			ledgerRecord(4, now.Add(-2*time.Hour), 1, 10, 100, 8_000),     // today, 5h
		}
		if err := s.WriteBatch(ctx, recs); err != nil {
			t.Fatal(err)
		}
		l := quota.NewLocal(quota.LocalOptions{Ledger: s.QuotaLedger(), Now: func() time.Time { return now }})
		lim := catalog.Limits{}
		u, err := l.Usage(ctx, quota.Entity{Kind: quota.KindKey, ID: 10}, &lim, 0)
		if err != nil {
			t.Fatal(err)
		}
		for w, want := range map[quota.Window]int64{quota.Window5h: 8_000, quota.WindowDaily: 8_000,
			quota.WindowWeekly: 12_000, quota.WindowMonthly: 14_000, quota.WindowTotal: 15_000} {
			if got := u.Windows[w].Used; got != want {
				t.Errorf("%s = %d, want %d", w, got, want)
			}
		}
		lim.DailyRolling = true
		if u, _ := quota.LedgerUsage(ctx, s.QuotaLedger(), quota.Entity{Kind: quota.KindKey, ID: 10}, &lim, 0, now, time.UTC); u.Windows[quota.WindowDaily].Used != 12_000 {
			t.Errorf("rolling daily from the ledger = %d, want 12000", u.Windows[quota.WindowDaily].Used)
		}
	})
}
