package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"entgo.io/ent/dialect"

	"github.com/cchub/cchub/pkg/store"
)

// Seed describes synthetic traffic for statistics tests and benchmarks: Rows requests spread
// evenly over the Days before End (HotShare of them in End's last 24 hours instead), from
// Keys keys (two per user) using Providers providers and Models models. Each key sticks to two
// models and two providers, as a team's clients do, so the hourly rollups hold a realistic
// number of rows per hour.
type Seed struct {
	Rows      int
	Days      int
	End       time.Time
	HotShare  float64
	Keys      int
	Providers int
	Models    int
}

// DefaultSeed is a month of traffic from 40 keys of 20 users on 6 providers and 8 models.
func DefaultSeed(rows int, end time.Time) Seed {
	return Seed{Rows: rows, Days: 30, End: end, Keys: 40, Providers: 6, Models: 8}
}

// SeedTotals are the sums of what SeedUsage wrote, for checking aggregates.
type SeedTotals struct {
	Requests, Errors, Cost, Tokens int64
	Rollups                        int
}

// seedRow is one request of the synthetic traffic.
type seedRow struct {
	at                           time.Time
	user, key, provider          int
	model, session               string
	status                       int
	duration                     int64
	ttfb                         int64 // -1: no byte
	input, output, cacheW, cache int64
	cost                         int64
}

// gen returns the i-th row of the traffic (deterministic).
func (sd Seed) gen(i int) seedRow {
	h := uint64(i)*0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019
	h ^= h >> 29
	h *= 0xBF58476D1CE4E5B9
	h ^= h >> 32
	span := time.Duration(sd.Days) * 24 * time.Hour
	start := sd.End.Add(-span)
	var at time.Time
	hot := int(float64(sd.Rows) * sd.HotShare)
	if i < hot {
		at = sd.End.Add(-24 * time.Hour).Add(time.Duration(float64(24*time.Hour) * float64(i) / float64(hot)))
	} else {
		n := sd.Rows - hot
		at = start.Add(time.Duration(float64(span) * float64(i-hot) / float64(n)))
	}
	at = at.Truncate(time.Millisecond)
	key := 1 + int(h%uint64(sd.Keys))
	pick := int(h>>8) & 1
	r := seedRow{
		at: at, key: key, user: 1 + (key-1)/2,
		provider: 1 + (key+pick)%sd.Providers,
		model:    fmt.Sprintf("model-%d", (key+3*int(h>>9&1))%sd.Models),
		session:  fmt.Sprintf("s-%d-%d", key, at.Unix()/1800),
		status:   200, duration: int64(300 + h>>16%20000), ttfb: int64(50 + h>>24%2000),
		input: int64(h >> 20 % 20000), output: int64(h >> 30 % 2000),
		cacheW: int64(h >> 40 % 500), cache: int64(h >> 44 % 50000),
	}
	switch {
	case h%97 < 3:
		r.status = 529
	case h%97 < 4:
		r.status = 429
	}
	if h%41 == 0 {
		r.ttfb = -1
	}
	r.cost = r.input*3000 + r.output*15000 + r.cacheW*3750 + r.cache*300 // nano-USD at $3/$15 per Mtok, ÷1000
	r.cost /= 1000
	return r
}

// seedCols are the request_logs columns SeedUsage writes; the rest keep their defaults.
var seedCols = []string{"created_at", "request_id", "user_id", "key_id", "provider_id", "model",
	"original_model", "endpoint", "is_stream", "status_code", "duration_ms", "ttfb_ms", "session_id",
	"error_message", "blocked_by", "provider_chain", "user_agent", "client_ip", "input_tokens",
	"output_tokens", "cache_creation_input_tokens", "cache_creation_5m_input_tokens",
	"cache_creation_1h_input_tokens", "cache_read_input_tokens", "cost_nano", "cost_multiplier", "price_missing"}

var rollupCols = []string{"hour_start", "user_id", "key_id", "provider_id", "model", "request_count",
	"success_count", "error_count", "input_tokens", "output_tokens", "cache_creation_input_tokens",
	"cache_read_input_tokens", "cost_nano", "duration_ms_sum", "ttfb_ms_sum", "ttfb_count"}

// SeedUsage writes the traffic of sd straight into request_logs and usage_hourlies with
// multi-row INSERTs in transactions of seedTx rows: far faster than the billing writer, with
// rollups equal to what it would have written. progress, when set, is called after each batch.
func SeedUsage(ctx context.Context, s *store.Store, sd Seed, progress func(done int)) (SeedTotals, error) {
	var tot SeedTotals
	type rk struct {
		hour                int64
		user, key, provider int
		model               string
	}
	roll := map[rk]*[11]int64{}
	const perStmt = 500 // 27 columns: 13,500 parameters per statement
	const seedTx = 50_000
	ph := placeholders(s.Dialect, len(seedCols), perStmt)
	insert := "INSERT INTO request_logs (" + strings.Join(seedCols, ", ") + ") VALUES " + ph
	args := make([]any, 0, perStmt*len(seedCols))
	tx, err := s.DB.BeginTx(ctx, nil)
	if err != nil {
		return tot, err
	}
	defer func() { _ = tx.Rollback() }()
	// The full-batch statement is prepared once per transaction: parsing 13,500 placeholders
	// costs more than executing them.
	var full *sql.Stmt
	flush := func(n int) error {
		var err error
		if n < perStmt {
			_, err = tx.ExecContext(ctx, "INSERT INTO request_logs ("+strings.Join(seedCols, ", ")+") VALUES "+
				placeholders(s.Dialect, len(seedCols), n), args...)
		} else {
			if full == nil {
				if full, err = tx.PrepareContext(ctx, insert); err != nil {
					return err
				}
			}
			_, err = full.ExecContext(ctx, args...)
		}
		args = args[:0]
		return err
	}
	pending := 0
	for i := range sd.Rows {
		r := sd.gen(i)
		var ttfb any
		if r.ttfb >= 0 {
			ttfb = r.ttfb
		}
		args = append(args, r.at.UTC(), fmt.Sprintf("seed-%09d", i), r.user, r.key, r.provider, r.model,
			r.model, "/v1/messages", i%2 == 0, r.status, r.duration, ttfb, r.session,
			"", "", "[]", "claude-cli/2.0", "10.0.0.1", r.input, r.output, r.cacheW, r.cacheW, int64(0),
			r.cache, r.cost, 1.0, false)
		pending++
		if pending == perStmt {
			if err := flush(pending); err != nil {
				return tot, fmt.Errorf("seed logs: %w", err)
			}
			pending = 0
		}
		k := rk{r.at.Truncate(time.Hour).Unix(), r.user, r.key, r.provider, r.model}
		a := roll[k]
		if a == nil {
			a = &[11]int64{}
			roll[k] = a
		}
		a[0]++
		if r.status >= 200 && r.status < 300 {
			a[1]++
		} else {
			a[2]++
			tot.Errors++
		}
		a[3] += r.input
		a[4] += r.output
		a[5] += r.cacheW
		a[6] += r.cache
		a[7] += r.cost
		a[8] += r.duration
		if r.ttfb >= 0 {
			a[9] += r.ttfb
			a[10]++
		}
		tot.Requests++
		tot.Cost += r.cost
		tot.Tokens += r.input + r.output + r.cacheW + r.cache
		if (i+1)%seedTx == 0 {
			if pending > 0 {
				if err := flush(pending); err != nil {
					return tot, fmt.Errorf("seed logs: %w", err)
				}
				pending = 0
			}
			if full != nil {
				full.Close()
				full = nil
			}
			if err := tx.Commit(); err != nil {
				return tot, err
			}
			if tx, err = s.DB.BeginTx(ctx, nil); err != nil {
				return tot, err
			}
			if progress != nil {
				progress(i + 1)
			}
		}
	}
	if pending > 0 {
		if err := flush(pending); err != nil {
			return tot, fmt.Errorf("seed logs: %w", err)
		}
	}
	if full != nil {
		full.Close()
	}
	// Rollups.
	rollInsert := func(n int) string {
		return "INSERT INTO usage_hourlies (" + strings.Join(rollupCols, ", ") + ") VALUES " + placeholders(s.Dialect, len(rollupCols), n)
	}
	args = args[:0]
	n := 0
	for k, a := range roll {
		args = append(args, time.Unix(k.hour, 0).UTC(), k.user, k.key, k.provider, k.model)
		for _, v := range a {
			args = append(args, v)
		}
		n++
		if n == perStmt {
			if _, err := tx.ExecContext(ctx, rollInsert(n), args...); err != nil {
				return tot, fmt.Errorf("seed rollups: %w", err)
			}
			args, n = args[:0], 0
		}
	}
	if n > 0 {
		if _, err := tx.ExecContext(ctx, rollInsert(n), args...); err != nil {
			return tot, fmt.Errorf("seed rollups: %w", err)
		}
	}
	tot.Rollups = len(roll)
	// Per-dimension rollups, as the writer adds them.
	type dk struct {
		hour  int64
		dim   string
		id    int
		model string
	}
	dims := map[dk]*[11]int64{}
	for k, a := range roll {
		for _, d := range []dk{{k.hour, "total", 0, ""}, {k.hour, "user", k.user, ""}, {k.hour, "key", k.key, ""},
			{k.hour, "provider", k.provider, ""}, {k.hour, "model", 0, k.model}} {
			t := dims[d]
			if t == nil {
				t = &[11]int64{}
				dims[d] = t
			}
			for i := range a {
				t[i] += a[i]
			}
		}
	}
	dimCols := append([]string{"hour_start", "dim", "dim_id", "model"}, rollupCols[5:]...)
	dimInsert := func(n int) string {
		return "INSERT INTO usage_hourly_dims (" + strings.Join(dimCols, ", ") + ") VALUES " + placeholders(s.Dialect, len(dimCols), n)
	}
	args, n = args[:0], 0
	for k, a := range dims {
		args = append(args, time.Unix(k.hour, 0).UTC(), k.dim, k.id, k.model)
		for _, v := range a {
			args = append(args, v)
		}
		n++
		if n == perStmt {
			if _, err := tx.ExecContext(ctx, dimInsert(n), args...); err != nil {
				return tot, fmt.Errorf("seed rollups: %w", err)
			}
			args, n = args[:0], 0
		}
	}
	if n > 0 {
		if _, err := tx.ExecContext(ctx, dimInsert(n), args...); err != nil {
			return tot, fmt.Errorf("seed rollups: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return tot, err
	}
	if progress != nil {
		progress(sd.Rows)
	}
	// Fresh statistics for the planner, as autovacuum/ANALYZE would have after real traffic.
	// SQLite is left without statistics, as a hub's database is (nothing runs ANALYZE there).
	if s.Dialect == dialect.Postgres {
		_, err = s.DB.ExecContext(ctx, "ANALYZE request_logs; ANALYZE usage_hourlies; ANALYZE usage_hourly_dims")
	}
	return tot, err
}

// placeholders returns rows groups of cols placeholders: (?, ?), (?, ?) or ($1, $2), ($3, $4).
func placeholders(d string, cols, rows int) string {
	var b strings.Builder
	n := 0
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			n++
			if d == dialect.Postgres {
				fmt.Fprintf(&b, "$%d", n)
			} else {
				b.WriteByte('?')
			}
		}
		b.WriteByte(')')
	}
	return b.String()
}
