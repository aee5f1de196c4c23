package admin

import (
	"testing"
	"time"

	"github.com/cchub/cchub/pkg/billing"
	"github.com/cchub/cchub/pkg/quota"
	"github.com/cchub/cchub/pkg/store/storetest"
)

func TestMeQuotas(t *testing.T) {
	s := storetest.SQLite(t)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	h := newHarness(t, s, func(c *Config) {
		c.Quotas = quota.LedgerReader{Ledger: s.QuotaLedger(), Now: func() time.Time { return now }}
	})
	uid := h.createUser("alice", map[string]any{"daily_limit_usd": "10", "rpm_limit": 30, "limit_concurrent_sessions": 2})
	kid, secret := h.createKey(uid, map[string]any{"can_login_web_ui": true, "limit_5h_usd": "1"})
	other := h.createUser("bob", nil)
	okid, _ := h.createKey(other, nil)
	sess := h.login(secret)
	h.write(
		rec(now.Add(-time.Hour), uid, kid, 0, "m", func(r *billing.Record) { r.CostNano = 250_000_000 }),
		rec(now.Add(-time.Hour), other, okid, 0, "m", func(r *billing.Record) { r.CostNano = 5_000_000_000 }),
	)
	var v meQuotasView
	h.req("GET", "/api/v1/me/quotas", nil, cookie(sess)).want(200).decode(&v)
	k, u := v.Key, v.User
	if k.ID != kid || k.UserID == nil || *k.UserID != uid || len(k.Windows) != 5 || k.Windows[0].Window != "5h" ||
		k.Windows[0].UsageUSD != "0.25" || *k.Windows[0].LimitUSD != "1.00" || *k.Windows[0].RemainingUSD != "0.75" ||
		k.ConcurrentSessions.Limit == nil || *k.ConcurrentSessions.Limit != 2 {
		t.Fatalf("key quota %+v", k)
	}
	if u.ID != uid || u.Name != "alice" || u.Windows[1].Window != "daily" || u.Windows[1].UsageUSD != "0.25" ||
		*u.Windows[1].LimitUSD != "10.00" || u.Windows[1].ResetAt == nil || u.RPM == nil || *u.RPM.Limit != 30 {
		t.Fatalf("user quota %+v", u)
	}
	h.admin("GET", "/api/v1/me/quotas", nil).wantError(404, "")

	// Without a quota reader the route says so.
	h2 := newHarness(t, storetest.SQLite(t))
	_, _, sess2 := h2.keyLogin("carol")
	h2.req("GET", "/api/v1/me/quotas", nil, cookie(sess2)).wantError(501, "")
}
