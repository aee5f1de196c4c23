package store

import (
	"context"
	"database/sql"
	"time"

	entdialect "entgo.io/ent/dialect"

	"github.com/cchub/cchub/pkg/billing"
)

// touchKeys records when each key in the batch was last used (keys.last_used_at, shown in the
// admin UI), one UPDATE per distinct key and only forward in time. It rides in the writer's
// batch transaction, so the hot path never writes to the database for it.
func touchKeys(ctx context.Context, tx *sql.Tx, dia string, recs []*billing.Record) error {
	last := map[int]time.Time{}
	for _, r := range recs {
		if r.KeyID > 0 && r.CreatedAt.After(last[r.KeyID]) {
			last[r.KeyID] = r.CreatedAt
		}
	}
	if len(last) == 0 {
		return nil
	}
	q := "UPDATE keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)"
	if dia == entdialect.Postgres {
		q = "UPDATE keys SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $1)"
	}
	stmt, err := tx.PrepareContext(ctx, q)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for id, at := range last {
		args := []any{at, id}
		if dia != entdialect.Postgres {
			args = append(args, at)
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return nil
}
