package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/cchub/cchub/ent"
	"github.com/cchub/cchub/ent/modelprice"
	"github.com/cchub/cchub/pkg/billing"
	"github.com/cchub/cchub/pkg/store"
	"github.com/cchub/cchub/pkg/store/storetest"
)

func TestSeedPrices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		start := time.Now()
		added, err := store.SeedPrices(ctx, s, billing.DefaultPrices())
		elapsed := time.Since(start)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("seeded %d prices in %v", added, elapsed)
		if added != 2521 {
			t.Errorf("added %d; want 2521", added)
		}
		// The target is < 2 s (BenchmarkSeedPrices measures it); the bound here only catches
		// gross regressions, since -race and a loaded CI machine slow SQLite several-fold.
		if elapsed > 10*time.Second {
			t.Errorf("seeding took %v; want well under 10s (target 2s)", elapsed)
		}
		n, err := s.Client.ModelPrice.Query().Count(ctx)
		if err != nil || n != added {
			t.Fatalf("rows = %d, %v; want %d", n, err, added)
		}
		row, err := s.Client.ModelPrice.Query().Where(modelprice.ModelName("claude-sonnet-4-5")).Only(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if row.Source != modelprice.SourceLitellm || row.LitellmProvider != "anthropic" {
			t.Errorf("row = %+v", row)
		}

		// A second start finds the table filled and adds nothing.
		again, err := store.SeedPrices(ctx, s, billing.DefaultPrices())
		if err != nil || again != 0 {
			t.Errorf("second seed = %d, %v; want 0", again, err)
		}

		start = time.Now()
		tab, err := store.LoadPriceTable(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("loaded a table of %d prices in %v", tab.Len(), time.Since(start))
		if tab.Len() != 2521 {
			t.Errorf("table has %d prices; want 2521", tab.Len())
		}
		p, ok := tab.Lookup("claude-sonnet-4-5-20250929")
		u := billing.Usage{InputTokens: 25, OutputTokens: 12, CacheCreationTokens: 100, CacheReadTokens: 200}
		if !ok || billing.Cost(u, p, 1) != 690_000 {
			t.Errorf("oracle through the stored table: %d, %v; want 690000", billing.Cost(u, p, 1), ok)
		}
	})
}

func TestLoadPriceTableManualWins(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mustPrice(t, s, "m-synced", `{"input_cost_per_token": 1e-06}`, modelprice.SourceLitellm)
		// Two rows that alias to the same lookups ("x" finds both bare-name entries): the
		// manual one must win whatever the row order.
		mustPrice(t, s, "anthropic/x", `{"input_cost_per_token": 1e-06}`, modelprice.SourceLitellm)
		mustPrice(t, s, "openrouter/x", `{"input_cost_per_token": 9e-06}`, modelprice.SourceManual)
		mustPrice(t, s, "broken", `{"mode": "image_generation"}`, modelprice.SourceLitellm)
		tab, err := store.LoadPriceTable(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if tab.Len() != 3 {
			t.Errorf("table has %d prices; want 3 (the row without token prices left out)", tab.Len())
		}
		if p, _ := tab.Lookup("x"); p.Input != 9_000_000_000 {
			t.Errorf("x input = %d; want the manual 9e9", p.Input)
		}
	})
}

func TestUpsertSyncedPrices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mustPrice(t, s, "same", `{"input_cost_per_token":1e-06}`, modelprice.SourceLitellm)
		mustPrice(t, s, "changed", `{"input_cost_per_token":1e-06}`, modelprice.SourceLitellm)
		mustPrice(t, s, "mine", `{"input_cost_per_token":7e-06}`, modelprice.SourceManual)
		mustPrice(t, s, "gone-upstream", `{"input_cost_per_token":1e-06}`, modelprice.SourceLitellm)

		entries, err := billing.ParseLiteLLM([]byte(`{
			"same": {"input_cost_per_token": 1e-06},
			"changed": {"input_cost_per_token": 2e-06, "litellm_provider": "openai"},
			"mine": {"input_cost_per_token": 1e-06},
			"new-1": {"input_cost_per_token": 3e-06},
			"new-2": {"output_cost_per_token": 3e-06}
		}`))
		if err != nil {
			t.Fatal(err)
		}
		added, updated, kept, err := store.UpsertSyncedPrices(ctx, s, entries)
		if err != nil {
			t.Fatal(err)
		}
		if added != 2 || updated != 1 || kept != 1 {
			t.Errorf("added %d updated %d kept manual %d; want 2, 1, 1", added, updated, kept)
		}
		want := map[string]string{
			"same":          `{"input_cost_per_token":1e-06}`,
			"changed":       `{"input_cost_per_token":2e-06,"litellm_provider":"openai"}`,
			"mine":          `{"input_cost_per_token":7e-06}`,
			"gone-upstream": `{"input_cost_per_token":1e-06}`,
			"new-1":         `{"input_cost_per_token":3e-06}`,
			"new-2":         `{"output_cost_per_token":3e-06}`,
		}
		rows, err := s.Client.ModelPrice.Query().All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(want) {
			t.Errorf("%d rows; want %d", len(rows), len(want))
		}
		for _, r := range rows {
			if r.PriceData != want[r.ModelName] {
				t.Errorf("%s = %s; want %s", r.ModelName, r.PriceData, want[r.ModelName])
			}
			if r.ModelName == "mine" && r.Source != modelprice.SourceManual {
				t.Error("manual row lost its source")
			}
			if r.ModelName == "changed" && r.LitellmProvider != "openai" {
				t.Errorf("changed provider = %q", r.LitellmProvider)
			}
		}

		// The same sync again changes nothing.
		added, updated, kept, err = store.UpsertSyncedPrices(ctx, s, entries)
		if err != nil || added != 0 || updated != 0 || kept != 1 {
			t.Errorf("repeat sync: %d %d %d %v; want 0 0 1", added, updated, kept, err)
		}
	})
}

func TestUpsertSyncedPricesKeepsManualRow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		// The seed makes "claude-sonnet-4-5" a synced row; then an admin pins it.
		if _, err := store.SeedPrices(ctx, s, billing.DefaultPrices()); err != nil {
			t.Fatal(err)
		}
		pinned := `{"input_cost_per_token":1e-05}`
		if err := s.Client.ModelPrice.Update().Where(modelprice.ModelName("claude-sonnet-4-5")).
			SetPriceData(pinned).SetSource(modelprice.SourceManual).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		entries, err := billing.ParseLiteLLM([]byte(`{"claude-sonnet-4-5": {"input_cost_per_token": 3e-06}}`))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, kept, err := store.UpsertSyncedPrices(ctx, s, entries); err != nil || kept != 1 {
			t.Fatalf("kept %d, %v", kept, err)
		}
		row, err := s.Client.ModelPrice.Query().Where(modelprice.ModelName("claude-sonnet-4-5")).Only(ctx)
		if err != nil || row.PriceData != pinned || row.Source != modelprice.SourceManual {
			t.Errorf("row = %+v, %v; want the pinned manual price", row, err)
		}
	})
}

// On Postgres an admin can pin a row between the sync's read and its write; the conditional
// upsert (DO UPDATE … WHERE source = 'litellm') must still leave it alone. A hook pins the row
// from another connection just before the sync's insert runs.
func TestUpsertSyncedPricesRaceWithPin(t *testing.T) {
	s := storetest.Postgres(t) // SQLite's single writer connection makes this race impossible
	ctx := context.Background()
	mustPrice(t, s, "a", `{"input_cost_per_token":1e-06}`, modelprice.SourceLitellm)
	pinned := `{"input_cost_per_token":5e-06}`
	var once sync.Once
	s.Client.ModelPrice.Use(func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			once.Do(func() {
				if _, err := s.DB.ExecContext(context.Background(),
					`UPDATE model_prices SET source = 'manual', price_data = $1 WHERE model_name = 'a'`, pinned); err != nil {
					t.Error(err)
				}
			})
			return next.Mutate(ctx, m)
		})
	})
	entries, err := billing.ParseLiteLLM([]byte(`{"a": {"input_cost_per_token": 2e-06}, "b": {"input_cost_per_token": 2e-06}}`))
	if err != nil {
		t.Fatal(err)
	}
	added, updated, _, err := store.UpsertSyncedPrices(ctx, s, entries)
	if err != nil || added != 1 || updated != 1 { // counts reflect the (stale) read
		t.Fatalf("added %d updated %d, %v", added, updated, err)
	}
	row, err := s.Client.ModelPrice.Query().Where(modelprice.ModelName("a")).Only(ctx)
	if err != nil || row.PriceData != pinned || row.Source != modelprice.SourceManual {
		t.Errorf("row = %+v, %v; want the pinned manual price", row, err)
	}
	if n, _ := s.Client.ModelPrice.Query().Count(ctx); n != 2 {
		t.Errorf("%d rows; want 2", n)
	}
}

func mustPrice(t *testing.T, s *store.Store, model, data string, src modelprice.Source) {
	t.Helper()
	if err := s.Client.ModelPrice.Create().SetModelName(model).SetPriceData(data).SetSource(src).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkSeedPrices measures the first-start seed of the embedded table (2,521 rows), each
// iteration on a fresh database.
func BenchmarkSeedPrices(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchSeed(b, func() *store.Store { return storetest.SQLite(b) }) })
	b.Run("postgres", func(b *testing.B) { benchSeed(b, func() *store.Store { return storetest.Postgres(b) }) })
}

func benchSeed(b *testing.B, fresh func() *store.Store) {
	data := billing.DefaultPrices()
	for b.Loop() {
		b.StopTimer()
		s := fresh()
		b.StartTimer()
		if _, err := store.SeedPrices(context.Background(), s, data); err != nil {
			b.Fatal(err)
		}
	}
}
