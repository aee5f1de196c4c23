package app

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cchub/cchub/ent/modelprice"
	"github.com/cchub/cchub/pkg/admin"
	"github.com/cchub/cchub/pkg/fakeupstream"
	"github.com/cchub/cchub/pkg/store"
)

// TestOpenAPICoversHub walks the whole hub's engine (admin, auth, health, UI, proxy): every
// route under /api must be in the OpenAPI document.
func TestOpenAPICoversHub(t *testing.T) {
	h := startHub(t, testConfig(t, nil))
	n := 0
	for _, rt := range h.srv.Engine.Routes() {
		if !strings.HasPrefix(rt.Path, "/api/") {
			continue
		}
		n++
		if !admin.DocumentedRoute(rt.Method, rt.Path) {
			t.Errorf("%s %s is missing from /api/openapi.json", rt.Method, rt.Path)
		}
	}
	if n < 25 {
		t.Fatalf("only %d /api routes", n)
	}
	if code := getStatus(t, "http://"+h.Addr()+"/api/openapi.json"); code != 200 {
		t.Fatalf("openapi.json: %d", code)
	}
}

// TestManualPriceBillsAtOnce: a manual price set through the admin API is what the next
// request is billed with (the app reloads the gateway's price table on the change).
func TestManualPriceBillsAtOnce(t *testing.T) {
	up, err := fakeupstream.Start(fakeupstream.Options{InputTokens: 3, OutputTokens: 4}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	base := "http://" + startHub(t, testConfig(t, nil)).Addr()
	var p, u struct{ ID int }
	if code := adminCall(t, base, "POST", "/api/v1/providers", `{"name":"fake","type":"claude","url":"`+up.URL+`","key":"k"}`, &p); code != 201 {
		t.Fatalf("create provider: %d", code)
	}
	if code := adminCall(t, base, "POST", "/api/v1/users", `{"name":"bob"}`, &u); code != 201 {
		t.Fatalf("create user: %d", code)
	}
	var k struct{ Key string }
	if code := adminCall(t, base, "POST", "/api/v1/users/"+itoa(u.ID)+"/keys", `{"name":"laptop"}`, &k); code != 201 {
		t.Fatalf("create key: %d", code)
	}
	if code := adminCall(t, base, "POST", "/api/v1/prices",
		`{"model_name":"claude-sonnet-4-5","input_cost_per_token":0.001,"output_cost_per_token":0.002}`, nil); code != 200 {
		t.Fatalf("manual price: %d", code)
	}
	if code := relayStatus(t, base, k.Key); code != 200 {
		t.Fatalf("relay: %d", code)
	}
	var logs struct {
		Items []struct {
			CostUSD string `json:"cost_usd"`
		} `json:"items"`
	}
	// The billing writer flushes asynchronously: wait for the row, bounded.
	if !eventually(t, 5*time.Second, func() bool {
		adminCall(t, base, "GET", "/api/v1/logs", "", &logs)
		return len(logs.Items) == 1
	}) {
		t.Fatal("no request log")
	}
	if logs.Items[0].CostUSD != "0.011" { // 3 × $0.001 + 4 × $0.002
		t.Fatalf("cost %s, want 0.011", logs.Items[0].CostUSD)
	}
	// The statistics see it too.
	var ov struct {
		Today struct {
			Requests int64  `json:"requests"`
			CostUSD  string `json:"cost_usd"`
		} `json:"today"`
	}
	adminCall(t, base, "GET", "/api/v1/stats/overview", "", &ov)
	if ov.Today.Requests != 1 || ov.Today.CostUSD != "0.011" {
		t.Fatalf("overview %+v", ov)
	}
}

const cliTable = `{
  "sample_spec": {"input_cost_per_token": 0},
  "fallback_generalizations": {"rules": []},
  "claude-sonnet-4-5": {"input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05},
  "cli-model": {"input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06}
}`

func TestPricesSyncCommand(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "prices.json")
	if err := os.WriteFile(file, []byte(cliTable), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := Main(context.Background(), append([]string{"prices"}, args...), &out, &errb)
		return code, out.String(), errb.String()
	}
	code, out, errs := run("sync", "--file", file, "--data-dir", dir)
	if code != 0 || !strings.Contains(out, "reading "+file) || !strings.Contains(out, "parsed 2 priced models") ||
		!strings.Contains(out, "2 models; added 2, updated 0, kept manual 0, unchanged 0") {
		t.Fatalf("file sync: %d\n%s\n%s", code, out, errs)
	}

	// A manual price survives a sync from a URL.
	st, err := store.Open(context.Background(), store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Client.ModelPrice.Update().Where(modelprice.ModelName("cli-model")).
		SetSource(modelprice.SourceManual).Save(context.Background()); err != nil {
		t.Fatal(err)
	}
	st.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(strings.Replace(cliTable, "3e-06", "4e-06", 1)))
	}))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	defer srv.Close()
	code, out, errs = run("sync", "--url="+srv.URL+"/p.json", "--data-dir", dir)
	if code != 0 || !strings.Contains(out, "added 0, updated 1, kept manual 1, unchanged 0") || !strings.Contains(out, "(100%)") {
		t.Fatalf("url sync: %d\n%s\n%s", code, out, errs)
	}

	for _, bad := range [][]string{
		{"sync", "--url", "https://x/p.json", "--file", file},
		{"sync", "--url"},
		{"sync", "--url", "ftp://x"},
		{"refresh"},
		{"sync", "--bogus"},
	} {
		if code, _, _ := run(bad...); code != exitConfig {
			t.Errorf("%v: exit %d, want %d", bad, code, exitConfig)
		}
	}
	if code, _, errs := run("sync", "--file", filepath.Join(dir, "missing.json"), "--data-dir", dir); code != exitFail || !strings.Contains(errs, "missing.json") {
		t.Fatalf("missing file: %d %s", code, errs)
	}
}
