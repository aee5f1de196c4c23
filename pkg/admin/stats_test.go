package admin

import (
	"testing"
	"time"

	"github.com/cchub/cchub/pkg/billing"
	"github.com/cchub/cchub/pkg/store"
	"github.com/cchub/cchub/pkg/store/storetest"
)

// overviewRecords are placed around the harness clock (2026-03-01 12:00 UTC) so that the day
// boundary differs between Asia/Shanghai (midnight = 16:00 UTC the day before) and UTC.
func overviewRecords(at func(string) time.Time) []billing.Record {
	dur := func(ms, ttfb int64) func(*billing.Record) {
		return func(r *billing.Record) { r.DurationMs, r.TTFBMs = ms, ttfb }
	}
	sess := func(s string) func(*billing.Record) { return func(r *billing.Record) { r.SessionID = s } }
	return []billing.Record{
		rec(at("2026-02-27T15:00:00Z"), 1, 1, 1, "m", dur(9, 9)), // before yesterday (Shanghai)
		rec(at("2026-02-28T10:00:00Z"), 1, 1, 1, "m", dur(1000, 100), sess("y")),
		rec(at("2026-02-28T15:59:59.5Z"), 1, 1, 1, "m", dur(3000, -1), sess("y"), func(r *billing.Record) {
			r.StatusCode, r.CostNano = 500, 0
		}),
		rec(at("2026-02-28T16:00:00Z"), 1, 1, 1, "m", dur(100, 10), sess("t")), // Shanghai midnight
		rec(at("2026-03-01T11:58:00Z"), 1, 1, 1, "m", dur(300, 30), sess("b")),
		rec(at("2026-03-01T11:59:30Z"), 1, 1, 1, "m", dur(200, 20), sess("a"), func(r *billing.Record) {
			r.Usage.CacheReadTokens = 50
		}),
		rec(at("2026-03-01T12:30:00Z"), 1, 1, 1, "m", dur(7, 7), sess("future")), // after the clock
	}
}

func parseT(t *testing.T) func(string) time.Time {
	return func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func TestStatsOverview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s, withLocation(mustLoc(t, "Asia/Shanghai")))
		h.write(overviewRecords(parseT(t))...)
		var v overviewView
		h.admin("GET", "/api/v1/stats/overview", nil).want(200).decode(&v)
		if v.Timezone != "Asia/Shanghai" || v.Now != "2026-03-01T12:00:00Z" {
			t.Fatalf("header %+v", v)
		}
		td, yd := v.Today, v.Yesterday
		if td.From != "2026-02-28T16:00:00Z" || td.To != "2026-03-01T12:00:00Z" ||
			yd.From != "2026-02-27T16:00:00Z" || yd.To != "2026-02-28T16:00:00Z" {
			t.Fatalf("ranges today %s–%s yesterday %s–%s", td.From, td.To, yd.From, yd.To)
		}
		if td.Requests != 3 || td.Errors != 0 || td.CostUSD != "0.000003" || td.InputTokens != 300 ||
			td.CacheReadInputTokens != 50 || td.Tokens != 380 || *td.ErrorRate != 0 ||
			*td.AvgDurationMs != 200 || *td.P95DurationMs != 300 || *td.AvgTTFBMs != 20 || *td.P95TTFBMs != 30 || td.LatencySample != 3 {
			t.Fatalf("today %+v", td)
		}
		if yd.Requests != 2 || yd.Errors != 1 || *yd.ErrorRate != 0.5 || *yd.SuccessRate != 0.5 ||
			yd.CostUSD != "0.000001" || *yd.P95DurationMs != 3000 || *yd.AvgDurationMs != 2000 ||
			*yd.P95TTFBMs != 100 || *yd.AvgTTFBMs != 100 {
			t.Fatalf("yesterday %+v", yd)
		}
		if v.ActiveSessions != 2 || v.SessionTTLSeconds != 300 || v.RPM != 1 {
			t.Fatalf("live: sessions %d ttl %d rpm %d", v.ActiveSessions, v.SessionTTLSeconds, v.RPM)
		}

		// The settings' timezone and session TTL win over the environment.
		h.admin("PATCH", "/api/v1/settings", map[string]any{"timezone": "UTC", "session_ttl_seconds": 60}).want(200)
		h.admin("GET", "/api/v1/stats/overview", nil).want(200).decode(&v)
		if v.Timezone != "UTC" || v.Today.Requests != 2 || v.Yesterday.Requests != 3 || v.Today.From != "2026-03-01T00:00:00Z" {
			t.Fatalf("in UTC: %+v", v)
		}
		if v.ActiveSessions != 1 || v.SessionTTLSeconds != 60 {
			t.Fatalf("ttl 60: sessions %d ttl %d", v.ActiveSessions, v.SessionTTLSeconds)
		}
	})
}

func TestStatsOverviewEmpty(t *testing.T) {
	h := newSQLiteHarness(t)
	v := h.admin("GET", "/api/v1/stats/overview", nil).want(200).json()
	today := v["today"].(map[string]any)
	if num(today["requests"]) != 0 || today["p95_duration_ms"] != nil || today["error_rate"] != nil ||
		today["avg_ttfb_ms"] != nil || today["cost_usd"] != "0.00" || v["timezone"] != "UTC" {
		t.Fatalf("empty overview %s", h.admin("GET", "/api/v1/stats/overview", nil).Body)
	}
}

func TestStatsTimeseries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s, withLocation(mustLoc(t, "Asia/Shanghai")))
		alice := h.createUser("alice", nil)
		bob := h.createUser("bob", nil)
		at := parseT(t)
		h.write(
			rec(at("2026-03-01T09:10:00Z"), alice, 1, 1, "m1"),
			rec(at("2026-03-01T09:50:00Z"), alice, 1, 1, "m2"),
			rec(at("2026-03-01T10:20:00Z"), bob, 2, 2, "m1", func(r *billing.Record) { r.StatusCode = 429 }),
			rec(at("2026-03-01T11:59:00Z"), bob, 2, 2, "m1"),
			rec(at("2026-02-28T15:30:00Z"), bob, 2, 2, "m1"),   // Feb 28 23:30 in Shanghai
			rec(at("2026-03-01T12:10:00Z"), alice, 1, 1, "m1"), // after the clock: not shown
		)
		var v seriesView
		h.admin("GET", "/api/v1/stats/timeseries?bucket=hour&from=2026-03-01T09:30:00Z&to=2026-03-01T12:00:00Z&split=model", nil).
			want(200).decode(&v)
		if v.Bucket != "hour" || v.Split != "model" || v.From != "2026-03-01T09:00:00Z" || v.To != "2026-03-01T12:00:00Z" || len(v.Items) != 3 {
			t.Fatalf("hour series %+v", v)
		}
		want := []struct {
			start    string
			requests int64
			groups   int
		}{{"2026-03-01T09:00:00Z", 2, 2}, {"2026-03-01T10:00:00Z", 1, 1}, {"2026-03-01T11:00:00Z", 1, 1}}
		for i, w := range want {
			p := v.Items[i]
			if p.Start != w.start || p.Requests != w.requests || len(p.Groups) != w.groups {
				t.Fatalf("bucket %d: %+v", i, p)
			}
		}
		if g := v.Items[0].Groups; *g[0].Name != "m1" || g[0].ID != nil || g[0].Requests != 1 || *g[1].Name != "m2" {
			t.Fatalf("model groups %+v", g)
		}
		if v.Items[1].Errors != 1 || *v.Items[1].SuccessRate != 0 {
			t.Fatalf("error bucket %+v", v.Items[1])
		}

		// Days in Shanghai, split by user with names; the default range is 30 days.
		h.admin("GET", "/api/v1/stats/timeseries?bucket=day&split=user", nil).want(200).decode(&v)
		if len(v.Items) != 30 || v.Timezone != "Asia/Shanghai" || v.Items[29].Start != "2026-02-28T16:00:00Z" {
			t.Fatalf("day series: %d items, last %+v", len(v.Items), v.Items[len(v.Items)-1])
		}
		last, prev := v.Items[29], v.Items[28]
		if last.Requests != 4 || len(last.Groups) != 2 || *last.Groups[0].ID != alice || *last.Groups[0].Name != "alice" ||
			*last.Groups[1].Name != "bob" || last.Groups[1].Requests != 2 || prev.Requests != 1 {
			t.Fatalf("Mar 1 %+v, Feb 28 %+v", last, prev)
		}
		for _, p := range v.Items[:28] {
			if p.Requests != 0 || len(p.Groups) != 0 || p.CostUSD != "0.00" {
				t.Fatalf("empty day %+v", p)
			}
		}

		// Filters.
		h.admin("GET", "/api/v1/stats/timeseries?bucket=day&from=2026-02-28T00:00:00Z&user_id="+itoa(bob)+"&model=m1", nil).want(200).decode(&v)
		var total int64
		for _, p := range v.Items {
			total += p.Requests
		}
		if total != 3 || len(v.Items[0].Groups) != 0 {
			t.Fatalf("bob's m1 requests %d, want 3; %+v", total, v.Items)
		}

		// A deleted user keeps its id and loses its name.
		h.admin("DELETE", "/api/v1/users/"+itoa(alice), nil).want(204)
		h.admin("GET", "/api/v1/stats/timeseries?bucket=day&from=2026-03-01T00:00:00%2B08:00&split=user", nil).want(200).decode(&v)
		if g := v.Items[0].Groups; len(g) != 2 || *g[0].ID != alice || g[0].Name != nil {
			t.Fatalf("deleted user group %+v", g)
		}
	})
}

func TestStatsTimeseriesBadParams(t *testing.T) {
	h := newSQLiteHarness(t)
	for q, field := range map[string]string{
		"bucket=week":             "bucket",
		"split=team":              "split",
		"from=yesterday":          "from",
		"to=2026-13-01T00:00:00Z": "to",
		"from=2026-03-01T00:00:00Z&to=2026-02-01T00:00:00Z":             "to",
		"from=2026-03-01T00:00:00Z&to=2026-03-01T00:00:00Z":             "to",
		"bucket=hour&from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z": "from",
		"bucket=day&from=2020-01-01T00:00:00Z":                          "from",
		"user_id=abc":                                                   "user_id",
		"key_id=0":                                                      "key_id",
		"provider_id=-1":                                                "provider_id",
	} {
		h.admin("GET", "/api/v1/stats/timeseries?"+q, nil).wantError(400, field)
	}
}

func TestLeaderboardPeriodsAndTimezones(t *testing.T) {
	at := parseT(t)
	// Monday 2026-03-02 00:30 in Shanghai = Sunday 2026-03-01 16:30 UTC.
	now := at("2026-03-01T16:30:00Z")
	records := func(alice, bob int) []billing.Record {
		cost := func(n int64) func(*billing.Record) { return func(r *billing.Record) { r.CostNano = n } }
		return []billing.Record{
			rec(at("2026-03-01T16:10:00Z"), alice, 0, 0, "m", cost(100)), // Mon 00:10 Shanghai
			rec(at("2026-03-01T15:59:00Z"), bob, 0, 0, "m", cost(300)),   // Sun 23:59 Shanghai
			rec(at("2026-02-28T15:00:00Z"), bob, 0, 0, "m", cost(500)),   // Feb 28 23:00 Shanghai
			rec(at("2026-02-20T15:00:00Z"), alice, 0, 0, "m", cost(50)),  // previous week, February
		}
	}
	type row struct {
		name string
		cost string
	}
	cases := []struct {
		tz     string
		period string
		from   any
		want   []row
	}{
		{"Asia/Shanghai", "daily", "2026-03-01T16:00:00Z", []row{{"alice", "0.0000001"}}},
		{"Asia/Shanghai", "weekly", "2026-03-01T16:00:00Z", []row{{"alice", "0.0000001"}}},
		{"Asia/Shanghai", "monthly", "2026-02-28T16:00:00Z", []row{{"bob", "0.0000003"}, {"alice", "0.0000001"}}},
		{"Asia/Shanghai", "all", nil, []row{{"bob", "0.0000008"}, {"alice", "0.00000015"}}},
		// Sunday in UTC: the day began at 00:00, the week on Monday Feb 23, the month on Mar 1.
		{"UTC", "daily", "2026-03-01T00:00:00Z", []row{{"bob", "0.0000003"}, {"alice", "0.0000001"}}},
		{"UTC", "weekly", "2026-02-23T00:00:00Z", []row{{"bob", "0.0000008"}, {"alice", "0.0000001"}}},
		{"UTC", "monthly", "2026-03-01T00:00:00Z", []row{{"bob", "0.0000003"}, {"alice", "0.0000001"}}},
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s, withLocation(mustLoc(t, "Asia/Shanghai")))
		h.clock.t = now
		alice, bob := h.createUser("alice", nil), h.createUser("bob", nil)
		h.write(records(alice, bob)...)
		for _, c := range cases {
			h.admin("PATCH", "/api/v1/settings", map[string]any{"timezone": c.tz}).want(200)
			var v leaderboardView
			h.admin("GET", "/api/v1/leaderboard?scope=user&period="+c.period, nil).want(200).decode(&v)
			var from any
			if v.From != nil {
				from = *v.From
			}
			if from != c.from || v.To != "2026-03-01T16:30:00Z" || v.Timezone != c.tz || len(v.Items) != len(c.want) {
				t.Fatalf("%s %s: %+v", c.tz, c.period, v)
			}
			for i, w := range c.want {
				it := v.Items[i]
				if it.Rank != i+1 || *it.Name != w.name || it.CostUSD != w.cost {
					t.Fatalf("%s %s item %d: %+v, want %+v", c.tz, c.period, i, it, w)
				}
			}
		}
	})
}

func TestLeaderboardScopes(t *testing.T) {
	h := newSQLiteHarness(t)
	at := parseT(t)
	alice := h.createUser("alice", nil)
	k1, _ := h.createKey(alice, map[string]any{"name": "laptop"})
	pid := h.admin("POST", "/api/v1/providers", validProvider()).want(201).id()
	slow := func(r *billing.Record) { r.TTFBMs, r.StatusCode = 300, 502 }
	h.write(
		rec(at("2026-03-01T10:00:00Z"), alice, k1, pid, "claude", func(r *billing.Record) { r.Usage.CacheReadTokens = 1000 }),
		rec(at("2026-03-01T10:05:00Z"), alice, k1, pid, "claude", slow),
		rec(at("2026-03-01T10:06:00Z"), alice, k1, 0, "gpt", func(r *billing.Record) { r.CostNano = 0 }), // never reached a provider
		rec(at("2026-03-01T10:07:00Z"), 0, 0, 0, "", func(r *billing.Record) { r.StatusCode = 401 }),     // unauthenticated
	)
	var v leaderboardView
	h.admin("GET", "/api/v1/leaderboard?scope=key", nil).want(200).decode(&v)
	if len(v.Items) != 1 || *v.Items[0].ID != k1 || *v.Items[0].Name != "laptop" || *v.Items[0].UserID != alice ||
		*v.Items[0].UserName != "alice" || v.Items[0].Requests != 3 {
		t.Fatalf("key scope %+v", v.Items)
	}
	v = leaderboardView{} // decode leaves members the body omits as they were
	h.admin("GET", "/api/v1/leaderboard?scope=provider&period=all", nil).want(200).decode(&v)
	p := v.Items
	if len(p) != 1 || *p[0].Name != "anthropic-main" || p[0].Requests != 2 || *p[0].SuccessRate != 0.5 ||
		*p[0].AvgTTFBMs != 200 || p[0].Tokens != 1220 || p[0].CacheReadInputTokens != 1000 || p[0].UserID != nil {
		t.Fatalf("provider scope %+v", p)
	}
	h.admin("GET", "/api/v1/leaderboard?scope=model&period=monthly", nil).want(200).decode(&v)
	if len(v.Items) != 2 || *v.Items[0].Name != "claude" || v.Items[0].ID != nil || *v.Items[1].Name != "gpt" {
		t.Fatalf("model scope %+v", v.Items)
	}
	// Paging: one per page.
	h.admin("GET", "/api/v1/leaderboard?scope=model&limit=1", nil).want(200).decode(&v)
	if len(v.Items) != 1 || v.NextCursor == nil || *v.NextCursor != 1 || v.Items[0].Rank != 1 {
		t.Fatalf("page 1 %+v", v)
	}
	h.admin("GET", "/api/v1/leaderboard?scope=model&limit=1&cursor=1", nil).want(200).decode(&v)
	if len(v.Items) != 1 || v.NextCursor != nil || v.Items[0].Rank != 2 || *v.Items[0].Name != "gpt" {
		t.Fatalf("page 2 %+v", v)
	}
	h.admin("GET", "/api/v1/leaderboard?scope=model&cursor=5", nil).want(200).decode(&v)
	if len(v.Items) != 0 || v.NextCursor != nil {
		t.Fatalf("past the end %+v", v)
	}
	for q, field := range map[string]string{
		"scope=team": "scope", "period=yearly": "period", "limit=0": "limit", "limit=501": "limit",
		"cursor=-1": "cursor", "cursor=x": "cursor",
	} {
		h.admin("GET", "/api/v1/leaderboard?"+q, nil).wantError(400, field)
	}
}

func TestActiveSessionsRoute(t *testing.T) {
	h := newSQLiteHarness(t)
	at := parseT(t)
	alice := h.createUser("alice", nil)
	k1, _ := h.createKey(alice, map[string]any{"name": "laptop"})
	pid := h.admin("POST", "/api/v1/providers", validProvider()).want(201).id()
	sess := func(s string) func(*billing.Record) { return func(r *billing.Record) { r.SessionID = s } }
	h.write(
		rec(at("2026-03-01T11:00:00Z"), alice, k1, pid, "claude", sess("s1")), // before the window, still in s1's totals
		rec(at("2026-03-01T11:58:00Z"), alice, k1, pid, "claude", sess("s1")),
		rec(at("2026-03-01T11:59:00Z"), alice, k1, pid, "claude", sess("s2")),
		rec(at("2026-03-01T11:50:00Z"), alice, k1, pid, "claude", sess("old")),
		rec(at("2026-03-01T11:59:30Z"), 99, 98, 97, "gpt", sess("s3")), // deleted user, key, provider
	)
	var l list[activeSessionView]
	h.admin("GET", "/api/v1/sessions", nil).want(200).decode(&l)
	if len(l.Items) != 3 || l.NextCursor != nil {
		t.Fatalf("sessions %+v", l)
	}
	s3, s2, s1 := l.Items[0], l.Items[1], l.Items[2]
	if s3.SessionID != "s3" || s3.UserName != nil || s3.KeyName != nil || s3.ProviderName != nil || s3.UserID != 99 {
		t.Fatalf("s3 %+v", s3)
	}
	if s1.SessionID != "s1" || s1.Requests != 2 || *s1.UserName != "alice" || *s1.KeyName != "laptop" ||
		*s1.ProviderName != "anthropic-main" || s1.FirstSeen != "2026-03-01T11:00:00Z" || s1.LastSeen != "2026-03-01T11:58:00Z" ||
		s1.CostUSD != "0.000002" || s1.Tokens != 220 || s2.SessionID != "s2" {
		t.Fatalf("s1 %+v", s1)
	}
	h.admin("GET", "/api/v1/sessions?limit=2", nil).want(200).decode(&l)
	if len(l.Items) != 2 || l.NextCursor == nil || *l.NextCursor != 2 {
		t.Fatalf("page 1 %+v", l)
	}
	h.admin("GET", "/api/v1/sessions?limit=2&cursor=2", nil).want(200).decode(&l)
	if len(l.Items) != 1 || l.Items[0].SessionID != "s1" || l.NextCursor != nil {
		t.Fatalf("page 2 %+v", l)
	}
	h.admin("GET", "/api/v1/sessions?key_id="+itoa(k1), nil).want(200).decode(&l)
	if len(l.Items) != 2 {
		t.Fatalf("key filter %+v", l)
	}
	// A longer TTL from the settings brings "old" back.
	h.admin("PATCH", "/api/v1/settings", map[string]any{"session_ttl_seconds": 900}).want(200)
	h.admin("GET", "/api/v1/sessions", nil).want(200).decode(&l)
	if len(l.Items) != 4 {
		t.Fatalf("with a 15-minute TTL: %+v", l)
	}
	for q, field := range map[string]string{"limit=abc": "limit", "cursor=-2": "cursor", "provider_id=x": "provider_id"} {
		h.admin("GET", "/api/v1/sessions?"+q, nil).wantError(400, field)
	}
}
