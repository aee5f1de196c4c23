package store

import (
	"context"
	"io/fs"
)

// Hooks for the external migration tests, which live in store_test because they use storetest
// (and storetest imports store).

// PGMigrateLockKey is the advisory lock key Migrate takes on Postgres.
const PGMigrateLockKey = pgMigrateLockKey

// MigrateFS applies the migrations in fsys instead of the embedded ones.
func MigrateFS(ctx context.Context, s *Store, fsys fs.FS) error {
	return migrateFS(ctx, s.DB, s.Dialect, fsys)
}
