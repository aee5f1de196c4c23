package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/cchub/cchub/ent/requestlog"
	"github.com/cchub/cchub/pkg/store"
	"github.com/cchub/cchub/pkg/store/storetest"
)

// TestDeleteRequestLogsBefore deletes old logs in batches and leaves the ledger and the rollups
// (what quotas and statistics read) exactly as they were.
func TestDeleteRequestLogsBefore(t *testing.T) {
	recs := spreadRecords(12000) // more than two retention batches before the cutoff
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		writeRecords(t, s, recs)
		ctx := context.Background()
		_, ledgerBefore := counts(t, s)
		rollBefore, rollRows := sumRollups(t, s)
		cutoff := spreadBase.Add(60 * time.Hour)
		var want int
		for _, r := range recs {
			if r.CreatedAt.Before(cutoff) {
				want++
			}
		}
		n, err := s.DeleteRequestLogsBefore(ctx, cutoff)
		if err != nil || n != int64(want) {
			t.Fatalf("deleted %d (err %v), want %d", n, err, want)
		}
		logs, ledger := counts(t, s)
		if logs != len(recs)-want || ledger != ledgerBefore {
			t.Fatalf("logs %d ledger %d, want %d and %d", logs, ledger, len(recs)-want, ledgerBefore)
		}
		if old, _ := s.Client.RequestLog.Query().Where(requestlog.CreatedAtLT(cutoff)).Count(ctx); old != 0 {
			t.Fatalf("%d old logs left", old)
		}
		rollAfter, rollRowsAfter := sumRollups(t, s)
		if rollAfter != rollBefore || rollRowsAfter != rollRows {
			t.Fatalf("rollups changed: %+v -> %+v", rollBefore, rollAfter)
		}
		// Aligned statistics over the deleted range still come from the rollups.
		u, err := s.Usage(ctx, []time.Time{spreadBase, cutoff}, store.DimNone, store.UsageFilter{})
		if err != nil || len(u) != 1 || u[0].Requests != int64(want) {
			t.Fatalf("usage over deleted range %+v %v", u, err)
		}
		if n, err := s.DeleteRequestLogsBefore(ctx, cutoff); err != nil || n != 0 {
			t.Fatalf("second run deleted %d %v", n, err)
		}
	})
}
