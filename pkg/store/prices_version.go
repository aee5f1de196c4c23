package store

import (
	"context"
	"fmt"
	"strconv"
)

// PricesVersion fingerprints model_prices: the row count and the latest updated_at. Every
// write (seed, sync, manual price) adds rows or moves updated_at forward, so an instance that
// polls it learns of a price change made by another instance or by `cchub prices sync`.
func (s *Store) PricesVersion(ctx context.Context) (string, error) {
	var (
		n    int64
		last any
	)
	err := s.readDB().QueryRowContext(ctx, "SELECT COUNT(*), MAX(updated_at) FROM model_prices").Scan(&n, &last)
	if err != nil {
		return "", fmt.Errorf("prices version: %w", err)
	}
	t, err := scanTime(last)
	if err != nil {
		return "", fmt.Errorf("prices version: %w", err)
	}
	return strconv.FormatInt(n, 10) + "@" + strconv.FormatInt(t.UnixMicro(), 10), nil
}
