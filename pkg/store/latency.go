package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect"
)

// LatencySampleMax bounds the requests a percentile reads: beyond it, the percentile is that of
// the range's latest LatencySampleMax requests. Percentiles cannot be rolled up, so they read
// the logs; the bound keeps a day with a million requests as fast as one with fifty thousand.
const LatencySampleMax = 50_000

// latencySample is LatencySampleMax; tests lower it.
var latencySample = LatencySampleMax

// Latency is a percentile of the request durations and times to first byte in a range; nil
// when no request (or, for TTFB, no request that sent a byte) falls in it. Sample is the number
// of requests it was computed over.
type Latency struct {
	DurationMs *int64
	TTFBMs     *int64
	Sample     int64
}

// LatencyPercentile returns the q-th percentile (0 < q <= 1, nearest rank: the smallest value
// with at least q of the values at or below it) of duration_ms and ttfb_ms over the latest
// LatencySampleMax requests logged in [from, to) that match f. Postgres computes it
// (percentile_disc); SQLite hands the two columns to Go.
func (s *Store) LatencyPercentile(ctx context.Context, from, to time.Time, f UsageFilter, q float64) (Latency, error) {
	if q <= 0 || q > 1 {
		return Latency{}, fmt.Errorf("percentile %v out of (0, 1]", q)
	}
	var b strings.Builder
	b.WriteString("SELECT duration_ms, ttfb_ms FROM request_logs")
	if s.Dialect == dialect.SQLite && f == (UsageFilter{}) {
		// Without statistics SQLite may pick a skip-scan of another (x, created_at) index;
		// the range of the created_at index is what this reads.
		b.WriteString(" INDEXED BY requestlog_created_at")
	}
	b.WriteString(" WHERE created_at >= ? AND created_at < ?")
	args := f.where(&b, []any{dbTime(from), dbTime(to)})
	b.WriteString(" ORDER BY created_at DESC LIMIT ?")
	args = append(args, latencySample)
	if s.Dialect == dialect.Postgres {
		query := fmt.Sprintf(`SELECT percentile_disc(%[1]g) WITHIN GROUP (ORDER BY duration_ms),
 percentile_disc(%[1]g) WITHIN GROUP (ORDER BY ttfb_ms), COUNT(*) FROM (%[2]s) AS sample`, q, b.String())
		var l Latency
		var d, t sql.NullInt64
		if err := s.readDB().QueryRowContext(ctx, s.rebind(query), args...).Scan(&d, &t, &l.Sample); err != nil {
			return Latency{}, fmt.Errorf("latency percentile: %w", err)
		}
		if d.Valid {
			l.DurationMs = &d.Int64
		}
		if t.Valid {
			l.TTFBMs = &t.Int64
		}
		return l, nil
	}
	rows, err := s.readDB().QueryContext(ctx, b.String(), args...)
	if err != nil {
		return Latency{}, fmt.Errorf("latency percentile: %w", err)
	}
	defer rows.Close()
	var durs, ttfbs []int64
	var d, t sql.NullInt64 // not *int64: database/sql converts those through reflection
	for rows.Next() {
		if err := rows.Scan(&d, &t); err != nil {
			return Latency{}, fmt.Errorf("latency percentile: %w", err)
		}
		durs = append(durs, d.Int64)
		if t.Valid {
			ttfbs = append(ttfbs, t.Int64)
		}
	}
	if err := rows.Err(); err != nil {
		return Latency{}, fmt.Errorf("latency percentile: %w", err)
	}
	return Latency{DurationMs: nearestRank(durs, q), TTFBMs: nearestRank(ttfbs, q), Sample: int64(len(durs))}, nil
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
