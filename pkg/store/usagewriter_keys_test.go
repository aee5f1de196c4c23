package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/cchub/cchub/pkg/billing"
	"github.com/cchub/cchub/pkg/store"
	"github.com/cchub/cchub/pkg/store/storetest"
)

// TestWriteBatchTouchesKeyLastUsed: the writer records each key's latest request, only forward.
func TestWriteBatchTouchesKeyLastUsed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u, err := s.Client.User.Create().SetName("u").Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		k, err := s.Client.Key.Create().SetUserID(u.ID).SetName("k").SetKeyHash("h1").SetKeyPrefix("sk-1").Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
		rec := func(id string, at time.Time) billing.Record {
			return billing.Record{RequestID: id, CreatedAt: at, UserID: u.ID, KeyID: k.ID, StatusCode: 200, Ledger: true, ProviderChain: []byte("[]")}
		}
		if err := s.WriteBatch(ctx, []billing.Record{rec("a", t0), rec("b", t0.Add(time.Minute))}); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Reader.Key.Get(ctx, k.ID)
		if got.LastUsedAt == nil || !got.LastUsedAt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("last_used_at = %v", got.LastUsedAt)
		}
		if err := s.WriteBatch(ctx, []billing.Record{rec("c", t0.Add(-time.Hour))}); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Reader.Key.Get(ctx, k.ID)
		if !got.LastUsedAt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("an older record moved last_used_at back to %v", got.LastUsedAt)
		}
	})
}
