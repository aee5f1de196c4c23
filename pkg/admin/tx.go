package admin

import (
	"context"
	"errors"

	"github.com/cchub/cchub/ent"
)

// withTx runs fn in a transaction on client, committing when fn succeeds and rolling back
// otherwise, so a multi-statement mutation is all or nothing.
func withTx(ctx context.Context, client *ent.Client, fn func(tx *ent.Tx) error) error {
	tx, err := client.Tx(ctx)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}
