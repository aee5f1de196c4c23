package store_test

import (
	"context"
	"io/fs"
	"strconv"
	"testing"
	"time"

	"github.com/cchub/cchub/ent/usagehourlydim"
	"github.com/cchub/cchub/pkg/store"
)

// TestUsageDimsMigrationBackfills: upgrading a database that already has hourly rollups fills
// usage_hourly_dims from them, so statistics over old hours stay whole.
func TestUsageDimsMigrationBackfills(t *testing.T) {
	const dimsVersion = "20261125212054"
	storetestEachEmpty(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		dir := embeddedDir(t, s.Dialect)
		names, err := fs.Glob(dir, "*.sql")
		if err != nil {
			t.Fatal(err)
		}
		before := map[string]string{}
		for _, n := range names {
			if n < dimsVersion {
				b, err := fs.ReadFile(dir, n)
				if err != nil {
					t.Fatal(err)
				}
				before[n] = string(b)
			}
		}
		if err := store.MigrateFS(ctx, s, migrationFS(t, before)); err != nil {
			t.Fatal(err)
		}
		h := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
		for i, r := range []struct {
			user, key, provider int
			model               string
			cost                int64
		}{{1, 10, 100, "a", 1}, {1, 11, 100, "b", 2}, {2, 20, 101, "a", 4}} {
			if err := s.Client.UsageHourly.Create().SetHourStart(h.Add(time.Duration(i%2) * time.Hour)).
				SetUserID(r.user).SetKeyID(r.key).SetProviderID(r.provider).SetModel(r.model).
				SetRequestCount(1).SetCostNano(r.cost).Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		rows, err := s.Client.UsageHourlyDim.Query().All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, r := range rows {
			got[r.HourStart.UTC().Format("15")+"/"+string(r.Dim)+"/"+itoaStr(r.DimID)+"/"+r.Model] = r.CostNano
		}
		want := map[string]int64{
			"10/total/0/": 5, "11/total/0/": 2,
			"10/user/1/": 1, "10/user/2/": 4, "11/user/1/": 2,
			"10/key/10/": 1, "10/key/20/": 4, "11/key/11/": 2,
			"10/provider/100/": 1, "10/provider/101/": 4, "11/provider/100/": 2,
			"10/model/0/a": 5, "11/model/0/b": 2,
		}
		if len(got) != len(want) {
			t.Fatalf("backfilled %v, want %v", got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("backfilled %v, want %v", got, want)
			}
		}
		if n, _ := s.Client.UsageHourlyDim.Query().Where(usagehourlydim.DimEQ(usagehourlydim.DimTotal)).Count(ctx); n != 2 {
			t.Fatalf("%d total rows", n)
		}
	})
}

func itoaStr(n int) string { return strconv.Itoa(n) }
