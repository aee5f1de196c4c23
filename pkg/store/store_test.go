package store_test

import (
	"context"
	"testing"

	"github.com/cchub/cchub/pkg/store"
	"github.com/cchub/cchub/pkg/store/storetest"
)

func TestOpenMigratePing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.Ping(ctx); err != nil {
			t.Fatal(err)
		}
		u, err := s.Client.User.Create().SetName("alice").Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Reader.User.Get(ctx, u.ID)
		if err != nil || got.Name != "alice" {
			t.Fatalf("reader sees %v, %v", got, err)
		}
	})
}
