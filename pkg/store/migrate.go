package store

import (
	"context"
	"fmt"

	"github.com/cchub/cchub/ent/migrate"
)

// Migrate brings the schema up to date.
// TODO(store): replace with the versioned migrations in migrations/ under an advisory lock.
func (s *Store) Migrate(ctx context.Context) error {
	if err := s.Client.Schema.Create(ctx, migrate.WithGlobalUniqueID(false)); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}
