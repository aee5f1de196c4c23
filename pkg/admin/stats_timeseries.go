package admin

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudwego/hertz/pkg/app"

	"github.com/cchub/cchub/pkg/store"
)

// Largest ranges of GET /stats/timeseries: a month of hours, a year of days.
const (
	maxHourBuckets = 31 * 24
	maxDayBuckets  = 366
)

type seriesPoint struct {
	Start string `json:"start"`
	usageView
	// Groups splits the bucket by the split dimension (empty without split); only values with
	// requests appear.
	Groups []seriesGroup `json:"groups"`
}

type seriesGroup struct {
	// ID is the user, key or provider id (null for model splits); Name its current name, or
	// the model (null for an id that no longer exists).
	ID   *int    `json:"id"`
	Name *string `json:"name"`
	usageView
}

type seriesView struct {
	Bucket   string        `json:"bucket"`
	Split    string        `json:"split"`
	Timezone string        `json:"timezone"`
	From     string        `json:"from"`
	To       string        `json:"to"`
	Items    []seriesPoint `json:"items"`
}

// statsTimeseries serves GET /api/v1/stats/timeseries?bucket=hour|day&from&to&split=…: usage
// per bucket, every bucket of the range present (zeros included), optionally split by user,
// key, provider or model and filtered by user_id, key_id, provider_id, model. Hour buckets are
// clock hours; day buckets are days in the hub's timezone. from is rounded down and to up to
// bucket boundaries; defaults: the last 24 hours, or the last 30 days.
func (a *API) statsTimeseries(ctx context.Context, c *app.RequestContext) {
	bucket, aerr := queryEnum(c, "bucket", "hour", "hour", "day")
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	split, aerr := queryEnum(c, "split", "", "user", "key", "provider", "model")
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	f, aerr := readUsageFilter(c)
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	from, aerr := queryTime(c, "from")
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	to, aerr := queryTime(c, "to")
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	if !from.IsZero() && !to.IsZero() && !to.After(from) {
		writeError(c, badField("to", "must be after from"))
		return
	}
	env, _, err := a.readEnv(ctx)
	if err != nil {
		a.fail(ctx, c, "settings", err)
		return
	}
	starts, aerr := seriesBuckets(bucket, from, to, env)
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	v, err := a.series(ctx, env, starts, dims[split], f)
	if err != nil {
		a.fail(ctx, c, "statistics", err)
		return
	}
	v.Bucket, v.Split, v.Timezone = bucket, split, env.loc.String()
	writeJSON(c, http.StatusOK, v)
}

// seriesBuckets returns the bucket boundaries: n+1 instants for n buckets.
func seriesBuckets(bucket string, from, to time.Time, env readEnv) ([]time.Time, *apiError) {
	limit := maxHourBuckets
	step := func(t time.Time) time.Time { return t.Add(time.Hour) }
	align := func(t time.Time) time.Time { return t.Truncate(time.Hour) }
	defaultSpan := 24
	if bucket == "day" {
		limit = maxDayBuckets
		step = func(t time.Time) time.Time { return addDays(t, 1, env.loc) }
		align = func(t time.Time) time.Time { return dayStart(t, env.loc) }
		defaultSpan = 30
	}
	switch {
	case to.IsZero():
		to = step(align(env.now))
	case !align(to).Equal(to):
		to = step(align(to))
	}
	if from.IsZero() {
		from = to
		for range defaultSpan {
			from = align(from.Add(-time.Nanosecond))
		}
	} else {
		from = align(from)
	}
	bounds := []time.Time{from}
	for t := from; t.Before(to); {
		t = step(t)
		bounds = append(bounds, t)
		if len(bounds) > limit+1 {
			return nil, badField("from", "the range holds more than "+strconv.Itoa(limit)+" "+bucket+
				" buckets; narrow it or use a larger bucket")
		}
	}
	return bounds, nil
}

// series sums the buckets. Buckets after now are empty by definition, so the query stops at
// now: what is logged with a later time (a skewed clock) is not shown ahead of time.
func (a *API) series(ctx context.Context, env readEnv, starts []time.Time, dim store.UsageDim, f store.UsageFilter) (seriesView, error) {
	v := seriesView{From: timeOut(starts[0]), To: timeOut(starts[len(starts)-1]),
		Items: make([]seriesPoint, len(starts)-1)}
	for i := range v.Items {
		v.Items[i].Start = timeOut(starts[i])
		v.Items[i].usageView = viewUsage(store.UsageSums{})
		v.Items[i].Groups = []seriesGroup{}
	}
	end := env.now.Add(time.Microsecond)
	var bounds []time.Time
	for _, t := range starts {
		if !t.Before(end) {
			break
		}
		bounds = append(bounds, t)
	}
	if len(bounds) == 0 {
		return v, nil
	}
	if len(bounds) < len(starts) {
		bounds = append(bounds, end)
	}
	rows, err := a.cfg.Store.Usage(ctx, bounds, dim, f)
	if err != nil {
		return v, err
	}
	var nm *names
	if dim != store.DimNone && dim != store.DimModel {
		var users, keys, providers []int
		for _, r := range rows {
			switch dim {
			case store.DimUser:
				users = append(users, r.ID)
			case store.DimKey:
				keys = append(keys, r.ID)
			case store.DimProvider:
				providers = append(providers, r.ID)
			}
		}
		if nm, err = a.lookupNames(ctx, users, keys, providers); err != nil {
			return v, err
		}
	}
	totals := make([]store.UsageSums, len(v.Items))
	for _, r := range rows {
		totals[r.Bucket].Add(r.UsageSums)
		if dim == store.DimNone {
			continue
		}
		g := seriesGroup{usageView: viewUsage(r.UsageSums)}
		if dim == store.DimModel {
			g.Name = &r.Model
		} else {
			id := r.ID
			g.ID = &id
			g.Name = nm.of(dim, id)
		}
		v.Items[r.Bucket].Groups = append(v.Items[r.Bucket].Groups, g)
	}
	for i := range v.Items {
		v.Items[i].usageView = viewUsage(totals[i])
	}
	return v, nil
}
