package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cchub/cchub/pkg/secretbox"
	"github.com/cchub/cchub/pkg/store"
	"github.com/cchub/cchub/pkg/store/storetest"
)

// TestProviderKeysEncryptedAtRest: with SECRET_KEY set, the database holds only ciphertext,
// the catalog sees the plaintext, older plaintext keys get sealed, and a wrong secret fails loudly.
func TestProviderKeysEncryptedAtRest(t *testing.T) {
	t.Cleanup(func() { secretbox.Configure("") })
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		secretbox.Configure("")
		old, err := s.Client.Provider.Create().SetName("old").SetType("claude").SetURL("http://x").SetAPIKey("sk-ant-OLD-plain").Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		secretbox.Configure("a long enough secret")
		p, err := s.Client.Provider.Create().SetName("new").SetType("codex").SetURL("http://x").SetAPIKey("sk-NEW-secret").Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := s.SealProviderKeys(ctx); err != nil || n != 1 {
			t.Fatalf("sealed %d, %v", n, err)
		}
		var raw []string
		q, err := s.DB.QueryContext(ctx, "SELECT api_key FROM providers ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		for q.Next() {
			var v string
			q.Scan(&v)
			raw = append(raw, v)
		}
		q.Close()
		for _, v := range raw {
			if !strings.HasPrefix(v, secretbox.Prefix) || strings.Contains(v, "OLD") || strings.Contains(v, "NEW") {
				t.Fatalf("plaintext at rest: %q", v)
			}
		}
		snap, err := s.LoadCatalog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if snap.Provider(old.ID).APIKey != "sk-ant-OLD-plain" || snap.Provider(p.ID).APIKey != "sk-NEW-secret" {
			t.Fatal("catalog must see the plaintext keys")
		}
		secretbox.Configure("the wrong secret")
		if _, err := s.LoadCatalog(ctx); !errors.Is(err, secretbox.ErrWrongSecret) {
			t.Fatalf("wrong secret: %v", err)
		}
		secretbox.Configure("")
		if _, err := s.SealProviderKeys(ctx); !errors.Is(err, secretbox.ErrNoSecret) {
			t.Fatalf("no secret: %v", err)
		}
	})
}
