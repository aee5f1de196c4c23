package store

import (
	"context"
	"fmt"
	"time"
)

// retentionBatch is the number of request logs one DELETE removes: small enough that SQLite's
// single writer is never held for long, so billing writes interleave with a large cleanup.
const retentionBatch = 5000

// DeleteRequestLogsBefore deletes the request logs created before cutoff, in batches, and
// returns how many it deleted. Only request_logs is touched: the usage ledger (which quota
// windows sum) and the hourly rollups (which statistics read) keep every request.
func (s *Store) DeleteRequestLogsBefore(ctx context.Context, cutoff time.Time) (int64, error) {
	q := s.rebind(`DELETE FROM request_logs WHERE id IN
 (SELECT id FROM request_logs WHERE created_at < ? ORDER BY id LIMIT ?)`)
	var total int64
	for {
		res, err := s.DB.ExecContext(ctx, q, dbTime(cutoff), retentionBatch)
		if err != nil {
			return total, fmt.Errorf("delete old request logs: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, fmt.Errorf("delete old request logs: %w", err)
		}
		total += n
		if n < retentionBatch {
			return total, nil
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
}
