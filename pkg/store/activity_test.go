package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cchub/cchub/pkg/billing"
	"github.com/cchub/cchub/pkg/store"
	"github.com/cchub/cchub/pkg/store/storetest"
)

func TestActiveSessions(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	rec := func(id string, ago time.Duration, sid string, key, provider int, model string) billing.Record {
		return billing.Record{RequestID: id, CreatedAt: now.Add(-ago), UserID: key / 10, KeyID: key,
			ProviderID: provider, Model: model, StatusCode: 200, DurationMs: 100, TTFBMs: 10, SessionID: sid,
			Usage: billing.Usage{InputTokens: 10, OutputTokens: 1}, CostNano: 5, Ledger: true}
	}
	recs := []billing.Record{
		rec("a1", 2*time.Hour, "A", 10, 1, "old-model"), // before the window, still counted in A's totals
		rec("a2", 4*time.Minute, "A", 10, 2, "m1"),
		rec("a3", 1*time.Minute, "A", 10, 0, "m2"), // blocked: A's provider stays 2
		rec("b1", 3*time.Minute, "B", 20, 3, "m3"),
		rec("c1", 10*time.Minute, "C", 30, 3, "m3"), // outside the 5-minute window
		rec("n1", 30*time.Second, "", 30, 3, "m3"),  // no session
		rec("f1", -time.Minute, "F", 30, 3, "m3"),   // after until: not yet
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		writeRecords(t, s, recs)
		ctx := context.Background()
		since := now.Add(-5 * time.Minute)
		n, err := s.ActiveSessionCount(ctx, since, now)
		if err != nil || n != 2 {
			t.Fatalf("active count %d %v, want 2", n, err)
		}
		rpm, err := s.RequestCount(ctx, now.Add(-time.Minute), now)
		if err != nil || rpm != 2 {
			t.Fatalf("rpm %d %v, want 2 (a3 and n1)", rpm, err)
		}
		got, more, err := s.ActiveSessions(ctx, since, now, store.UsageFilter{}, 0, 10)
		if err != nil || more || len(got) != 2 {
			t.Fatalf("sessions %+v more=%v err=%v", got, more, err)
		}
		a, b := got[0], got[1]
		if a.SessionID != "A" || b.SessionID != "B" {
			t.Fatalf("order %q %q, want A (latest) then B", a.SessionID, b.SessionID)
		}
		if a.Requests != 3 || a.InputTokens != 30 || a.CostNano != 15 || a.ProviderID != 2 || a.Model != "m2" ||
			a.KeyID != 10 || a.UserID != 1 || !a.LastSeen.Equal(now.Add(-time.Minute)) || !a.FirstSeen.Equal(now.Add(-2*time.Hour)) {
			t.Fatalf("session A %+v", a)
		}
		// Paging: one per page.
		p1, more, err := s.ActiveSessions(ctx, since, now, store.UsageFilter{}, 0, 1)
		if err != nil || !more || len(p1) != 1 || p1[0].SessionID != "A" {
			t.Fatalf("page 1 %+v %v %v", p1, more, err)
		}
		p2, more, err := s.ActiveSessions(ctx, since, now, store.UsageFilter{}, 1, 1)
		if err != nil || more || len(p2) != 1 || p2[0].SessionID != "B" {
			t.Fatalf("page 2 %+v %v %v", p2, more, err)
		}
		p3, more, err := s.ActiveSessions(ctx, since, now, store.UsageFilter{}, 2, 1)
		if err != nil || more || len(p3) != 0 {
			t.Fatalf("page 3 %+v %v %v", p3, more, err)
		}
		byKey, _, err := s.ActiveSessions(ctx, since, now, store.UsageFilter{KeyID: 20}, 0, 10)
		if err != nil || len(byKey) != 1 || byKey[0].SessionID != "B" {
			t.Fatalf("key filter %+v %v", byKey, err)
		}
	})
}

// TestActiveSessionsManyIDs pages through more sessions than one IN list would bind cheaply.
func TestActiveSessionsManyIDs(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	var recs []billing.Record
	for i := range 700 {
		recs = append(recs, billing.Record{RequestID: fmt.Sprintf("r%d", i), CreatedAt: now.Add(-time.Duration(i) * 100 * time.Millisecond),
			UserID: 1, KeyID: 1, ProviderID: 1, Model: "m", StatusCode: 200, SessionID: fmt.Sprintf("s%03d", i), TTFBMs: -1})
	}
	s := storetest.SQLite(t)
	writeRecords(t, s, recs)
	seen := 0
	for off := 0; ; off += 500 {
		page, more, err := s.ActiveSessions(context.Background(), now.Add(-5*time.Minute), now.Add(time.Second), store.UsageFilter{}, off, 500)
		if err != nil {
			t.Fatal(err)
		}
		for i, a := range page {
			if want := fmt.Sprintf("s%03d", off+i); a.SessionID != want || a.Requests != 1 {
				t.Fatalf("item %d: %+v, want %s", off+i, a, want)
			}
		}
		seen += len(page)
		if !more {
			break
		}
	}
	if seen != 700 {
		t.Fatalf("saw %d sessions", seen)
	}
}
