package admin

import (
	"strings"
	"testing"

	"github.com/cchub/cchub/pkg/billing"
)

func TestMeUsageAndLogs(t *testing.T) {
	h := newSQLiteHarness(t, withLocation(mustLoc(t, "Asia/Shanghai")))
	uid, kid, sess := h.keyLogin("alice")
	_, other, _ := h.keyLogin("bob")
	at := parseT(t)
	cost := func(n int64) func(*billing.Record) { return func(r *billing.Record) { r.CostNano = n } }
	h.write(
		rec(at("2026-03-01T11:00:00Z"), uid, kid, 1, "m", cost(1_000_000)),      // today (Shanghai)
		rec(at("2026-02-28T15:00:00Z"), uid, kid, 1, "m", cost(2_000_000)),      // yesterday 23:00
		rec(at("2026-02-23T16:00:00Z"), uid, kid, 1, "m", cost(4_000_000)),      // 6 days back, 00:00
		rec(at("2026-02-23T15:59:00Z"), uid, kid, 1, "m", cost(8_000_000)),      // 7 days back
		rec(at("2026-01-30T16:00:00Z"), uid, kid, 1, "m", cost(16_000_000)),     // 29 days back
		rec(at("2026-01-30T15:00:00Z"), uid, kid, 1, "m", cost(32_000_000)),     // 30 days back
		rec(at("2026-03-01T11:30:00Z"), uid+1, other, 1, "m", cost(64_000_000)), // someone else
		rec(at("2026-03-01T11:40:00Z"), uid, kid, 1, "m", cost(1), func(r *billing.Record) { r.StatusCode = 500 }),
	)
	var u meUsageView
	h.req("GET", "/api/v1/me/usage", nil, cookie(sess)).want(200).decode(&u)
	if u.KeyID != kid || u.Timezone != "Asia/Shanghai" || u.Today.From != "2026-02-28T16:00:00Z" ||
		u.Last7Days.From != "2026-02-22T16:00:00Z" || u.Last30Days.From != "2026-01-30T16:00:00Z" {
		t.Fatalf("ranges %+v", u)
	}
	if u.Today.Requests != 2 || u.Today.CostUSD != "0.001000001" || u.Today.Errors != 1 ||
		u.Last7Days.CostUSD != "0.015000001" || u.Last30Days.CostUSD != "0.031000001" || u.Last30Days.Requests != 6 {
		t.Fatalf("usage today %+v 7d %+v 30d %+v", u.Today, u.Last7Days, u.Last30Days)
	}

	var l list[logView]
	h.req("GET", "/api/v1/me/logs?limit=3", nil, cookie(sess)).want(200).decode(&l)
	if len(l.Items) != 3 || l.NextCursor == nil || l.Items[0].StatusCode != 500 {
		t.Fatalf("own logs %+v", l)
	}
	for _, it := range l.Items {
		if it.KeyID != kid || string(it.ProviderChain) != "[]" {
			t.Fatalf("item %+v chain %s", it, it.ProviderChain)
		}
	}
	seen := len(l.Items)
	for l.NextCursor != nil {
		cur := *l.NextCursor
		l = list[logView]{}
		h.req("GET", "/api/v1/me/logs?limit=3&cursor="+itoa(cur), nil, cookie(sess)).want(200).decode(&l)
		seen += len(l.Items)
	}
	if seen != 7 {
		t.Fatalf("paged through %d own logs, want 7", seen)
	}
	// Filters apply within the key's own logs only: asking for another key finds nothing.
	h.req("GET", "/api/v1/me/logs?key_id="+itoa(other), nil, cookie(sess)).want(200).decode(&l)
	if len(l.Items) != 0 {
		t.Fatalf("other key's logs leaked: %+v", l.Items)
	}
	h.req("GET", "/api/v1/me/logs?status_code=500", nil, cookie(sess)).want(200).decode(&l)
	if len(l.Items) != 1 {
		t.Fatalf("status filter %+v", l.Items)
	}
	r := h.req("GET", "/api/v1/me/logs", nil, cookie(sess)).want(200)
	if r.contains("upstream-secret-name") {
		t.Fatal("decision chain shown to a key login")
	}
	h.req("GET", "/api/v1/me/logs?limit=0", nil, cookie(sess)).wantError(400, "limit")
	h.req("GET", "/api/v1/me/logs?from=yesterday", nil, cookie(sess)).wantError(400, "from")

	// The admin has no key of its own.
	h.admin("GET", "/api/v1/me/usage", nil).wantError(404, "")
	h.admin("GET", "/api/v1/me/logs", nil).wantError(404, "")
	h.req("GET", "/api/v1/me/usage", nil).wantError(401, "")
}

// TestKeySessionForbiddenOutsideMe walks every registered /api/v1 route: a key login gets 403
// everywhere except /api/v1/me*, for reads and (same-origin) mutations alike.
func TestKeySessionForbiddenOutsideMe(t *testing.T) {
	h := newSQLiteHarness(t)
	_, _, sess := h.keyLogin("alice")
	checked := 0
	for _, rt := range h.eng.Routes() {
		if !strings.HasPrefix(rt.Path, "/api/v1/") {
			continue
		}
		path := strings.ReplaceAll(rt.Path, ":id", "1")
		r := h.req(rt.Method, path, nil, cookie(sess), origin(testOrigin))
		if isMeRoute(rt.Path) {
			if r.Status == 403 {
				t.Errorf("%s %s: 403 for a /me route", rt.Method, rt.Path)
			}
			continue
		}
		r.wantError(403, "")
		if !r.contains("key logins may only use /api/v1/me") {
			t.Errorf("%s %s: %s", rt.Method, rt.Path, r.Body)
		}
		checked++
	}
	if checked < 20 {
		t.Fatalf("only %d routes checked", checked)
	}
}
