package store

import (
	"context"
	"fmt"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/cchub/cchub/ent"
	"github.com/cchub/cchub/ent/modelprice"
	"github.com/cchub/cchub/pkg/billing"
)

// priceChunk is the number of model_prices rows per INSERT: 5 columns each keeps a statement
// far below SQLite's 32766 and Postgres' 65535 bound parameters.
const priceChunk = 1000

// Column bounds of model_prices (ent/schema/modelprice.go); longer values would fail ent's
// validators and with them the whole batch.
const (
	maxModelNameLen = 256
	maxProviderLen  = 128
)

// SeedPrices fills model_prices from a LiteLLM-format table (billing.DefaultPrices on first
// start) when the table is empty, in one transaction. It returns the number of rows added: 0
// when the table already had prices. Concurrent seeders (two instances starting on one
// Postgres) are harmless: rows that already exist are left alone.
func SeedPrices(ctx context.Context, s *Store, data []byte) (added int, err error) {
	entries, err := billing.ParseLiteLLM(data)
	if err != nil {
		return 0, err
	}
	err = billingTx(ctx, s.Client, func(tx *ent.Tx) error {
		exists, err := tx.ModelPrice.Query().Exist(ctx)
		if err != nil || exists {
			return err
		}
		now := time.Now().UTC()
		creates := make([]*ent.ModelPriceCreate, 0, priceChunk)
		for i, e := range entries {
			if !validPriceEntry(e) {
				continue
			}
			creates = append(creates, newPriceRow(tx, e, now))
			if len(creates) == priceChunk || i == len(entries)-1 {
				if err := tx.ModelPrice.CreateBulk(creates...).
					OnConflictColumns(modelprice.FieldModelName).DoNothing().
					Exec(ctx); err != nil {
					return fmt.Errorf("seed prices: %w", err)
				}
				added += len(creates)
				creates = creates[:0]
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return added, nil
}

// LoadPriceTable builds the price table from model_prices. Rows whose price_data has no
// per-token price or does not parse are left out (they price nothing); manual rows win.
func LoadPriceTable(ctx context.Context, s *Store) (*billing.Table, error) {
	rows, err := s.Reader.ModelPrice.Query().
		Select(modelprice.FieldModelName, modelprice.FieldPriceData, modelprice.FieldSource).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load prices: %w", err)
	}
	entries := make([]billing.Entry, 0, len(rows))
	for _, r := range rows {
		e, err := billing.ParseEntry(r.ModelName, []byte(r.PriceData))
		if err != nil {
			continue
		}
		e.Manual = r.Source == modelprice.SourceManual
		entries = append(entries, e)
	}
	return billing.NewTable(entries), nil
}

// UpsertSyncedPrices applies a synced price table: new models are added, synced rows whose
// entry changed are updated, and manual rows are never overwritten (counted in keptManual).
// Models missing from entries are kept. One transaction.
func UpsertSyncedPrices(ctx context.Context, s *Store, entries []billing.Entry) (added, updated, keptManual int, err error) {
	err = billingTx(ctx, s.Client, func(tx *ent.Tx) error {
		added, updated, keptManual = 0, 0, 0
		rows, err := tx.ModelPrice.Query().
			Select(modelprice.FieldModelName, modelprice.FieldPriceData, modelprice.FieldSource, modelprice.FieldLitellmProvider).
			All(ctx)
		if err != nil {
			return err
		}
		existing := make(map[string]*ent.ModelPrice, len(rows))
		for _, r := range rows {
			existing[r.ModelName] = r
		}
		now := time.Now().UTC()
		var creates []*ent.ModelPriceCreate
		flush := func() error {
			if len(creates) == 0 {
				return nil
			}
			// The WHERE makes "manual wins" hold even against a row an admin turned manual
			// after the read above (possible on Postgres, where other writers run concurrently).
			err := tx.ModelPrice.CreateBulk(creates...).
				OnConflict(
					entsql.ConflictColumns(modelprice.FieldModelName),
					entsql.ResolveWithNewValues(),
					// ent qualifies the column with the table name ("model_prices"."source").
					entsql.UpdateWhere(entsql.EQ(modelprice.FieldSource, modelprice.SourceLitellm.String())),
				).Exec(ctx)
			creates = creates[:0]
			return err
		}
		seen := make(map[string]bool, len(entries))
		for _, e := range entries {
			if !validPriceEntry(e) || seen[e.Model] {
				continue
			}
			seen[e.Model] = true
			if r, ok := existing[e.Model]; ok {
				if r.Source == modelprice.SourceManual {
					keptManual++
					continue
				}
				if r.PriceData == string(e.Raw) && r.LitellmProvider == clipString(e.Provider, maxProviderLen) {
					continue
				}
				updated++
			} else {
				added++
			}
			creates = append(creates, newPriceRow(tx, e, now))
			if len(creates) == priceChunk {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return flush()
	})
	if err != nil {
		return 0, 0, 0, fmt.Errorf("sync prices: %w", err)
	}
	return added, updated, keptManual, nil
}

func validPriceEntry(e billing.Entry) bool {
	return e.Model != "" && len(e.Model) <= maxModelNameLen && len(e.Raw) > 0
}

func newPriceRow(tx *ent.Tx, e billing.Entry, now time.Time) *ent.ModelPriceCreate {
	return tx.ModelPrice.Create().
		SetModelName(e.Model).
		SetPriceData(string(e.Raw)).
		SetSource(modelprice.SourceLitellm).
		SetLitellmProvider(clipString(e.Provider, maxProviderLen)).
		SetUpdatedAt(now)
}

// billingTx runs fn in a transaction on client, committing when fn returns nil.
func billingTx(ctx context.Context, client *ent.Client, fn func(tx *ent.Tx) error) error {
	tx, err := client.Tx(ctx)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}
