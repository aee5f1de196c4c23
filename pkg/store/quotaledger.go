package store

import (
	"context"
	"fmt"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/cchub/cchub/ent/predicate"
	"github.com/cchub/cchub/ent/usageledger"
	"github.com/cchub/cchub/pkg/quota"
)

// QuotaLedger reads quota windows' history from usage_ledgers (quota.Ledger), the billing
// record that request-log retention never touches, so no quota resets when old logs go.
type QuotaLedger struct{ s *Store }

var _ quota.Ledger = (*QuotaLedger)(nil)

// QuotaLedger returns the quota.Ledger of the store.
func (s *Store) QuotaLedger() *QuotaLedger { return &QuotaLedger{s: s} }

// History implements quota.Ledger: the entity's rows since from (on the (entity,
// created_at) index), summed per minute, and the total since totalSince.
func (q *QuotaLedger) History(ctx context.Context, e quota.Entity, from, totalSince time.Time) (quota.History, error) {
	var h quota.History
	match, err := entityPredicate(e)
	if err != nil {
		return h, err
	}
	// Times are stored in UTC (SQLite compares them as text).
	from = from.UTC()
	var rows []struct {
		CreatedAt time.Time `json:"created_at"`
		CostNano  int64     `json:"cost_nano"`
	}
	err = q.s.Reader.UsageLedger.Query().
		Where(match, usageledger.CreatedAtGTE(from), usageledger.CostNanoNEQ(0)).
		Order(usageledger.ByCreatedAt()).
		Select(usageledger.FieldCreatedAt, usageledger.FieldCostNano).
		Scan(ctx, &rows)
	if err != nil {
		return h, fmt.Errorf("read %s %d spend since %s: %w", e.Kind, e.ID, from.Format(time.RFC3339), err)
	}
	fromMs := from.UnixMilli()
	for _, r := range rows {
		at := max(r.CreatedAt.Truncate(time.Minute).UnixMilli(), fromMs)
		if n := len(h.Points); n > 0 && h.Points[n-1].At == at {
			h.Points[n-1].Cost += r.CostNano
		} else {
			h.Points = append(h.Points, quota.Point{At: at, Cost: r.CostNano})
		}
		h.Total += r.CostNano
	}
	if totalSince.Before(from) {
		// The total reaches further back than the windows: add the older spend.
		older := []predicate.UsageLedger{match, usageledger.CreatedAtLT(from)}
		if !totalSince.IsZero() {
			older = append(older, usageledger.CreatedAtGTE(totalSince.UTC()))
		}
		sum, err := q.s.Reader.UsageLedger.Query().Where(older...).
			Aggregate(func(s *entsql.Selector) string {
				return "COALESCE(SUM(" + s.C(usageledger.FieldCostNano) + "), 0)"
			}).Int(ctx)
		if err != nil {
			return h, fmt.Errorf("sum %s %d spend: %w", e.Kind, e.ID, err)
		}
		h.Total += int64(sum)
	}
	return h, nil
}

func entityPredicate(e quota.Entity) (predicate.UsageLedger, error) {
	switch e.Kind {
	case quota.KindKey:
		return usageledger.KeyID(e.ID), nil
	case quota.KindUser:
		return usageledger.UserID(e.ID), nil
	case quota.KindProvider:
		return usageledger.ProviderID(e.ID), nil
	}
	return nil, fmt.Errorf("quota ledger: unknown entity kind %d", e.Kind)
}
