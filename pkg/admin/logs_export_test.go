package admin

import (
	"bytes"
	"encoding/csv"
	"testing"

	"github.com/cchub/cchub/ent"
)

func TestExportLogsCSV(t *testing.T) {
	h := newSQLiteHarness(t)
	seedFilterLogs(t, h.store)
	seedLog(t, h.store, 7, func(c *ent.RequestLogCreate) {
		c.SetUserID(1).SetModel("=HYPERLINK(\"http://evil\")").SetErrorMessage("-1+2").SetCostNano(1_500_000).
			SetInputTokens(12).SetTtfbMs(34)
	})
	// More rows than one batch, to cross the batch boundary.
	for n := 8; n < 8+exportBatch; n++ {
		seedLog(t, h.store, n, func(c *ent.RequestLogCreate) { c.SetUserID(9) })
	}

	r := h.admin("GET", "/api/v1/logs/export?format=csv&user_id=1", nil).want(200)
	if ct := r.headerValue("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Fatalf("content type %q", ct)
	}
	recs, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1+4 || recs[0][0] != "id" || len(recs[0]) != len(exportHeader) {
		t.Fatalf("want header + 4 rows of user 1, got %d rows: %v", len(recs), recs[0])
	}
	first := recs[1] // newest first: the row seeded last
	col := func(name string) string {
		for i, h := range exportHeader {
			if h == name {
				return first[i]
			}
		}
		t.Fatalf("no column %s", name)
		return ""
	}
	if col("model") != `'=HYPERLINK("http://evil")` || col("error_message") != "'-1+2" {
		t.Fatalf("formula cells not defused: model %q error %q", col("model"), col("error_message"))
	}
	if col("cost_usd") != "0.0015" || col("input_tokens") != "12" || col("ttfb_ms") != "34" || col("user_id") != "1" {
		t.Fatalf("row %v", first)
	}

	all := h.admin("GET", "/api/v1/logs/export?user_id=9", nil).want(200)
	recs, err = csv.NewReader(bytes.NewReader(all.Body)).ReadAll()
	if err != nil || len(recs) != 1+exportBatch {
		t.Fatalf("batched export: %d rows, %v", len(recs), err)
	}
	h.admin("GET", "/api/v1/logs/export?format=xlsx", nil).wantError(400, "format")
	h.admin("GET", "/api/v1/logs/export?user_id=x", nil).wantError(400, "user_id")
}
