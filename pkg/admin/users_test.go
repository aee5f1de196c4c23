package admin

import (
	"context"
	"reflect"
	"testing"

	"github.com/cchub/cchub/ent/authsession"
	"github.com/cchub/cchub/pkg/store"
	"github.com/cchub/cchub/pkg/store/storetest"
)

func fullUser() map[string]any {
	return map[string]any{
		"name":                      "alice",
		"description":               "platform team",
		"role":                      "admin",
		"is_enabled":                true,
		"expires_at":                "2027-01-01T08:00:00+08:00",
		"provider_group":            "team-a",
		"rpm_limit":                 60,
		"daily_limit_usd":           "25.5",
		"daily_reset_mode":          "fixed",
		"daily_reset_time":          "09:15",
		"limit_5h_usd":              5,
		"limit_5h_reset_mode":       "fixed",
		"limit_weekly_usd":          "100",
		"limit_monthly_usd":         "300.75",
		"limit_total_usd":           "1000",
		"limit_concurrent_sessions": 4,
		"allowed_models":            []any{"claude-sonnet-4-5"},
		"cost_reset_at":             "2026-02-01T00:00:00.5Z",
	}
}

func TestUserCRUD(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s)
		var v userView
		h.admin("POST", "/api/v1/users", fullUser()).want(201).decode(&v)
		want := userView{
			ID: v.ID, Name: "alice", Description: "platform team", Role: "admin", IsEnabled: true,
			ExpiresAt: ptr("2027-01-01T00:00:00Z"), ProviderGroup: "team-a", RPMLimit: ptr(60),
			DailyLimitUSD: ptr("25.50"), AllowedModels: []string{"claude-sonnet-4-5"},
			limitsView: limitsView{
				Limit5hUSD: ptr("5.00"), Limit5hResetMode: "fixed", DailyResetMode: "fixed",
				DailyResetTime: "09:15", LimitWeeklyUSD: ptr("100.00"), LimitMonthlyUSD: ptr("300.75"),
				LimitTotalUSD: ptr("1000.00"), LimitConcurrentSessions: 4,
				CostResetAt: ptr("2026-02-01T00:00:00.5Z"),
			},
			CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt,
		}
		if !reflect.DeepEqual(v, want) {
			t.Fatalf("created\n got %+v\nwant %+v", v, want)
		}
		id := itoa(v.ID)

		var got userView
		h.admin("GET", "/api/v1/users/"+id, nil).want(200).decode(&got)
		if !reflect.DeepEqual(got, v) {
			t.Fatalf("GET %+v", got)
		}
		var l list[userView]
		h.admin("GET", "/api/v1/users", nil).want(200).decode(&l)
		if len(l.Items) != 1 || !reflect.DeepEqual(l.Items[0], v) {
			t.Fatalf("list %+v", l)
		}

		var p userView
		h.admin("PATCH", "/api/v1/users/"+id, map[string]any{"daily_reset_time": "00:30", "role": "user"}).want(200).decode(&p)
		want.DailyResetTime, want.Role, want.UpdatedAt = "00:30", "user", p.UpdatedAt
		if !reflect.DeepEqual(p, want) {
			t.Fatalf("patch\n got %+v\nwant %+v", p, want)
		}
		p = userView{}
		h.admin("PATCH", "/api/v1/users/"+id, map[string]any{
			"expires_at": nil, "rpm_limit": nil, "daily_limit_usd": nil, "limit_5h_usd": nil,
			"limit_weekly_usd": nil, "limit_monthly_usd": nil, "limit_total_usd": nil,
			"allowed_models": nil, "cost_reset_at": nil,
		}).want(200).decode(&p)
		want = userView{ID: v.ID, Name: "alice", Description: "platform team", Role: "user", IsEnabled: true,
			ProviderGroup: "team-a", AllowedModels: []string{},
			limitsView: limitsView{Limit5hResetMode: "fixed", DailyResetMode: "fixed", DailyResetTime: "00:30",
				LimitConcurrentSessions: 4},
			CreatedAt: v.CreatedAt, UpdatedAt: p.UpdatedAt}
		if !reflect.DeepEqual(p, want) {
			t.Fatalf("cleared\n got %+v\nwant %+v", p, want)
		}

		h.admin("DELETE", "/api/v1/users/"+id, nil).want(204)
		h.admin("GET", "/api/v1/users/"+id, nil).wantError(404, "")
		h.admin("PATCH", "/api/v1/users/"+id, map[string]any{"name": "b"}).wantError(404, "")
		h.admin("DELETE", "/api/v1/users/"+id, nil).wantError(404, "")
		if got := h.changesSeen(); !reflect.DeepEqual(got, []string{"users", "users", "users", "users"}) {
			t.Fatalf("OnChange %v", got)
		}
	})
}

func TestUserDefaults(t *testing.T) {
	h := newSQLiteHarness(t)
	var v userView
	h.admin("POST", "/api/v1/users", map[string]any{"name": "bob"}).want(201).decode(&v)
	if v.Role != "user" || !v.IsEnabled || v.ExpiresAt != nil || v.ProviderGroup != "default" ||
		v.RPMLimit != nil || v.DailyLimitUSD != nil || v.AllowedModels == nil || len(v.AllowedModels) != 0 ||
		v.DailyResetMode != "fixed" || v.DailyResetTime != "00:00" || v.Limit5hResetMode != "rolling" ||
		v.LimitConcurrentSessions != 0 || v.Description != "" {
		t.Fatalf("defaults %+v", v)
	}
}

// Deleting a user deletes its keys and their web sessions, and nothing of other users.
func TestUserDeleteCascades(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s)
		ctx := context.Background()
		alice := h.createUser("alice", nil)
		bob := h.createUser("bob", nil)
		_, ak1 := h.createKey(alice, map[string]any{"can_login_web_ui": true})
		ak2ID, _ := h.createKey(alice, nil)
		bkID, bk := h.createKey(bob, map[string]any{"can_login_web_ui": true})
		aliceSession := h.login(ak1)
		bobSession := h.login(bk)
		adminSession := h.login(testToken)

		h.admin("DELETE", "/api/v1/users/"+itoa(alice), nil).want(204)
		if n, _ := s.Client.Key.Query().Count(ctx); n != 1 {
			t.Fatalf("%d keys left, want bob's only", n)
		}
		h.admin("GET", "/api/v1/keys/"+itoa(ak2ID), nil).wantError(404, "")
		h.admin("GET", "/api/v1/keys/"+itoa(bkID), nil).want(200)
		h.req("GET", "/api/v1/me", nil, cookie(aliceSession)).wantError(401, "")
		h.req("GET", "/api/v1/me", nil, cookie(bobSession)).want(200)
		h.req("GET", "/api/v1/users", nil, cookie(adminSession)).want(200)
		kinds, _ := s.Client.AuthSession.Query().Select(authsession.FieldKind).Strings(ctx)
		if len(kinds) != 2 {
			t.Fatalf("sessions left %v, want bob's and the admin's", kinds)
		}
		h.req("POST", "/api/auth/login", map[string]any{"token": ak1}).wantError(401, "token")
	})
}

func TestUserBadInput(t *testing.T) {
	h := newSQLiteHarness(t)
	cases := []badInput{
		{"name", absent{}, ""}, {"name", "", ""}, {"name", nil, ""}, {"name", repeat("x", 129), ""},
		{"description", 7, ""}, {"description", repeat("d", 1025), ""},
		{"role", "root", ""}, {"role", nil, ""},
		{"is_enabled", "true", ""},
		{"expires_at", "tomorrow", ""}, {"expires_at", "2026-13-01T00:00:00Z", ""}, {"expires_at", 5, ""},
		{"provider_group", repeat("p", 201), ""}, {"provider_group", nil, ""},
		{"rpm_limit", -1, ""}, {"rpm_limit", "60", ""}, {"rpm_limit", 2.5, ""},
		{"daily_limit_usd", -1, ""}, {"daily_limit_usd", "1,5", ""}, {"daily_limit_usd", "", ""},
		{"limit_daily_usd", 5, ""}, // keys and providers spell it this way; users do not
		{"daily_reset_mode", "hourly", ""},
		{"daily_reset_time", "25:00", ""}, {"daily_reset_time", "12:5", ""}, {"daily_reset_time", "ab:cd", ""},
		{"daily_reset_time", "", ""}, {"daily_reset_time", nil, ""},
		{"limit_5h_usd", "x", ""}, {"limit_5h_reset_mode", "sliding", ""},
		{"limit_weekly_usd", -0.01, ""}, {"limit_monthly_usd", "1e5", ""}, {"limit_total_usd", map[string]any{}, ""},
		{"limit_concurrent_sessions", -2, ""}, {"limit_concurrent_sessions", 1 << 33, ""},
		{"allowed_models", "all", ""}, {"allowed_models", []any{"a", 2}, ""},
		{"cost_reset_at", "now", ""},
		{"keys", []any{}, ""}, {"tags", []any{}, ""}, {"Name", "x", ""},
	}
	expectBadInputs(t, h, "POST", "/api/v1/users", map[string]any{"name": "ok"}, cases)
	if n, _ := h.store.Client.User.Query().Count(context.Background()); n != 0 {
		t.Fatalf("%d users written by bad requests", n)
	}
	id := h.createUser("target", nil)
	var patchCases []badInput
	for _, c := range cases {
		if _, ok := c.value.(absent); !ok {
			patchCases = append(patchCases, c)
		}
	}
	expectBadInputs(t, h, "PATCH", "/api/v1/users/"+itoa(id), map[string]any{}, patchCases)
	var v userView
	h.admin("GET", "/api/v1/users/"+itoa(id), nil).want(200).decode(&v)
	if v.Name != "target" || v.RPMLimit != nil {
		t.Fatalf("bad PATCH changed the user: %+v", v)
	}
}

func TestBadIDs(t *testing.T) {
	h := newSQLiteHarness(t)
	for _, p := range []string{"/api/v1/users/", "/api/v1/keys/", "/api/v1/providers/"} {
		for _, id := range []string{"0", "-1", "abc", "1.5", "99999999999999999999", "2147483648", "999"} {
			h.admin("GET", p+id, nil).wantError(404, "")
			h.admin("PATCH", p+id, map[string]any{}).wantError(404, "")
			h.admin("DELETE", p+id, nil).wantError(404, "")
		}
	}
	h.admin("GET", "/api/v1/users/999/keys", nil).wantError(404, "")
	h.admin("POST", "/api/v1/users/999/keys", map[string]any{"name": "k"}).wantError(404, "")
	h.admin("POST", "/api/v1/users/abc/keys", map[string]any{"name": "k"}).wantError(404, "")
	if got := h.changesSeen(); len(got) != 0 {
		t.Fatalf("OnChange on failed requests: %v", got)
	}
}
