// Package storetest opens fresh, migrated databases for tests: SQLite always, Postgres when
// CCHUB_TEST_PG_DSN is set (each test gets its own database, dropped afterwards).
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/cchub/cchub/pkg/store"
)

// SQLite returns a migrated store in a fresh temporary directory.
func SQLite(t testing.TB) *store.Store {
	t.Helper()
	return open(t, store.Config{DataDir: t.TempDir()})
}

// PostgresDSN returns the DSN of a fresh, empty Postgres database that is dropped when the test
// ends. It skips the test when CCHUB_TEST_PG_DSN is unset and fails when it is set but
// unreachable.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv("CCHUB_TEST_PG_DSN")
	if base == "" {
		t.Skip("CCHUB_TEST_PG_DSN not set")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("CCHUB_TEST_PG_DSN: %v", err)
	}
	ctx := context.Background()
	if err := admin.PingContext(ctx); err != nil {
		t.Fatalf("CCHUB_TEST_PG_DSN unreachable: %v", err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "cchub_test_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("CCHUB_TEST_PG_DSN: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// Postgres returns a migrated store on a fresh Postgres database (see PostgresDSN).
func Postgres(t testing.TB) *store.Store {
	t.Helper()
	return open(t, store.Config{DSN: PostgresDSN(t)})
}

// Each runs fn against SQLite and, when configured, Postgres, as subtests.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

func open(t testing.TB, cfg store.Config) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}
