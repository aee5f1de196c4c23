package store

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/cchub/cchub/ent/usagehourlydim"
)

// dimKey identifies one usage_hourly_dims row.
type dimKey struct {
	hour  int64
	dim   usagehourlydim.Dim
	id    int
	model string
}

var dimConflict = []string{"dim", "hour_start", "dim_id", "model"}

var usageHourlyDimTable = newUsageTable("usage_hourly_dims", append([]usageColumn{
	{"hour_start", "timestamptz"}, {"dim", "text"}, {"dim_id", "int8"}, {"model", "text"},
}, counterColumns()...), addCounters("usage_hourly_dims", dimConflict, rollupCounters), "")

// addDimRollups adds the combination rollups of one batch to the per-dimension rollups: each
// combination counts once in total and once for its user, key, provider and model.
func addDimRollups(ctx context.Context, tx *sql.Tx, dialect string, sums map[rollupKey]*rollup) error {
	dims := make(map[dimKey]*rollup)
	add := func(k dimKey, s *rollup) {
		d := dims[k]
		if d == nil {
			d = &rollup{}
			dims[k] = d
		}
		d.requests += s.requests
		d.successes += s.successes
		d.errors += s.errors
		d.input += s.input
		d.output += s.output
		d.cacheWrite += s.cacheWrite
		d.cache += s.cache
		d.cost += s.cost
		d.duration += s.duration
		d.ttfbSum += s.ttfbSum
		d.ttfbN += s.ttfbN
	}
	for k, s := range sums {
		add(dimKey{hour: k.hour, dim: usagehourlydim.DimTotal}, s)
		add(dimKey{hour: k.hour, dim: usagehourlydim.DimUser, id: k.user}, s)
		add(dimKey{hour: k.hour, dim: usagehourlydim.DimKey, id: k.key}, s)
		add(dimKey{hour: k.hour, dim: usagehourlydim.DimProvider, id: k.provider}, s)
		add(dimKey{hour: k.hour, dim: usagehourlydim.DimModel, model: k.model}, s)
	}
	// A fixed order, as for the combination rollups: concurrent writers lock rows alike.
	keys := make([]dimKey, 0, len(dims))
	for k := range dims {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b dimKey) int {
		return cmp.Or(strings.Compare(string(a.dim), string(b.dim)), cmp.Compare(a.hour, b.hour),
			cmp.Compare(a.id, b.id), strings.Compare(a.model, b.model))
	})
	rows := make([][]any, len(keys))
	for i, k := range keys {
		row := make([]any, 0, len(usageHourlyDimTable.cols))
		row = append(row, time.Unix(k.hour, 0).UTC(), string(k.dim), int64(k.id), k.model)
		rows[i] = dims[k].values(row)
	}
	_, err := insertRows(ctx, tx, dialect, usageHourlyDimTable, rows)
	return err
}
