package pricesync_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cchub/cchub/ent/modelprice"
	"github.com/cchub/cchub/pkg/billing"
	"github.com/cchub/cchub/pkg/pricesync"
	"github.com/cchub/cchub/pkg/store"
	"github.com/cchub/cchub/pkg/store/storetest"
)

// table is a small LiteLLM-format file with both non-model keys.
const table = `{
    "sample_spec": {"input_cost_per_token": 0, "output_cost_per_token": 0, "litellm_provider": "one of https://docs.litellm.ai/docs/providers"},
    "fallback_generalizations": {"rules": [{"pattern": "^claude-.*", "target": "claude-sonnet-4-5"}]},
    "claude-sonnet-4-5": {"input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05, "litellm_provider": "anthropic"},
    "gpt-5": {"input_cost_per_token": 1.25e-06, "output_cost_per_token": 1e-05, "litellm_provider": "openai"},
    "my-model": {"input_cost_per_token": 1e-06, "output_cost_per_token": 1e-06},
    "dall-e-3": {"output_cost_per_image": 0.04}
}
`

// local serves body on 127.0.0.1 and counts requests.
func local(t *testing.T, status int, body string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL + "/model_prices_and_context_window.json"
}

func setManual(t *testing.T, s *store.Store, model, data string) {
	t.Helper()
	e, err := billing.ParseEntry(model, []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SetManualPrice(context.Background(), e, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
}

func TestFromURLKeepsManualAndSkipsNonModels(t *testing.T) {
	s := storetest.SQLite(t)
	ctx := context.Background()
	setManual(t, s, "my-model", `{"input_cost_per_token":5e-06,"output_cost_per_token":5e-06}`)
	var stages []string
	p := pricesync.ProgressFunc(func(stage, source string, done, total int64) { stages = append(stages, stage) })
	sum, err := pricesync.FromURL(ctx, s, nil, local(t, 200, table), p)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Models != 3 || sum.Added != 2 || sum.Updated != 0 || sum.KeptManual != 1 || sum.Unchanged != 0 || sum.Bytes != len(table) {
		t.Fatalf("summary %+v", sum)
	}
	if strings.Join(stages, ",") != "fetch,download,parse,apply" {
		t.Fatalf("stages %v", stages)
	}
	for _, skipped := range []string{"sample_spec", "fallback_generalizations", "dall-e-3"} {
		if n, _ := s.Client.ModelPrice.Query().Where(modelprice.ModelName(skipped)).Count(ctx); n != 0 {
			t.Errorf("%s stored", skipped)
		}
	}
	row, err := s.Client.ModelPrice.Query().Where(modelprice.ModelName("my-model")).Only(ctx)
	if err != nil || row.Source != modelprice.SourceManual || !strings.Contains(row.PriceData, "5e-06") {
		t.Fatalf("manual row %+v %v", row, err)
	}
	// Again: nothing changes.
	sum, err = pricesync.FromURL(ctx, s, nil, local(t, 200, table), nil)
	if err != nil || sum.Added != 0 || sum.Updated != 0 || sum.Unchanged != 2 || sum.KeptManual != 1 {
		t.Fatalf("second sync %+v %v", sum, err)
	}
}

func TestFromFile(t *testing.T) {
	s := storetest.SQLite(t)
	path := filepath.Join(t.TempDir(), "prices.json")
	if err := os.WriteFile(path, []byte(table), 0o600); err != nil {
		t.Fatal(err)
	}
	sum, err := pricesync.FromFile(context.Background(), s, path, nil)
	if err != nil || sum.Added != 3 || sum.Source != path {
		t.Fatalf("%+v %v", sum, err)
	}
	changed := strings.Replace(table, "1.25e-06", "1.5e-06", 1)
	if err := os.WriteFile(path, []byte(changed), 0o600); err != nil {
		t.Fatal(err)
	}
	sum, err = pricesync.FromFile(context.Background(), s, path, nil)
	if err != nil || sum.Updated != 1 || sum.Unchanged != 2 {
		t.Fatalf("after a change %+v %v", sum, err)
	}
	if _, err := pricesync.FromFile(context.Background(), s, filepath.Join(t.TempDir(), "missing.json"), nil); err == nil {
		t.Fatal("missing file accepted")
	}
}

// TestSnapshotFile syncs the full LiteLLM snapshot shipped with the project.
func TestSnapshotFile(t *testing.T) {
	s := storetest.SQLite(t)
	sum, err := pricesync.FromFile(context.Background(), s, "../billing/litellm/model_prices.json", nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Models < 1000 || sum.Added != sum.Models {
		t.Fatalf("%+v", sum)
	}
}

func TestFromURLErrors(t *testing.T) {
	s := storetest.SQLite(t)
	ctx := context.Background()
	if _, err := pricesync.FromURL(ctx, s, nil, local(t, 404, "not found"), nil); err == nil || !strings.Contains(err.Error(), "HTTP 404") {
		t.Fatalf("404: %v", err)
	}
	if _, err := pricesync.FromURL(ctx, s, nil, local(t, 200, "<html>rate limited</html>"), nil); err == nil {
		t.Fatal("HTML accepted")
	}
	if _, err := pricesync.FromURL(ctx, s, nil, local(t, 200, `{"sample_spec":{}}`), nil); !errors.Is(err, pricesync.ErrEmpty) {
		t.Fatalf("empty table: %v", err)
	}
	for _, u := range []string{"file:///etc/passwd", "ftp://x/y", "/relative", "http://"} {
		if _, err := pricesync.FromURL(ctx, s, nil, u, nil); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
	if n, _ := s.Client.ModelPrice.Query().Count(ctx); n != 0 {
		t.Fatalf("%d rows after failed syncs", n)
	}
}
