package admin

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/cchub/cchub/pkg/store"
	"github.com/cchub/cchub/pkg/store/storetest"
)

func fullProvider() map[string]any {
	return map[string]any{
		"name":                              "openai-backup",
		"description":                       "second line",
		"type":                              "openai-compatible",
		"url":                               "https://api.example.com/v1",
		"key":                               "  sk-proj-UPSTREAM-very-secret-key-0123456789-wxyz\n",
		"is_enabled":                        false,
		"weight":                            7,
		"priority":                          2,
		"cost_multiplier":                   1.5,
		"group_tag":                         "team-a,team-b",
		"model_redirects":                   map[string]any{"gpt-4": "gpt-4o"},
		"allowed_models":                    []any{"gpt-4o", "gpt-4o-mini"},
		"limit_5h_usd":                      "10",
		"limit_5h_reset_mode":               "fixed",
		"limit_daily_usd":                   2.5,
		"daily_reset_mode":                  "rolling",
		"daily_reset_time":                  "08:30",
		"limit_weekly_usd":                  "100.123456789",
		"limit_monthly_usd":                 1000,
		"limit_total_usd":                   "0",
		"limit_concurrent_sessions":         3,
		"cost_reset_at":                     "2026-02-01T00:00:00Z",
		"max_retry_attempts":                4,
		"circuit_breaker_failure_threshold": 0,
		"circuit_breaker_open_duration_ms":  60000,
		"circuit_breaker_half_open_success_threshold": 3,
		"first_byte_timeout_ms":                       30000,
		"streaming_idle_timeout_ms":                   120000,
		"request_timeout_ms":                          600000,
		"proxy_url":                                   "socks5://127.0.0.1:1080",
	}
}

const fullProviderKey = "sk-proj-UPSTREAM-very-secret-key-0123456789-wxyz"

func TestProviderCRUD(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s)
		ctx := context.Background()
		r := h.admin("POST", "/api/v1/providers", fullProvider()).want(201)
		var v providerView
		r.decode(&v)
		id := v.ID
		want := providerView{
			ID: id, Name: "openai-backup", Description: "second line", Type: "openai-compatible",
			URL: "https://api.example.com/v1", KeyMasked: "sk-p…wxyz", IsEnabled: false, Weight: 7,
			Priority: 2, CostMultiplier: 1.5, GroupTag: "team-a,team-b",
			ModelRedirects: map[string]string{"gpt-4": "gpt-4o"},
			AllowedModels:  []string{"gpt-4o", "gpt-4o-mini"},
			LimitDailyUSD:  ptr("2.50"),
			limitsView: limitsView{
				Limit5hUSD: ptr("10.00"), Limit5hResetMode: "fixed", DailyResetMode: "rolling",
				DailyResetTime: "08:30", LimitWeeklyUSD: ptr("100.123456789"),
				LimitMonthlyUSD: ptr("1000.00"), LimitTotalUSD: ptr("0.00"),
				LimitConcurrentSessions: 3, CostResetAt: ptr("2026-02-01T00:00:00Z"),
			},
			MaxRetryAttempts: ptr(4), CircuitBreakerFailureThreshold: 0,
			CircuitBreakerOpenDurationMs: 60000, CircuitBreakerHalfOpenSuccessThreshold: 3,
			FirstByteTimeoutMs: 30000, StreamingIdleTimeoutMs: 120000, RequestTimeoutMs: 600000,
			ProxyURL: "socks5://127.0.0.1:1080", CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt,
		}
		if !reflect.DeepEqual(v, want) {
			t.Fatalf("created\n got %+v\nwant %+v", v, want)
		}
		if v.CreatedAt == "" || v.UpdatedAt == "" {
			t.Fatal("timestamps missing")
		}
		// Every documented field is in the JSON, under its SPEC name.
		m := r.json()
		for _, f := range providerFields {
			if f == "key" {
				continue
			}
			if _, ok := m[f]; !ok {
				t.Errorf("response lacks %q", f)
			}
		}
		if _, ok := m["key"]; ok {
			t.Error("response has a key member")
		}
		// Stored exactly: money in nano-USD, key trimmed.
		row, err := s.Client.Provider.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if *row.LimitDailyNano != 2_500_000_000 || *row.LimitWeeklyNano != 100_123_456_789 || row.APIKey != fullProviderKey {
			t.Fatalf("stored daily=%d weekly=%d key-trimmed=%v", *row.LimitDailyNano, *row.LimitWeeklyNano, row.APIKey == fullProviderKey)
		}

		var got providerView
		h.admin("GET", "/api/v1/providers/"+itoa(id), nil).want(200).decode(&got)
		if !reflect.DeepEqual(got, v) {
			t.Fatalf("GET differs from create:\n%+v\n%+v", got, v)
		}
		var l list[providerView]
		h.admin("GET", "/api/v1/providers", nil).want(200).decode(&l)
		if len(l.Items) != 1 || !reflect.DeepEqual(l.Items[0], v) || l.NextCursor != nil {
			t.Fatalf("list %+v", l)
		}

		// PATCH is partial: only weight changes.
		var p providerView
		h.admin("PATCH", "/api/v1/providers/"+itoa(id), map[string]any{"weight": 9}).want(200).decode(&p)
		want2 := v
		want2.Weight = 9
		want2.UpdatedAt = p.UpdatedAt
		if !reflect.DeepEqual(p, want2) {
			t.Fatalf("patch weight\n got %+v\nwant %+v", p, want2)
		}
		// null clears nullable fields and resets lists and maps.
		p = providerView{}
		h.admin("PATCH", "/api/v1/providers/"+itoa(id), map[string]any{
			"limit_5h_usd": nil, "limit_daily_usd": nil, "limit_weekly_usd": nil,
			"limit_monthly_usd": nil, "limit_total_usd": nil, "max_retry_attempts": nil,
			"model_redirects": nil, "allowed_models": nil, "cost_reset_at": nil,
		}).want(200).decode(&p)
		if p.Limit5hUSD != nil || p.LimitDailyUSD != nil || p.LimitWeeklyUSD != nil ||
			p.LimitMonthlyUSD != nil || p.LimitTotalUSD != nil || p.MaxRetryAttempts != nil ||
			len(p.ModelRedirects) != 0 || len(p.AllowedModels) != 0 || p.CostResetAt != nil ||
			p.Weight != 9 || p.Name != "openai-backup" || p.ProxyURL != "socks5://127.0.0.1:1080" {
			t.Fatalf("after clearing %+v", p)
		}
		cleared := h.admin("GET", "/api/v1/providers/"+itoa(id), nil).want(200)
		if !cleared.contains(`"limit_daily_usd":null`) || !cleared.contains(`"model_redirects":{}`) ||
			!cleared.contains(`"allowed_models":[]`) || !cleared.contains(`"max_retry_attempts":null`) {
			t.Fatalf("cleared fields not shown as null/empty: %s", cleared.Body)
		}
		// Changing the key changes the mask; the key itself stays write-only.
		h.admin("PATCH", "/api/v1/providers/"+itoa(id), map[string]any{"key": "sk-ant-NEWKEY-000000000000-abcd"}).want(200).decode(&p)
		if p.KeyMasked != "sk-a…abcd" {
			t.Fatalf("mask %q", p.KeyMasked)
		}
		// An empty PATCH is a no-op that still answers with the object.
		h.admin("PATCH", "/api/v1/providers/"+itoa(id), map[string]any{}).want(200)

		h.admin("DELETE", "/api/v1/providers/"+itoa(id), nil).want(204)
		h.admin("GET", "/api/v1/providers/"+itoa(id), nil).wantError(404, "")
		h.admin("PATCH", "/api/v1/providers/"+itoa(id), map[string]any{"weight": 2}).wantError(404, "")
		h.admin("DELETE", "/api/v1/providers/"+itoa(id), nil).wantError(404, "")
		if got := h.changesSeen(); !reflect.DeepEqual(got, []string{"providers", "providers", "providers", "providers", "providers", "providers"}) {
			t.Fatalf("OnChange calls %v", got)
		}
	})
}

func TestProviderDefaults(t *testing.T) {
	h := newSQLiteHarness(t)
	var v providerView
	h.admin("POST", "/api/v1/providers", validProvider()).want(201).decode(&v)
	if !v.IsEnabled || v.Weight != 1 || v.Priority != 0 || v.CostMultiplier != 1 || v.GroupTag != "" ||
		v.ModelRedirects == nil || v.AllowedModels == nil || v.Limit5hUSD != nil || v.LimitDailyUSD != nil ||
		v.MaxRetryAttempts != nil || v.CircuitBreakerFailureThreshold != 5 ||
		v.CircuitBreakerOpenDurationMs != 1_800_000 || v.CircuitBreakerHalfOpenSuccessThreshold != 2 ||
		v.FirstByteTimeoutMs != 0 || v.ProxyURL != "" || v.DailyResetMode != "fixed" ||
		v.DailyResetTime != "00:00" || v.Limit5hResetMode != "rolling" || v.KeyMasked != "sk-a…wxyz" {
		t.Fatalf("defaults %+v", v)
	}
}

func TestProviderKeyMasking(t *testing.T) {
	cases := map[string]string{
		"sk-ant-api03-abcdefghijkl-wxyz": "sk-a…wxyz",
		"short":                          "****",
		"fifteen-chars-x":                "****",
		"":                               "****",
	}
	for in, want := range cases {
		if got := maskUpstreamKey(in); got != want {
			t.Errorf("mask(%q) = %q, want %q", in, got, want)
		}
	}
	h := newSQLiteHarness(t)
	body := validProvider()
	body["key"] = "tiny-key"
	r := h.admin("POST", "/api/v1/providers", body).want(201)
	if !r.contains(`"key_masked":"****"`) || r.contains("tiny") {
		t.Fatalf("short key shown: %s", r.Body)
	}
}

func TestProviderBadInput(t *testing.T) {
	h := newSQLiteHarness(t)
	cases := []badInput{
		{"name", absent{}, ""}, {"type", absent{}, ""}, {"url", absent{}, ""}, {"key", absent{}, ""},
		{"name", "", ""}, {"name", "   ", ""}, {"name", repeat("n", 129), ""}, {"name", nil, ""}, {"name", 5, ""},
		{"description", repeat("d", 1025), ""},
		{"type", "anthropic", ""}, {"type", "", ""},
		{"url", "ftp://example.com", ""}, {"url", "example.com/v1", ""}, {"url", "/v1/messages", ""},
		{"url", "https://", ""}, {"url", "https://user:pw@example.com", ""}, {"url", "https://example.com/" + repeat("a", 2048), ""},
		{"key", "", ""}, {"key", " \n", ""}, {"key", 12345, ""}, {"key", nil, ""},
		{"is_enabled", "yes", ""}, {"is_enabled", 1, ""}, {"is_enabled", nil, ""},
		{"weight", 0, ""}, {"weight", 1001, ""}, {"weight", 1.5, ""}, {"weight", "5", ""}, {"weight", nil, ""},
		{"priority", "high", ""}, {"priority", 1 << 40, ""},
		{"cost_multiplier", -0.1, ""}, {"cost_multiplier", "abc", ""}, {"cost_multiplier", nil, ""},
		{"group_tag", repeat("g", 256), ""},
		{"model_redirects", []any{"a"}, ""}, {"model_redirects", map[string]any{"a": 1}, ""},
		{"model_redirects", map[string]any{"": "b"}, ""}, {"model_redirects", map[string]any{"a": ""}, ""}, {"model_redirects", "a=b", ""},
		{"allowed_models", "gpt-4o", ""}, {"allowed_models", []any{1}, ""}, {"allowed_models", []any{""}, ""},
		{"allowed_models", map[string]any{}, ""},
		{"limit_5h_usd", -1, ""}, {"limit_daily_usd", "abc", ""}, {"limit_weekly_usd", "1.0000000001", ""},
		{"limit_monthly_usd", true, ""}, {"limit_total_usd", "-5", ""}, {"limit_total_usd", []any{}, ""},
		{"limit_concurrent_sessions", -1, ""}, {"limit_concurrent_sessions", nil, ""},
		{"limit_5h_reset_mode", "daily", ""}, {"daily_reset_mode", "weekly", ""},
		{"daily_reset_time", "24:00", ""}, {"daily_reset_time", "8:30", ""}, {"daily_reset_time", "08:60", ""},
		{"daily_reset_time", "0830", ""}, {"daily_reset_time", "+8:30", ""},
		{"cost_reset_at", "yesterday", ""}, {"cost_reset_at", "2026-01-02", ""}, {"cost_reset_at", 1700000000, ""},
		{"max_retry_attempts", 0, ""}, {"max_retry_attempts", 11, ""},
		{"circuit_breaker_failure_threshold", -1, ""}, {"circuit_breaker_open_duration_ms", -1, ""},
		{"circuit_breaker_half_open_success_threshold", 0, ""},
		{"first_byte_timeout_ms", -1, ""}, {"streaming_idle_timeout_ms", -1, ""}, {"request_timeout_ms", -1, ""},
		{"request_timeout_ms", 1.5, ""},
		{"proxy_url", "ftp://proxy:21", ""}, {"proxy_url", "socks4://proxy:1080", ""}, {"proxy_url", "proxy:8080", ""},
		{"proxy_url", nil, ""},
		{"weigth", 5, ""}, {"id", 1, ""}, {"key_masked", "x", ""}, {"created_at", "2026-01-01T00:00:00Z", ""},
	}
	expectBadInputs(t, h, "POST", "/api/v1/providers", validProvider(), cases)

	// The same checks apply to PATCH, where every member is optional.
	id := h.admin("POST", "/api/v1/providers", validProvider()).want(201).id()
	var patchCases []badInput
	for _, c := range cases {
		if _, ok := c.value.(absent); !ok {
			patchCases = append(patchCases, c)
		}
	}
	expectBadInputs(t, h, "PATCH", "/api/v1/providers/"+itoa(id), map[string]any{}, patchCases)

	// Nothing was written by any rejected request.
	n, err := h.store.Client.Provider.Query().Count(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("%d providers, want 1 (%v)", n, err)
	}
	var v providerView
	h.admin("GET", "/api/v1/providers/"+itoa(id), nil).want(200).decode(&v)
	if v.Weight != 1 || v.Name != "anthropic-main" {
		t.Fatalf("rejected PATCH changed the provider: %+v", v)
	}
	// A valid field next to an invalid one is not applied either.
	h.admin("PATCH", "/api/v1/providers/"+itoa(id), map[string]any{"weight": 3, "url": "nope"}).wantError(400, "url")
	h.admin("GET", "/api/v1/providers/"+itoa(id), nil).want(200).decode(&v)
	if v.Weight != 1 {
		t.Fatal("half-applied PATCH")
	}
}

func TestProviderAcceptedEdgeValues(t *testing.T) {
	h := newSQLiteHarness(t)
	for field, value := range map[string]any{
		"weight": 1000, "cost_multiplier": 0, "max_retry_attempts": 10, "proxy_url": "",
		"limit_daily_usd": "0.000000001", "daily_reset_time": "23:59", "priority": -3,
		"url": "http://10.0.0.5:8080", "limit_total_usd": 1e3,
	} {
		body := validProvider()
		body[field] = value
		h.admin("POST", "/api/v1/providers", body).want(201)
	}
	body := validProvider()
	body["cost_multiplier"] = "0.25"
	var v providerView
	h.admin("POST", "/api/v1/providers", body).want(201).decode(&v)
	if v.CostMultiplier != 0.25 {
		t.Fatalf("cost_multiplier %v", v.CostMultiplier)
	}
	body = validProvider()
	body["limit_total_usd"] = 1e3
	h.admin("POST", "/api/v1/providers", body).want(201).decode(&v)
	if *v.LimitTotalUSD != "1000.00" {
		t.Fatalf("1e3 → %s", *v.LimitTotalUSD)
	}
}

func TestProviderMalformedBodies(t *testing.T) {
	h := newSQLiteHarness(t)
	for _, body := range []string{``, `{`, `{"name":}`, `[1]`, `"x"`, `null`, `{"name":"a",}`, `{"name":"a"} x`} {
		h.admin("POST", "/api/v1/providers", body).wantError(400, "")
	}
	id := h.admin("POST", "/api/v1/providers", validProvider()).want(201).id()
	for _, body := range []string{``, `{`, `[]`, `null`, `{"weight":1}{}`} {
		h.admin("PATCH", "/api/v1/providers/"+itoa(id), body).wantError(400, "")
	}
}

// The upstream key never appears in any response body, nor in the logs.
func TestUpstreamKeyNeverReturned(t *testing.T) {
	h := newSQLiteHarness(t)
	check := func(r *response) {
		t.Helper()
		if r.contains(fullProviderKey) || r.contains("very-secret") {
			t.Fatalf("key leaked: %s", r.Body)
		}
	}
	r := h.admin("POST", "/api/v1/providers", fullProvider()).want(201)
	check(r)
	id := r.id()
	check(h.admin("GET", "/api/v1/providers/"+itoa(id), nil).want(200))
	check(h.admin("GET", "/api/v1/providers", nil).want(200))
	check(h.admin("PATCH", "/api/v1/providers/"+itoa(id), map[string]any{"name": "x"}).want(200))
	check(h.admin("PATCH", "/api/v1/providers/"+itoa(id), map[string]any{"key": fullProviderKey + "-2"}).want(200))
	check(h.admin("PATCH", "/api/v1/providers/"+itoa(id), map[string]any{"key": fullProviderKey, "weight": 0}).wantError(400, "weight"))
	if strings.Contains(h.logs.String(), "very-secret") {
		t.Fatalf("key in logs: %s", h.logs.String())
	}
}

func ptr[T any](v T) *T { return &v }
