package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// UsageDim is the dimension a usage aggregate is split by.
type UsageDim string

// Usage dimensions: the columns shared by usage_hourlies and request_logs.
const (
	DimNone     UsageDim = ""
	DimUser     UsageDim = "user_id"
	DimKey      UsageDim = "key_id"
	DimProvider UsageDim = "provider_id"
	DimModel    UsageDim = "model"
)

// UsageFilter narrows a usage aggregate; zero values do not filter (id 0 marks requests that
// were rejected before authentication or never reached a provider, which are never a filter).
type UsageFilter struct {
	UserID, KeyID, ProviderID int
	Model                     string
}

// where appends the filter's conditions (each starting with " AND ") and arguments.
func (f UsageFilter) where(b *strings.Builder, args []any) []any {
	for _, c := range []struct {
		col string
		v   int
	}{{"user_id", f.UserID}, {"key_id", f.KeyID}, {"provider_id", f.ProviderID}} {
		if c.v != 0 {
			b.WriteString(" AND " + c.col + " = ?")
			args = append(args, c.v)
		}
	}
	if f.Model != "" {
		b.WriteString(" AND model = ?")
		args = append(args, f.Model)
	}
	return args
}

// UsageSums are the additive counters of a set of requests.
type UsageSums struct {
	Requests, Successes, Errors                                     int64
	InputTokens, OutputTokens, CacheCreationTokens, CacheReadTokens int64
	CostNano, DurationMsSum, TTFBMsSum, TTFBCount                   int64
}

// Add adds o to u.
func (u *UsageSums) Add(o UsageSums) {
	u.Requests += o.Requests
	u.Successes += o.Successes
	u.Errors += o.Errors
	u.InputTokens += o.InputTokens
	u.OutputTokens += o.OutputTokens
	u.CacheCreationTokens += o.CacheCreationTokens
	u.CacheReadTokens += o.CacheReadTokens
	u.CostNano += o.CostNano
	u.DurationMsSum += o.DurationMsSum
	u.TTFBMsSum += o.TTFBMsSum
	u.TTFBCount += o.TTFBCount
}

// Tokens is every token of the requests: input, output, cache writes and cache reads.
func (u UsageSums) Tokens() int64 {
	return u.InputTokens + u.OutputTokens + u.CacheCreationTokens + u.CacheReadTokens
}

// UsageRow is the usage of one bucket and one value of the dimension.
type UsageRow struct {
	// Bucket indexes the bucket [bounds[Bucket], bounds[Bucket+1]) of the query.
	Bucket int
	// ID is the user, key or provider id (DimUser, DimKey, DimProvider); Model the model
	// (DimModel). Both are zero for DimNone.
	ID    int
	Model string
	UsageSums
}

// maxUsageBuckets bounds the buckets of one query (a year of days, a month of hours, …).
const maxUsageBuckets = 5000

// Usage aggregates the requests made in [bounds[0], bounds[len-1]) into the buckets between
// consecutive bounds, split by dim. Rows come back ordered by bucket, then id or model; a
// bucket or dimension value without requests has no row.
//
// Whole hours come from the hourly rollups (usage_hourly_dims or usage_hourlies, written with
// the logs), so the cost grows with hours × dimension values, not with requests. Only the hours that a bound cuts in
// two (a range ending now, a day in a zone whose offset is not whole hours) are summed from the
// request logs, an indexed range of at most an hour each. The rollups keep their totals when
// log retention deletes old logs; a cut hour older than the retention then counts only what is
// left of its logs.
func (s *Store) Usage(ctx context.Context, bounds []time.Time, dim UsageDim, f UsageFilter) ([]UsageRow, error) {
	if len(bounds) < 2 || len(bounds) > maxUsageBuckets+1 {
		return nil, fmt.Errorf("usage: %d bounds, want 2 to %d", len(bounds), maxUsageBuckets+1)
	}
	if !validDim(dim) {
		return nil, fmt.Errorf("usage: unknown dimension %q", dim)
	}
	b := make([]time.Time, len(bounds))
	for i, t := range bounds {
		b[i] = dbTime(t)
		if i > 0 && !b[i].After(b[i-1]) {
			return nil, errors.New("usage: bounds must increase")
		}
	}
	first, last := b[0], b[len(b)-1]

	// Hours a bound cuts into two are taken from the logs.
	logHours := map[time.Time]bool{}
	for _, t := range b {
		if h := t.Truncate(time.Hour); !h.Equal(t) {
			logHours[h] = true
		}
	}
	acc := newUsageAcc(dim)

	// Whole hours from the rollups.
	from, to := ceilHour(first), last.Truncate(time.Hour)
	if from.Before(to) {
		byHour := len(b) > 2
		rows, err := s.rollupUsage(ctx, from, to, dim, f, byHour)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			bucket := 0
			if byHour {
				if logHours[r.hour] {
					continue
				}
				bucket = bucketOf(b, r.hour)
			}
			acc.add(bucket, r.id, r.model, r.sums)
		}
	}

	// Cut hours from the logs, one piece per bucket they overlap.
	cuts := append([]time.Time(nil), b...)
	for h := range logHours {
		cuts = append(cuts, h, h.Add(time.Hour))
	}
	slices.SortFunc(cuts, func(x, y time.Time) int { return x.Compare(y) })
	cuts = slices.CompactFunc(cuts, func(x, y time.Time) bool { return x.Equal(y) })
	for i := 0; i+1 < len(cuts); i++ {
		p, q := cuts[i], cuts[i+1]
		if p.Before(first) || !q.After(p) || q.After(last) || !logHours[p.Truncate(time.Hour)] {
			continue
		}
		rows, err := s.logUsage(ctx, p, q, dim, f)
		if err != nil {
			return nil, err
		}
		bucket := bucketOf(b, p)
		for _, r := range rows {
			acc.add(bucket, r.id, r.model, r.sums)
		}
	}
	return acc.rows(), nil
}

func validDim(d UsageDim) bool {
	switch d {
	case DimNone, DimUser, DimKey, DimProvider, DimModel:
		return true
	}
	return false
}

func ceilHour(t time.Time) time.Time {
	h := t.Truncate(time.Hour)
	if h.Equal(t) {
		return h
	}
	return h.Add(time.Hour)
}

// bucketOf returns i with b[i] <= t < b[i+1]; t must lie in [b[0], b[len-1]).
func bucketOf(b []time.Time, t time.Time) int {
	i := sort.Search(len(b), func(i int) bool { return b[i].After(t) })
	return i - 1
}

// usagePart is one grouped row of a rollup or log query.
type usagePart struct {
	hour  time.Time
	id    int
	model string
	sums  UsageSums
}

// rollupCols are the counters of a rollup row, rollupSums and logSums the aggregate
// expressions over rollups and request_logs, all in UsageSums order.
const (
	rollupCols = `request_count, success_count, error_count, input_tokens, output_tokens,
 cache_creation_input_tokens, cache_read_input_tokens, cost_nano, duration_ms_sum, ttfb_ms_sum, ttfb_count`
	rollupSums = `SUM(request_count), SUM(success_count), SUM(error_count), SUM(input_tokens),
 SUM(output_tokens), SUM(cache_creation_input_tokens), SUM(cache_read_input_tokens),
 SUM(cost_nano), SUM(duration_ms_sum), SUM(ttfb_ms_sum), SUM(ttfb_count)`
	logSums = `COUNT(*), SUM(CASE WHEN status_code >= 200 AND status_code < 300 THEN 1 ELSE 0 END),
 SUM(CASE WHEN status_code >= 200 AND status_code < 300 THEN 0 ELSE 1 END), SUM(input_tokens),
 SUM(output_tokens), SUM(cache_creation_input_tokens), SUM(cache_read_input_tokens),
 SUM(cost_nano), SUM(duration_ms), SUM(COALESCE(ttfb_ms, 0)), COUNT(ttfb_ms)`
)

// dimSelect is the select-list expression of dim: its column, or a constant.
func dimSelect(dim UsageDim) string {
	switch dim {
	case DimNone:
		return "0"
	case DimModel:
		return "model"
	}
	return string(dim)
}

// rollupUsage sums whole hours of rollups. A query that involves one dimension at most (its
// split, its filter, or both on the same column) reads usage_hourly_dims, whose rows per hour
// are the values of that one dimension; any other reads the combinations in usage_hourlies.
func (s *Store) rollupUsage(ctx context.Context, from, to time.Time, dim UsageDim, f UsageFilter, byHour bool) ([]usagePart, error) {
	if q, args, ok := dimQuery(from, to, dim, f, byHour); ok {
		return s.queryUsage(ctx, q, args, dim, byHour)
	}
	var q strings.Builder
	q.WriteString("SELECT ")
	if byHour {
		q.WriteString("hour_start, ")
	}
	q.WriteString(dimSelect(dim) + ", " + rollupSums + " FROM usage_hourlies WHERE hour_start >= ? AND hour_start < ?")
	args := f.where(&q, []any{from, to})
	var group []string
	if byHour {
		group = append(group, "hour_start")
	}
	if dim != DimNone {
		group = append(group, string(dim))
	}
	if len(group) > 0 {
		q.WriteString(" GROUP BY " + strings.Join(group, ", "))
	}
	return s.queryUsage(ctx, q.String(), args, dim, byHour)
}

// dimQuery builds the usage_hourly_dims query for dim and f, when they name one dimension at
// most.
func dimQuery(from, to time.Time, dim UsageDim, f UsageFilter, byHour bool) (string, []any, bool) {
	type cond struct {
		col UsageDim
		val any
	}
	var conds []cond
	if f.UserID != 0 {
		conds = append(conds, cond{DimUser, f.UserID})
	}
	if f.KeyID != 0 {
		conds = append(conds, cond{DimKey, f.KeyID})
	}
	if f.ProviderID != 0 {
		conds = append(conds, cond{DimProvider, f.ProviderID})
	}
	if f.Model != "" {
		conds = append(conds, cond{DimModel, f.Model})
	}
	col := dim
	switch {
	case len(conds) > 1:
		return "", nil, false
	case len(conds) == 1 && dim != DimNone && conds[0].col != dim:
		return "", nil, false
	case len(conds) == 1:
		col = conds[0].col
	}
	name := map[UsageDim]string{DimNone: "total", DimUser: "user", DimKey: "key", DimProvider: "provider", DimModel: "model"}[col]
	valueCol := "dim_id"
	if col == DimModel {
		valueCol = "model"
	}
	key := "0"
	if dim != DimNone {
		key = valueCol
	}
	var q strings.Builder
	q.WriteString("SELECT ")
	// Per hour, the rows of one dimension are already one per value (and the filter, when
	// there is one, leaves one per hour): the columns are read as they are, without GROUP BY.
	if byHour {
		q.WriteString("hour_start, " + key + ", " + rollupCols)
	} else {
		q.WriteString(key + ", " + rollupSums)
	}
	q.WriteString(" FROM usage_hourly_dims WHERE dim = ? AND hour_start >= ? AND hour_start < ?")
	args := []any{name, from, to}
	if len(conds) == 1 {
		q.WriteString(" AND " + valueCol + " = ?")
		args = append(args, conds[0].val)
	}
	if !byHour && dim != DimNone {
		q.WriteString(" GROUP BY " + valueCol)
	}
	return q.String(), args, true
}

func (s *Store) logUsage(ctx context.Context, from, to time.Time, dim UsageDim, f UsageFilter) ([]usagePart, error) {
	var q strings.Builder
	q.WriteString("SELECT " + dimSelect(dim) + ", " + logSums + " FROM request_logs WHERE created_at >= ? AND created_at < ?")
	args := f.where(&q, []any{from, to})
	if dim != DimNone {
		q.WriteString(" GROUP BY " + string(dim))
	}
	return s.queryUsage(ctx, q.String(), args, dim, false)
}

// queryUsage runs an aggregate whose columns are [hour,] dim, then the UsageSums. An aggregate
// without GROUP BY over no rows yields one row of NULLs, which is dropped.
func (s *Store) queryUsage(ctx context.Context, q string, args []any, dim UsageDim, byHour bool) ([]usagePart, error) {
	rows, err := s.readDB().QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("usage query: %w", err)
	}
	defer rows.Close()
	var out []usagePart
	for rows.Next() {
		var (
			p    usagePart
			hour any
			key  any
			n    [11]*int64
		)
		for i := range n {
			n[i] = new(int64)
		}
		dest := make([]any, 0, 13)
		if byHour {
			dest = append(dest, &hour)
		}
		dest = append(dest, &key)
		for i := range n {
			dest = append(dest, nullInt{n[i]})
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("usage scan: %w", err)
		}
		if byHour {
			if p.hour, err = scanTime(hour); err != nil {
				return nil, err
			}
		}
		switch dim {
		case DimModel:
			p.model = asString(key)
		case DimNone:
		default:
			p.id = int(asInt(key))
		}
		p.sums = UsageSums{*n[0], *n[1], *n[2], *n[3], *n[4], *n[5], *n[6], *n[7], *n[8], *n[9], *n[10]}
		if p.sums.Requests == 0 {
			continue
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// nullInt scans an integer column that may be NULL (a SUM over no rows) as 0.
type nullInt struct{ p *int64 }

func (n nullInt) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*n.p = 0
	case int64:
		*n.p = x
	case int32:
		*n.p = int64(x)
	case int:
		*n.p = int64(x)
	case float64:
		*n.p = int64(x)
	case []byte:
		return n.Scan(string(x))
	case string: // Postgres' SUM over bigint is numeric
		v, err := strconv.ParseInt(x, 10, 64)
		if err != nil {
			return fmt.Errorf("integer expected, got %q", x)
		}
		*n.p = v
	default:
		return fmt.Errorf("integer expected, got %T", v)
	}
	return nil
}

func asInt(v any) int64 {
	var n int64
	_ = nullInt{&n}.Scan(v)
	return n
}

func asString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	return ""
}

// usageAcc sums parts into rows by bucket and dimension value.
type usageAcc struct {
	dim UsageDim
	m   map[usageKey]*UsageRow
}

type usageKey struct {
	bucket int
	id     int
	model  string
}

func newUsageAcc(dim UsageDim) *usageAcc {
	return &usageAcc{dim: dim, m: map[usageKey]*UsageRow{}}
}

func (a *usageAcc) add(bucket, id int, model string, s UsageSums) {
	k := usageKey{bucket, id, model}
	r := a.m[k]
	if r == nil {
		r = &UsageRow{Bucket: bucket, ID: id, Model: model}
		a.m[k] = r
	}
	r.Add(s)
}

func (a *usageAcc) rows() []UsageRow {
	out := make([]UsageRow, 0, len(a.m))
	for _, r := range a.m {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(x, y UsageRow) int {
		if x.Bucket != y.Bucket {
			return x.Bucket - y.Bucket
		}
		if x.ID != y.ID {
			return x.ID - y.ID
		}
		return strings.Compare(x.Model, y.Model)
	})
	return out
}
