package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/cchub/cchub/ent"
	"github.com/cchub/cchub/ent/usagehourlydim"
)

// dimKey identifies one usage_hourly_dims row.
type dimKey struct {
	hour  int64
	dim   usagehourlydim.Dim
	id    int
	model string
}

// dimCounters are the usage_hourly_dims columns a conflicting upsert adds to.
var dimCounters = []string{
	usagehourlydim.FieldRequestCount, usagehourlydim.FieldSuccessCount, usagehourlydim.FieldErrorCount,
	usagehourlydim.FieldInputTokens, usagehourlydim.FieldOutputTokens,
	usagehourlydim.FieldCacheCreationInputTokens, usagehourlydim.FieldCacheReadInputTokens,
	usagehourlydim.FieldCostNano, usagehourlydim.FieldDurationMsSum,
	usagehourlydim.FieldTtfbMsSum, usagehourlydim.FieldTtfbCount,
}

// addDimRollups adds the combination rollups of one batch to the per-dimension rollups: each
// combination counts once in total and once for its user, key, provider and model.
func addDimRollups(ctx context.Context, tx *ent.Tx, dialect string, sums map[rollupKey]*rollup) error {
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
	excluded := entsql.Dialect(dialect).Table("excluded")
	for chunk := range slices.Chunk(keys, usageChunk) {
		creates := make([]*ent.UsageHourlyDimCreate, len(chunk))
		for i, k := range chunk {
			s := dims[k]
			creates[i] = tx.UsageHourlyDim.Create().
				SetHourStart(time.Unix(k.hour, 0).UTC()).
				SetDim(k.dim).
				SetDimID(k.id).
				SetModel(k.model).
				SetRequestCount(s.requests).
				SetSuccessCount(s.successes).
				SetErrorCount(s.errors).
				SetInputTokens(s.input).
				SetOutputTokens(s.output).
				SetCacheCreationInputTokens(s.cacheWrite).
				SetCacheReadInputTokens(s.cache).
				SetCostNano(s.cost).
				SetDurationMsSum(s.duration).
				SetTtfbMsSum(s.ttfbSum).
				SetTtfbCount(s.ttfbN)
		}
		err := tx.UsageHourlyDim.CreateBulk(creates...).
			OnConflict(
				entsql.ConflictColumns(usagehourlydim.FieldDim, usagehourlydim.FieldHourStart,
					usagehourlydim.FieldDimID, usagehourlydim.FieldModel),
				entsql.ResolveWith(func(u *entsql.UpdateSet) {
					for _, c := range dimCounters {
						u.Add(c, entsql.Expr(excluded.C(c)))
					}
				}),
			).Exec(ctx)
		if err != nil {
			return fmt.Errorf("upsert per-dimension rollups: %w", err)
		}
	}
	return nil
}
