package admin

import (
	"context"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cchub/cchub/ent"
	"github.com/cchub/cchub/pkg/store"
	"github.com/cchub/cchub/pkg/store/storetest"
)

// logBase is the created_at of the first seeded row; row n is n minutes later.
var logBase = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// seedLog inserts a request-log row with the given changes over plain defaults and returns it.
func seedLog(t *testing.T, s *store.Store, n int, set func(c *ent.RequestLogCreate)) *ent.RequestLog {
	t.Helper()
	c := s.Client.RequestLog.Create().
		SetRequestID("req-" + itoa(n)).
		SetCreatedAt(logBase.Add(time.Duration(n) * time.Minute)).
		SetEndpoint("/v1/messages").
		SetStatusCode(200)
	if set != nil {
		set(c)
	}
	row, err := c.Save(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return row
}

// seedFilterLogs inserts six rows that the filter tests select from; ids are returned in order.
func seedFilterLogs(t *testing.T, s *store.Store) []int {
	t.Helper()
	sets := []func(c *ent.RequestLogCreate){
		func(c *ent.RequestLogCreate) {
			c.SetUserID(1).SetKeyID(10).SetProviderID(100).SetModel("claude-sonnet-4-5").SetSessionID("s1")
		},
		func(c *ent.RequestLogCreate) {
			c.SetUserID(2).SetKeyID(20).SetProviderID(200).SetModel("gpt-5").SetSessionID("s2").
				SetEndpoint("/v1/responses")
		},
		func(c *ent.RequestLogCreate) {
			// Rejected before any provider.
			c.SetUserID(1).SetKeyID(11).SetModel("claude-sonnet-4-5").SetStatusCode(429).
				SetBlockedBy("rate_limit").SetErrorMessage("rate limited")
		},
		func(c *ent.RequestLogCreate) {
			c.SetUserID(1).SetKeyID(10).SetProviderID(100).SetModel("claude-haiku-4-5").SetSessionID("s1").
				SetStatusCode(500).SetErrorMessage("upstream failed")
		},
		func(c *ent.RequestLogCreate) {
			c.SetUserID(2).SetKeyID(20).SetProviderID(200).SetModel("gpt-5").SetEndpoint("/v1/chat/completions")
		},
		func(c *ent.RequestLogCreate) {
			// Half a millisecond past its minute, to test sub-second bounds.
			c.SetUserID(3).SetKeyID(30).SetProviderID(100).SetModel("claude-sonnet-4-5").
				SetCreatedAt(logBase.Add(6*time.Minute + 500*time.Microsecond))
		},
	}
	var ids []int
	for i, set := range sets {
		ids = append(ids, seedLog(t, s, i+1, set).ID)
	}
	return ids
}

func (h *harness) logIDs(query string) []int {
	h.t.Helper()
	var l list[logView]
	h.admin("GET", "/api/v1/logs"+query, nil).want(200).decode(&l)
	if l.NextCursor != nil {
		h.t.Fatalf("%s: unexpected next_cursor %d", query, *l.NextCursor)
	}
	out := []int{}
	for _, v := range l.Items {
		out = append(out, v.ID)
	}
	return out
}

// pick returns ids at the given 1-based row numbers, newest first, as the list orders them.
func pick(ids []int, rows ...int) []int {
	out := []int{}
	for _, r := range rows {
		out = append(out, ids[r-1])
	}
	sort.Sort(sort.Reverse(sort.IntSlice(out)))
	return out
}

func TestLogItem(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s)
		if r := h.admin("GET", "/api/v1/logs", nil).want(200); string(r.Body) != `{"items":[],"next_cursor":null}` {
			t.Fatalf("empty: %s", r.Body)
		}
		chain := `[{"provider_id":7,"provider_name":"main","reason":"retry_failed","status_code":529},` +
			`{"provider_id":8,"provider_name":"backup","reason":"retry_success","status_code":200}]`
		full := seedLog(t, s, 1, func(c *ent.RequestLogCreate) {
			c.SetUserID(3).SetKeyID(4).SetProviderID(8).SetModel("claude-sonnet-4-5-20250929").
				SetOriginalModel("claude-sonnet-4-5").SetIsStream(true).SetStatusCode(200).
				SetInputTokens(1200).SetOutputTokens(340).SetCacheCreationInputTokens(3000).
				SetCacheCreation5mInputTokens(1000).SetCacheCreation1hInputTokens(2000).
				SetCacheReadInputTokens(50000).SetCostNano(12_345_678).SetDurationMs(2345).
				SetTtfbMs(456).SetSessionID("sess-1").SetProviderChain(chain).
				SetUserAgent("claude-cli/2.0.14 (external, cli)").SetClientIP("203.0.113.9").
				SetCreatedAt(logBase.Add(123456 * time.Microsecond))
		})
		// A blocked request: no provider, no first byte, unpriced; and a chain the writer clipped.
		blocked := seedLog(t, s, 2, func(c *ent.RequestLogCreate) {
			c.SetStatusCode(429).SetBlockedBy("rate_limit").SetErrorMessage("daily limit reached").
				SetPriceMissing(true).SetProviderChain(`[{"provider_id":7,"reason":"ret`)
		})

		want := logView{
			ID: full.ID, CreatedAt: "2026-03-01T10:00:00.123456Z", RequestID: "req-1", UserID: 3,
			KeyID: 4, ProviderID: 8, Model: "claude-sonnet-4-5-20250929",
			OriginalModel: "claude-sonnet-4-5", Endpoint: "/v1/messages", IsStream: true,
			StatusCode: 200, InputTokens: 1200, OutputTokens: 340, CacheCreationInputTokens: 3000,
			CacheCreation5mInputTokens: 1000, CacheCreation1hInputTokens: 2000,
			CacheReadInputTokens: 50000, CostUSD: "0.012345678", DurationMs: 2345, TTFBMs: ptr(int64(456)),
			SessionID: "sess-1", UserAgent: "claude-cli/2.0.14 (external, cli)",
		}
		var got logView
		r := h.admin("GET", "/api/v1/logs/"+itoa(full.ID), nil).want(200)
		r.decode(&got)
		if string(got.ProviderChain) != chain {
			t.Fatalf("provider_chain %s", got.ProviderChain)
		}
		got.ProviderChain = nil
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("item\n got %+v\nwant %+v", got, want)
		}
		// Exactly the documented members, and the chain is an array, not a string.
		m := r.json()
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range m {
				if !yield(k) {
					return
				}
			}
		})
		wantKeys := []string{
			"blocked_by", "cache_creation_1h_input_tokens", "cache_creation_5m_input_tokens",
			"cache_creation_input_tokens", "cache_read_input_tokens", "cost_usd", "created_at",
			"duration_ms", "endpoint", "error_message", "id", "input_tokens", "is_stream", "key_id",
			"model", "original_model", "output_tokens", "price_missing", "provider_chain",
			"provider_id", "request_id", "session_id", "status_code", "ttfb_ms", "user_agent", "user_id",
		}
		if !slices.Equal(keys, wantKeys) {
			t.Fatalf("members %v\nwant    %v", keys, wantKeys)
		}
		if _, ok := m["provider_chain"].([]any); !ok {
			t.Fatalf("provider_chain is %T", m["provider_chain"])
		}
		if r.contains("203.0.113.9") {
			t.Fatal("client_ip is not part of the item")
		}

		b := h.admin("GET", "/api/v1/logs/"+itoa(blocked.ID), nil).want(200)
		for _, s := range []string{`"ttfb_ms":null`, `"provider_chain":[]`, `"cost_usd":"0.00"`,
			`"price_missing":true`, `"blocked_by":"rate_limit"`, `"provider_id":0`} {
			if !b.contains(s) {
				t.Errorf("blocked item lacks %s: %s", s, b.Body)
			}
		}

		// The list shows the same items, newest first.
		var l list[logView]
		h.admin("GET", "/api/v1/logs", nil).want(200).decode(&l)
		if len(l.Items) != 2 || l.Items[0].ID != blocked.ID || l.Items[1].ID != full.ID || l.NextCursor != nil {
			t.Fatalf("list %+v", l)
		}
		got = l.Items[1]
		got.ProviderChain = nil
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("list item\n got %+v\nwant %+v", got, want)
		}

		for _, p := range []string{"999999", "0", "-1", "abc", "1.5", "99999999999999999999"} {
			h.admin("GET", "/api/v1/logs/"+p, nil).wantError(404, "")
		}
		h.req("GET", "/api/v1/logs", nil).wantError(401, "")
		h.req("GET", "/api/v1/logs/"+itoa(full.ID), nil).wantError(401, "")
	})
}

func TestLogFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s)
		ids := seedFilterLogs(t, s)
		at := func(d time.Duration) string { return url.QueryEscape(logBase.Add(d).Format(time.RFC3339Nano)) }
		cases := []struct {
			query string
			rows  []int
		}{
			{"", []int{1, 2, 3, 4, 5, 6}},
			{"?user_id=1", []int{1, 3, 4}},
			{"?user_id=4", nil},
			{"?key_id=20", []int{2, 5}},
			{"?provider_id=100", []int{1, 4, 6}},
			{"?provider_id=0", []int{3}},
			{"?model=gpt-5", []int{2, 5}},
			{"?model=GPT-5", nil},
			{"?model=claude-sonnet-4-5", []int{1, 3, 6}},
			{"?status_code=200", []int{1, 2, 5, 6}},
			{"?status_code=429", []int{3}},
			{"?session_id=s1", []int{1, 4}},
			{"?endpoint=%2Fv1%2Fresponses", []int{2}},
			{"?endpoint=/v1/messages", []int{1, 3, 4, 6}},
			// from is inclusive, to exclusive.
			{"?from=" + at(2*time.Minute), []int{2, 3, 4, 5, 6}},
			{"?to=" + at(2*time.Minute), []int{1}},
			{"?from=" + at(2*time.Minute) + "&to=" + at(4*time.Minute), []int{2, 3}},
			{"?from=" + at(3*time.Minute) + "&to=" + at(3*time.Minute), nil},
			// Sub-second bounds around row 6 at +6m0.0005s.
			{"?from=" + at(6*time.Minute+500*time.Microsecond), []int{6}},
			{"?from=" + at(6*time.Minute+501*time.Microsecond), nil},
			{"?to=" + at(6*time.Minute+500*time.Microsecond), []int{1, 2, 3, 4, 5}},
			{"?to=" + at(6*time.Minute+500*time.Microsecond+1), []int{1, 2, 3, 4, 5, 6}},
			{"?from=" + at(6*time.Minute+499*time.Microsecond+1), []int{6}},
			// Another offset names the same instant; an unencoded "+" arrives as a space.
			{"?from=" + url.QueryEscape("2026-03-01T11:05:00+01:00"), []int{5, 6}},
			{"?from=2026-03-01T11:05:00+01:00", []int{5, 6}},
			{"?to=2026-03-01T05:02:00-05:00", []int{1}},
			// Filters combine with AND; empty parameters are ignored.
			{"?user_id=1&provider_id=100&status_code=200", []int{1}},
			{"?model=claude-sonnet-4-5&from=" + at(2*time.Minute) + "&session_id=", []int{3, 6}},
			{"?user_id=&key_id=&provider_id=&model=&status_code=&session_id=&endpoint=&from=&to=", []int{1, 2, 3, 4, 5, 6}},
		}
		for _, c := range cases {
			if got, want := h.logIDs(c.query), pick(ids, c.rows...); !slices.Equal(got, want) {
				t.Errorf("%s: ids %v, want %v", c.query, got, want)
			}
		}
		// Filters apply across pages: the cursor continues within the filtered set.
		var l list[logView]
		h.admin("GET", "/api/v1/logs?provider_id=100&limit=2", nil).want(200).decode(&l)
		if len(l.Items) != 2 || l.NextCursor == nil || *l.NextCursor != ids[3] {
			t.Fatalf("filtered page 1: %+v", l)
		}
		if got := h.logIDs("?provider_id=100&limit=2&cursor=" + itoa(*l.NextCursor)); !slices.Equal(got, []int{ids[0]}) {
			t.Fatalf("filtered page 2: %v", got)
		}
	})
}

func TestLogPagination(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s)
		var ids []int
		for n := 1; n <= 5; n++ {
			ids = append(ids, seedLog(t, s, n, nil).ID)
		}
		newest := slices.Clone(ids)
		slices.Reverse(newest)

		// Walk with limit 2: 2 + 2 + 1, each cursor the last (smallest) id of its page.
		var walked []int
		cursor := ""
		for n := 0; ; n++ {
			var l list[logView]
			h.admin("GET", "/api/v1/logs?limit=2"+cursor, nil).want(200).decode(&l)
			for _, v := range l.Items {
				walked = append(walked, v.ID)
			}
			if l.NextCursor == nil {
				if len(l.Items) != 1 || n != 2 {
					t.Fatalf("page %d: %+v", n, l)
				}
				break
			}
			if *l.NextCursor != l.Items[len(l.Items)-1].ID {
				t.Fatalf("cursor %d is not the last id", *l.NextCursor)
			}
			cursor = "&cursor=" + itoa(*l.NextCursor)
		}
		if !slices.Equal(walked, newest) {
			t.Fatalf("walked %v, want %v", walked, newest)
		}

		// Exact page size: the rows left fill the page; the list knows nothing follows.
		if got := h.logIDs("?limit=5"); !slices.Equal(got, newest) {
			t.Fatalf("limit=5: %v", got)
		}
		var l list[logView]
		h.admin("GET", "/api/v1/logs?limit=4", nil).want(200).decode(&l)
		if len(l.Items) != 4 || l.NextCursor == nil || *l.NextCursor != ids[1] {
			t.Fatalf("limit=4: %+v", l)
		}
		if got := h.logIDs("?limit=4&cursor=" + itoa(*l.NextCursor)); !slices.Equal(got, []int{ids[0]}) {
			t.Fatalf("after limit=4: %v", got)
		}
		if got := h.logIDs("?limit=1&cursor=" + itoa(ids[1])); !slices.Equal(got, []int{ids[0]}) {
			t.Fatalf("last row alone: %v", got)
		}
		// Past the oldest row: an empty page, items [] and no cursor.
		r := h.admin("GET", "/api/v1/logs?cursor="+itoa(ids[0]), nil).want(200)
		if string(r.Body) != `{"items":[],"next_cursor":null}` {
			t.Fatalf("past the end: %s", r.Body)
		}
		// A cursor above every id (rows since deleted) and cursor=0 both start at the newest.
		if got := h.logIDs("?cursor=" + itoa(ids[4]+1000)); !slices.Equal(got, newest) {
			t.Fatalf("high cursor: %v", got)
		}
		if got := h.logIDs("?cursor=0"); !slices.Equal(got, newest) {
			t.Fatalf("cursor=0: %v", got)
		}
		// Rows written after the first page do not shift later pages (keyset, not offset).
		h.admin("GET", "/api/v1/logs?limit=2", nil).want(200).decode(&l)
		seedLog(t, s, 6, nil)
		if got := h.logIDs("?limit=3&cursor=" + itoa(*l.NextCursor)); !slices.Equal(got, newest[2:]) {
			t.Fatalf("after an insert: %v", got)
		}
	})
}

func TestLogDefaultPageSize(t *testing.T) {
	s := storetest.SQLite(t)
	h := newHarness(t, s)
	creates := make([]*ent.RequestLogCreate, 0, 501)
	for n := range 501 {
		creates = append(creates, s.Client.RequestLog.Create().SetRequestID("bulk-"+itoa(n)).
			SetCreatedAt(logBase.Add(time.Duration(n)*time.Second)))
	}
	if err := s.Client.RequestLog.CreateBulk(creates...).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	var l list[logView]
	h.admin("GET", "/api/v1/logs", nil).want(200).decode(&l)
	if len(l.Items) != 50 || l.NextCursor == nil || *l.NextCursor != l.Items[49].ID || l.Items[0].RequestID != "bulk-500" {
		t.Fatalf("default page: %d items, cursor %v", len(l.Items), l.NextCursor)
	}
	h.admin("GET", "/api/v1/logs?limit=500", nil).want(200).decode(&l)
	if len(l.Items) != 500 || l.NextCursor == nil {
		t.Fatalf("limit=500: %d items, cursor %v", len(l.Items), l.NextCursor)
	}
	h.admin("GET", "/api/v1/logs?limit=500&cursor="+itoa(*l.NextCursor), nil).want(200).decode(&l)
	if len(l.Items) != 1 || l.Items[0].RequestID != "bulk-0" || l.NextCursor != nil {
		t.Fatalf("last page: %+v", l)
	}
}

func TestLogBadParams(t *testing.T) {
	h := newSQLiteHarness(t)
	cases := map[string][]string{
		"limit":       {"0", "501", "-1", "abc", "1.5"},
		"cursor":      {"-1", "abc", "1e3"},
		"user_id":     {"-1", "abc", "1.5", "2147483648", "99999999999999999999", "%20"},
		"key_id":      {"-1", "x"},
		"provider_id": {"-2", "1,2"},
		"status_code": {"-1", "1000", "2xx"},
		"model":       {strings.Repeat("m", 257)},
		"session_id":  {strings.Repeat("s", 129)},
		"endpoint":    {strings.Repeat("e", 129)},
		"from":        {"yesterday", "2026-03-01", "2026-03-01T10:00:00", "2026-13-01T00:00:00Z", "1741000000"},
		"to":          {"2026-03-01%2010:00:00", "2026-03-01T25:00:00Z"},
	}
	for param, values := range cases {
		for _, v := range values {
			h.admin("GET", "/api/v1/logs?"+param+"="+v, nil).wantError(400, param)
		}
	}
	// A range that ends before it starts names to.
	h.admin("GET", "/api/v1/logs?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z", nil).wantError(400, "to")
	// Limits of the accepted ranges.
	for _, q := range []string{"user_id=0", "user_id=2147483647", "status_code=0", "status_code=999",
		"model=" + strings.Repeat("m", 256), "from=2026-03-01T10:00:00.123456789Z"} {
		h.admin("GET", "/api/v1/logs?"+q, nil).want(200)
	}
}
