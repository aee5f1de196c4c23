package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/cchub/cchub/ent/modelprice"
	"github.com/cchub/cchub/pkg/billing"
	"github.com/cchub/cchub/pkg/store"
	"github.com/cchub/cchub/pkg/store/storetest"
)

func TestSetManualPriceAndVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		v0, err := s.PricesVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		mustPrice(t, s, "m-synced", `{"input_cost_per_token":1e-06,"output_cost_per_token":2e-06}`, modelprice.SourceLitellm)
		v1, _ := s.PricesVersion(ctx)
		if v1 == v0 {
			t.Fatal("version unchanged after adding a price")
		}
		e, err := billing.ParseEntry("m-synced", []byte(`{"input_cost_per_token":3e-06,"output_cost_per_token":4e-06,"litellm_provider":"acme"}`))
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().Add(time.Hour)
		row, created, err := s.SetManualPrice(ctx, e, now)
		if err != nil || created || row.Source != modelprice.SourceManual || row.LitellmProvider != "acme" {
			t.Fatalf("replace synced: %+v created=%v %v", row, created, err)
		}
		v2, _ := s.PricesVersion(ctx)
		if v2 == v1 {
			t.Fatal("version unchanged after a manual price")
		}
		e.Model = "m-new"
		if _, created, err := s.SetManualPrice(ctx, e, now); err != nil || !created {
			t.Fatalf("new manual: created=%v %v", created, err)
		}
		// A sync keeps both manual rows.
		synced, _ := billing.ParseEntry("m-synced", []byte(`{"input_cost_per_token":9e-06}`))
		_, _, kept, err := store.UpsertSyncedPrices(ctx, s, []billing.Entry{synced})
		if err != nil || kept != 1 {
			t.Fatalf("sync kept %d %v", kept, err)
		}
		table, err := store.LoadPriceTable(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if p, ok := table.Lookup("m-synced"); !ok || p.Input != 3_000_000_000 {
			t.Fatalf("m-synced price %+v %v, want the manual 3e-06 USD per token", p, ok)
		}
	})
}
