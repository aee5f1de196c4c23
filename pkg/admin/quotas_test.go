package admin

import (
	"context"
	"testing"
	"time"

	"github.com/cchub/cchub/pkg/billing"
	"github.com/cchub/cchub/pkg/quota"
	"github.com/cchub/cchub/pkg/store/storetest"
)

func TestQuotaViews(t *testing.T) {
	s := storetest.SQLite(t)
	now := time.Date(2026, 3, 4, 15, 0, 0, 0, time.UTC) // a Wednesday
	reader := quota.LedgerReader{Ledger: s.QuotaLedger(), Now: func() time.Time { return now }}
	h := newHarness(t, s, func(c *Config) { c.Quotas = reader })

	uid := h.createUser("alice", map[string]any{"rpm_limit": 60, "daily_limit_usd": "10", "limit_concurrent_sessions": 3,
		"daily_reset_mode": "fixed", "daily_reset_time": "08:00"})
	kid, _ := h.createKey(uid, map[string]any{"limit_5h_usd": "1.5", "limit_5h_reset_mode": "rolling"})
	pid := h.admin("POST", "/api/v1/providers", map[string]any{"name": "p", "type": "claude", "url": "https://api.example.com",
		"key": "sk-up", "limit_total_usd": "100"}).want(201).id()
	err := s.WriteBatch(context.Background(), []billing.Record{
		{RequestID: "a", CreatedAt: now.Add(-time.Hour), UserID: uid, KeyID: kid, ProviderID: pid, StatusCode: 200, TTFBMs: -1,
			CostNano: 1_250_000_000, CostMultiplier: 1, Ledger: true},
		{RequestID: "b", CreatedAt: now.Add(-30 * time.Hour), UserID: uid, KeyID: kid, ProviderID: pid, StatusCode: 200, TTFBMs: -1,
			CostNano: 500_000_000, CostMultiplier: 1, Ledger: true},
	})
	if err != nil {
		t.Fatal(err)
	}

	var users list[quotaView]
	h.admin("GET", "/api/v1/quotas/users", nil).want(200).decode(&users)
	if len(users.Items) != 1 || users.NextCursor != nil {
		t.Fatalf("users %+v", users)
	}
	u := users.Items[0]
	if u.ID != uid || u.Name != "alice" || u.RPM == nil || u.RPM.Limit == nil || *u.RPM.Limit != 60 ||
		u.ConcurrentSessions.Limit == nil || *u.ConcurrentSessions.Limit != 3 || len(u.Windows) != 5 {
		t.Fatalf("user view %+v", u)
	}
	daily := u.Windows[1]
	if daily.Window != "daily" || daily.Mode != "fixed" || daily.UsageUSD != "1.25" || *daily.LimitUSD != "10.00" ||
		*daily.RemainingUSD != "8.75" || *daily.StartAt != "2026-03-04T08:00:00Z" || *daily.ResetAt != "2026-03-05T08:00:00Z" {
		t.Fatalf("daily %+v", daily)
	}
	if w := u.Windows[2]; w.Window != "weekly" || w.UsageUSD != "1.75" || w.LimitUSD != nil || *w.ResetAt != "2026-03-09T00:00:00Z" {
		t.Fatalf("weekly %+v", w)
	}
	if w := u.Windows[4]; w.Window != "total" || w.Mode != "total" || w.UsageUSD != "1.75" || w.StartAt != nil || w.ResetAt != nil {
		t.Fatalf("total %+v", w)
	}

	var keys list[quotaView]
	h.admin("GET", "/api/v1/quotas/keys?user_id="+itoa(uid), nil).want(200).decode(&keys)
	if len(keys.Items) != 1 {
		t.Fatalf("keys %+v", keys)
	}
	k := keys.Items[0]
	if k.UserID == nil || *k.UserID != uid || k.RPM != nil || k.ConcurrentSessions.Limit == nil || *k.ConcurrentSessions.Limit != 3 {
		t.Fatalf("key view %+v (sessions inherit the user's limit)", k)
	}
	if w := k.Windows[0]; w.Window != "5h" || w.Mode != "rolling" || w.UsageUSD != "1.25" || *w.RemainingUSD != "0.25" || w.ResetAt != nil {
		t.Fatalf("key 5h %+v", w)
	}

	var provs list[quotaView]
	h.admin("GET", "/api/v1/quotas/providers?limit=1", nil).want(200).decode(&provs)
	if len(provs.Items) != 1 || provs.Items[0].ID != pid || *provs.Items[0].Windows[4].LimitUSD != "100.00" {
		t.Fatalf("providers %+v", provs)
	}
	h.admin("GET", "/api/v1/quotas/keys?user_id=x", nil).wantError(400, "user_id")
	h.req("GET", "/api/v1/quotas/users", nil).want(401)
}

func TestQuotaViewsWithoutReader(t *testing.T) {
	h := newSQLiteHarness(t)
	h.admin("GET", "/api/v1/quotas/providers", nil).wantError(501, "")
}
