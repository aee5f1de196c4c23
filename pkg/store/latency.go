package store

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect"
)

// Latency is a percentile of the request durations and times to first byte in a range; nil
// when no request (or, for TTFB, no request that sent a byte) falls in it.
type Latency struct {
	DurationMs *int64
	TTFBMs     *int64
}

// LatencyPercentile returns the q-th percentile (0 < q <= 1, nearest rank: the smallest value
// with at least q of the values at or below it) of duration_ms and ttfb_ms over the requests
// logged in [from, to). Percentiles cannot be rolled up, so this reads the logs of the range:
// Postgres computes it (percentile_disc), SQLite hands the two columns to Go.
func (s *Store) LatencyPercentile(ctx context.Context, from, to time.Time, f UsageFilter, q float64) (Latency, error) {
	if q <= 0 || q > 1 {
		return Latency{}, fmt.Errorf("percentile %v out of (0, 1]", q)
	}
	var b strings.Builder
	args := []any{dbTime(from), dbTime(to)}
	if s.Dialect == dialect.Postgres {
		fmt.Fprintf(&b, `SELECT percentile_disc(%[1]g) WITHIN GROUP (ORDER BY duration_ms),
 percentile_disc(%[1]g) WITHIN GROUP (ORDER BY ttfb_ms)
 FROM request_logs WHERE created_at >= ? AND created_at < ?`, q)
		args = f.where(&b, args)
		var d, t *int64
		if err := s.readDB().QueryRowContext(ctx, s.rebind(b.String()), args...).Scan(&d, &t); err != nil {
			return Latency{}, fmt.Errorf("latency percentile: %w", err)
		}
		return Latency{DurationMs: d, TTFBMs: t}, nil
	}
	b.WriteString("SELECT duration_ms, ttfb_ms FROM request_logs WHERE created_at >= ? AND created_at < ?")
	args = f.where(&b, args)
	rows, err := s.readDB().QueryContext(ctx, b.String(), args...)
	if err != nil {
		return Latency{}, fmt.Errorf("latency percentile: %w", err)
	}
	defer rows.Close()
	var durs, ttfbs []int64
	for rows.Next() {
		var d int64
		var t *int64
		if err := rows.Scan(&d, &t); err != nil {
			return Latency{}, fmt.Errorf("latency percentile: %w", err)
		}
		durs = append(durs, d)
		if t != nil {
			ttfbs = append(ttfbs, *t)
		}
	}
	if err := rows.Err(); err != nil {
		return Latency{}, fmt.Errorf("latency percentile: %w", err)
	}
	return Latency{DurationMs: nearestRank(durs, q), TTFBMs: nearestRank(ttfbs, q)}, nil
}

// nearestRank returns the q-th percentile of v by the nearest-rank method (v is reordered).
func nearestRank(v []int64, q float64) *int64 {
	if len(v) == 0 {
		return nil
	}
	slices.Sort(v)
	rank := int(math.Ceil(q*float64(len(v)))) - 1
	rank = max(0, min(rank, len(v)-1))
	x := v[rank]
	return &x
}
