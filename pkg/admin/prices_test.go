package admin

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cchub/cchub/ent/modelprice"
	"github.com/cchub/cchub/pkg/billing"
	"github.com/cchub/cchub/pkg/store"
)

// priceTable is a LiteLLM-format file with its two non-model keys.
const priceTable = `{
  "sample_spec": {"input_cost_per_token": 0, "output_cost_per_token": 0},
  "fallback_generalizations": {"rules": []},
  "claude-sonnet-4-5": {"input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05, "litellm_provider": "anthropic"},
  "gpt-5": {"input_cost_per_token": 1.25e-06, "output_cost_per_token": 1e-05, "litellm_provider": "openai"},
  "team-model": {"input_cost_per_token": 1e-06, "output_cost_per_token": 1e-06}
}`

// priceServer serves body on 127.0.0.1 and counts the requests.
func priceServer(t *testing.T, status int, body string) (string, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var hits atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL + "/prices.json", &hits
}

func seedPrices(t *testing.T, s *store.Store, data string) {
	t.Helper()
	entries, err := billing.ParseLiteLLM([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := store.UpsertSyncedPrices(context.Background(), s, entries); err != nil {
		t.Fatal(err)
	}
}

func TestPricesListSearchAndPaging(t *testing.T) {
	h := newSQLiteHarness(t)
	seedPrices(t, h.store, priceTable)
	var l list[priceView]
	h.admin("GET", "/api/v1/prices", nil).want(200).decode(&l)
	if len(l.Items) != 3 || l.NextCursor != nil {
		t.Fatalf("list %+v", l)
	}
	p := l.Items[0]
	if p.ModelName != "claude-sonnet-4-5" || p.Source != "litellm" || p.LitellmProvider != "anthropic" ||
		*p.InputPerMtok != "3.00" || *p.OutputPerMtok != "15.00" || *p.CacheRead != "0.30" || *p.CacheWrite5m != "3.75" ||
		*p.CacheWrite1h != "6.00" || !strings.Contains(string(p.PriceData), `"input_cost_per_token":3e-06`) {
		t.Fatalf("item %+v %s", p, p.PriceData)
	}
	h.admin("GET", "/api/v1/prices?q=GPT", nil).want(200).decode(&l)
	if len(l.Items) != 1 || l.Items[0].ModelName != "gpt-5" {
		t.Fatalf("search %+v", l)
	}
	h.admin("GET", "/api/v1/prices?limit=2", nil).want(200).decode(&l)
	if len(l.Items) != 2 || l.NextCursor == nil {
		t.Fatalf("page 1 %+v", l)
	}
	h.admin("GET", "/api/v1/prices?limit=2&cursor="+itoa(*l.NextCursor), nil).want(200).decode(&l)
	if len(l.Items) != 1 || l.Items[0].ModelName != "team-model" || l.NextCursor != nil {
		t.Fatalf("page 2 %+v", l)
	}
	h.admin("GET", "/api/v1/prices?q=nothing-like-this", nil).want(200).decode(&l)
	if len(l.Items) != 0 || l.NextCursor != nil {
		t.Fatalf("no match %+v", l)
	}
	for q, field := range map[string]string{"source=cloud": "source", "limit=0": "limit", "cursor=x": "cursor", "q=" + strings.Repeat("a", 257): "q"} {
		h.admin("GET", "/api/v1/prices?"+q, nil).wantError(400, field)
	}
}

func TestManualPrice(t *testing.T) {
	h := newSQLiteHarness(t)
	seedPrices(t, h.store, priceTable)
	// Replacing a synced price: 200, now manual.
	r := h.admin("POST", "/api/v1/prices", map[string]any{
		"model_name": "gpt-5", "input_cost_per_token": 2e-06, "output_cost_per_token": "0.00002",
		"cache_read_input_token_cost": 0, "litellm_provider": "openai", "max_tokens": 128000,
		"input_cost_per_token_above_272k_tokens": 4e-06,
	}).want(200)
	var p priceView
	r.decode(&p)
	if p.Source != "manual" || *p.InputPerMtok != "2.00" || *p.OutputPerMtok != "20.00" || *p.CacheRead != "0.00" {
		t.Fatalf("manual %+v %s", p, p.PriceData)
	}
	if got := h.changesSeen(); len(got) == 0 || got[len(got)-1] != "prices" {
		t.Fatalf("changes %v", got)
	}
	// A new model: 201.
	h.admin("POST", "/api/v1/prices", map[string]any{"model_name": "my-finetune", "output_cost_per_token": 1e-05}).want(201)
	var l list[priceView]
	h.admin("GET", "/api/v1/prices?source=manual", nil).want(200).decode(&l)
	if len(l.Items) != 2 {
		t.Fatalf("manual list %+v", l)
	}
	// The billing table sees the manual price, and a sync keeps it.
	url, _ := priceServer(t, 200, priceTable)
	var sum priceSyncView
	h.admin("POST", "/api/v1/prices/sync", map[string]any{"url": url}).want(200).decode(&sum)
	if sum.KeptManual != 1 || sum.Models != 3 || sum.Unchanged != 2 {
		t.Fatalf("sync summary %+v", sum)
	}
	table, err := store.LoadPriceTable(context.Background(), h.store)
	if err != nil {
		t.Fatal(err)
	}
	if pr, ok := table.Lookup("gpt-5"); !ok || pr.Input != 2_000_000_000 || pr.TierThreshold != 272_000 {
		t.Fatalf("billing price %+v", pr)
	}

	for body, field := range map[string]string{
		`{"input_cost_per_token":1e-6}`:                                   "model_name",
		`{"model_name":"  ","input_cost_per_token":1e-6}`:                 "model_name",
		`{"model_name":"x"}`:                                              "input_cost_per_token",
		`{"model_name":"x","input_cost_per_token":-1}`:                    "input_cost_per_token",
		`{"model_name":"x","input_cost_per_token":"cheap"}`:               "input_cost_per_token",
		`{"model_name":"x","output_cost_per_token":true}`:                 "output_cost_per_token",
		`{"model_name":"x","input_cost_per_token":1e-6,"price":1}`:        "price",
		`{"model_name":"x","input_cost_per_token":1e-6,"max_tokens":1.5}`: "max_tokens",
		`{"model_name":"x","input_cost_per_token":1e-6,"mode":7}`:         "mode",
	} {
		h.admin("POST", "/api/v1/prices", body).wantError(400, field)
	}
	h.admin("POST", "/api/v1/prices", `[1]`).wantError(400, "")
	h.admin("POST", "/api/v1/prices", `{`).wantError(400, "")
}

func TestPriceSyncRoute(t *testing.T) {
	h := newSQLiteHarness(t)
	url, hits := priceServer(t, 200, priceTable)
	// The settings' URL is the default.
	h.admin("PATCH", "/api/v1/settings", map[string]any{"price_sync_url": url}).want(200)
	var sum priceSyncView
	h.admin("POST", "/api/v1/prices/sync", nil).want(200).decode(&sum)
	if sum.Added != 3 || sum.Source != url || hits.Load() != 1 || sum.SyncedAt != "2026-03-01T12:00:00Z" {
		t.Fatalf("sync %+v hits %d", sum, hits.Load())
	}
	if n, _ := h.store.Client.ModelPrice.Query().Where(modelprice.ModelNameIn("sample_spec", "fallback_generalizations")).Count(context.Background()); n != 0 {
		t.Fatal("non-model keys stored")
	}
	if s := h.admin("GET", "/api/v1/settings", nil).want(200).json(); s["price_synced_at"] != "2026-03-01T12:00:00Z" {
		t.Fatalf("price_synced_at %v", s["price_synced_at"])
	}
	// An empty object body also means the default.
	h.admin("POST", "/api/v1/prices/sync", map[string]any{}).want(200).decode(&sum)
	if sum.Added != 0 || sum.Unchanged != 3 {
		t.Fatalf("second sync %+v", sum)
	}

	bad, _ := priceServer(t, 503, "try later")
	r := h.admin("POST", "/api/v1/prices/sync", map[string]any{"url": bad}).wantError(502, "")
	if !r.contains("HTTP 503") {
		t.Fatalf("502 body %s", r.Body)
	}
	html, _ := priceServer(t, 200, "<html></html>")
	h.admin("POST", "/api/v1/prices/sync", map[string]any{"url": html}).wantError(502, "")
	for _, u := range []string{"ftp://example.com/x.json", "file:///etc/passwd", "not a url", ""} {
		body := map[string]any{"url": u}
		if u == "" {
			body = map[string]any{"url": 5}
		}
		h.admin("POST", "/api/v1/prices/sync", body).wantError(400, "url")
	}
	h.admin("POST", "/api/v1/prices/sync", map[string]any{"uri": url}).wantError(400, "uri")

	// One sync at a time.
	h.api.priceSync.Lock()
	h.admin("POST", "/api/v1/prices/sync", nil).wantError(409, "")
	h.api.priceSync.Unlock()
}
