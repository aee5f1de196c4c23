package store

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/cchub/cchub/pkg/billing"
)

// rollupKey identifies one usage_hourlies row; the hour is kept as Unix seconds, which
// compare and hash without time.Time's location and monotonic parts.
type rollupKey struct {
	hour      int64
	user, key int
	provider  int
	model     string
}

type rollup struct {
	requests, successes, errors      int64
	input, output, cacheWrite, cache int64
	cost, duration, ttfbSum, ttfbN   int64
}

// rollupCounters are the counter columns of usage_hourlies and usage_hourly_dims, in the order
// rollup.values gives them; a conflicting upsert adds to them.
var rollupCounters = []string{
	"request_count", "success_count", "error_count",
	"input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
	"cost_nano", "duration_ms_sum", "ttfb_ms_sum", "ttfb_count",
}

// counterColumns are rollupCounters as table columns.
func counterColumns() []usageColumn {
	cols := make([]usageColumn, len(rollupCounters))
	for i, c := range rollupCounters {
		cols[i] = usageColumn{c, "int8"}
	}
	return cols
}

// values appends the counters to row in rollupCounters order.
func (s *rollup) values(row []any) []any {
	return append(row, s.requests, s.successes, s.errors, s.input, s.output, s.cacheWrite,
		s.cache, s.cost, s.duration, s.ttfbSum, s.ttfbN)
}

var hourlyConflict = []string{"hour_start", "user_id", "key_id", "provider_id", "model"}

var usageHourlyTable = newUsageTable("usage_hourlies", append([]usageColumn{
	{"hour_start", "timestamptz"}, {"user_id", "int8"}, {"key_id", "int8"},
	{"provider_id", "int8"}, {"model", "text"},
}, counterColumns()...), addCounters("usage_hourlies", hourlyConflict, rollupCounters), "")

// addRollups adds recs to their hourly rollup rows (hour in UTC): one aggregated row per key
// and an upsert that adds the counters to an existing row.
func addRollups(ctx context.Context, tx *sql.Tx, dialect string, recs []*billing.Record) error {
	if len(recs) == 0 {
		return nil
	}
	sums := make(map[rollupKey]*rollup)
	for _, r := range recs {
		hour := r.CreatedAt.Truncate(time.Hour).Unix()
		k := rollupKey{hour: hour, user: r.UserID, key: r.KeyID, provider: r.ProviderID, model: r.Model}
		s := sums[k]
		if s == nil {
			s = &rollup{}
			sums[k] = s
		}
		s.requests++
		if r.Success() {
			s.successes++
		} else {
			s.errors++
		}
		s.input += r.Usage.InputTokens
		s.output += r.Usage.OutputTokens
		s.cacheWrite += r.Usage.CacheCreationTokens
		s.cache += r.Usage.CacheReadTokens
		s.cost += r.CostNano
		s.duration += r.DurationMs
		if r.TTFBMs >= 0 {
			s.ttfbSum += r.TTFBMs
			s.ttfbN++
		}
	}
	// A fixed order: concurrent writers on Postgres then lock rollup rows in the same order
	// and cannot deadlock each other.
	keys := make([]rollupKey, 0, len(sums))
	for k := range sums {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b rollupKey) int {
		return cmp.Or(cmp.Compare(a.hour, b.hour), cmp.Compare(a.user, b.user),
			cmp.Compare(a.key, b.key), cmp.Compare(a.provider, b.provider), strings.Compare(a.model, b.model))
	})
	rows := make([][]any, len(keys))
	for i, k := range keys {
		row := make([]any, 0, len(usageHourlyTable.cols))
		row = append(row, time.Unix(k.hour, 0).UTC(), int64(k.user), int64(k.key), int64(k.provider), k.model)
		rows[i] = sums[k].values(row)
	}
	if _, err := insertRows(ctx, tx, dialect, usageHourlyTable, rows); err != nil {
		return err
	}
	return addDimRollups(ctx, tx, dialect, sums)
}
