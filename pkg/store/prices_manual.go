package store

import (
	"context"
	"fmt"
	"time"

	"github.com/cchub/cchub/ent"
	"github.com/cchub/cchub/ent/modelprice"
	"github.com/cchub/cchub/pkg/billing"
)

// SetManualPrice stores e as the manual price of its model, replacing whatever row the model
// had (synced or manual). A manual row is never overwritten by a sync. created reports whether
// the model had no row before.
func (s *Store) SetManualPrice(ctx context.Context, e billing.Entry, now time.Time) (row *ent.ModelPrice, created bool, err error) {
	if !validPriceEntry(e) {
		return nil, false, fmt.Errorf("manual price: invalid entry for %q", e.Model)
	}
	err = billingTx(ctx, s.Client, func(tx *ent.Tx) error {
		old, err := tx.ModelPrice.Query().Where(modelprice.ModelName(e.Model)).Only(ctx)
		if err != nil && !ent.IsNotFound(err) {
			return err
		}
		if old == nil {
			created = true
			row, err = tx.ModelPrice.Create().
				SetModelName(e.Model).
				SetPriceData(string(e.Raw)).
				SetSource(modelprice.SourceManual).
				SetLitellmProvider(clipString(e.Provider, maxProviderLen)).
				SetUpdatedAt(dbTime(now)).
				Save(ctx)
			return err
		}
		row, err = old.Update().
			SetPriceData(string(e.Raw)).
			SetSource(modelprice.SourceManual).
			SetLitellmProvider(clipString(e.Provider, maxProviderLen)).
			SetUpdatedAt(dbTime(now)).
			Save(ctx)
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("manual price: %w", err)
	}
	return row, created, nil
}
