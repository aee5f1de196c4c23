package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/cchub/cchub/pkg/store"
	"github.com/cchub/cchub/pkg/store/storetest"
)

func TestSettingsDefaultsAndUpdate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		def, err := s.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if def.SiteTitle != "cchub" || def.Timezone != "" || def.LogRetentionDays != 0 || def.PriceSyncedAt != nil {
			t.Fatalf("defaults %+v", def)
		}
		again, err := s.Settings(ctx)
		if err != nil || again.ID != def.ID {
			t.Fatalf("second read %+v %v", again, err)
		}
		title, days := "Team hub", 30
		now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
		up, err := s.UpdateSettings(ctx, store.SettingsPatch{SiteTitle: &title, LogRetentionDays: &days}, now)
		if err != nil || up.SiteTitle != title || up.LogRetentionDays != 30 || up.Timezone != "" || !up.UpdatedAt.Equal(now) {
			t.Fatalf("update %+v %v", up, err)
		}
		n, err := s.Client.SystemSetting.Query().Count(ctx)
		if err != nil || n != 1 {
			t.Fatalf("%d settings rows, err %v", n, err)
		}
	})
}

// TestClaimPriceSync: of two claims for the same due sync only one wins; the next is due an
// interval later; SetPriceSyncedAt moves the schedule without touching updated_at.
func TestClaimPriceSync(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
		claim := func(at time.Time) bool {
			t.Helper()
			ok, err := s.ClaimPriceSync(ctx, at, 6*time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !claim(now) {
			t.Fatal("first claim lost")
		}
		if claim(now) || claim(now.Add(5*time.Hour)) {
			t.Fatal("claimed twice within the interval")
		}
		if !claim(now.Add(6 * time.Hour)) {
			t.Fatal("claim an interval later lost")
		}
		before, _ := s.Settings(ctx)
		if err := s.SetPriceSyncedAt(ctx, now); err != nil {
			t.Fatal(err)
		}
		after, _ := s.Settings(ctx)
		if after.PriceSyncedAt == nil || !after.PriceSyncedAt.Equal(now) || !after.UpdatedAt.Equal(before.UpdatedAt) {
			t.Fatalf("after SetPriceSyncedAt: %+v (before %+v)", after, before)
		}
	})
}
