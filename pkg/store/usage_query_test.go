package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cchub/cchub/pkg/billing"
	"github.com/cchub/cchub/pkg/store"
	"github.com/cchub/cchub/pkg/store/storetest"
)

// spreadBase is the start of the records of spreadRecords: three days from here.
var spreadBase = time.Date(2026, 5, 10, 0, 0, 0, 0, time.UTC)

// spreadRecords returns n records spread irregularly over three days (with sub-second times),
// over 3 users, 4 keys, 3 providers (0 = never reached one) and 3 models.
func spreadRecords(n int) []billing.Record {
	models := []string{"claude-sonnet-4-5", "gpt-5", "gemini-2.5-pro"}
	recs := make([]billing.Record, n)
	for i := range recs {
		at := spreadBase.Add(time.Duration(i*7919%(3*24*3600))*time.Second + time.Duration(i%1000)*time.Millisecond)
		status := 200
		switch {
		case i%9 == 0:
			status = 529
		case i%13 == 0:
			status = 429
		}
		ttfb := int64(50 + i%400)
		if i%11 == 0 {
			ttfb = -1
		}
		recs[i] = billing.Record{
			RequestID:  fmt.Sprintf("spread-%06d", i),
			CreatedAt:  at,
			UserID:     1 + i%3,
			KeyID:      10 + i%4,
			ProviderID: []int{100, 101, 0}[i%3],
			Model:      models[(i/3)%3],
			StatusCode: status,
			DurationMs: int64(200 + (i*37)%5000),
			TTFBMs:     ttfb,
			SessionID:  fmt.Sprintf("s-%d", i%7),
			Usage: billing.Usage{InputTokens: int64(i % 300), OutputTokens: int64(i % 50),
				CacheCreationTokens: int64(i % 17), CacheReadTokens: int64(i % 23)},
			CostNano: int64(1000 + i),
			Ledger:   true,
		}
	}
	return recs
}

func writeRecords(t testing.TB, s *store.Store, recs []billing.Record) {
	t.Helper()
	for c := range slices.Chunk(recs, 2000) {
		if err := s.WriteBatch(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
}

// bruteUsage is what Usage must return, computed from the records themselves.
func bruteUsage(recs []billing.Record, bounds []time.Time, dim store.UsageDim, f store.UsageFilter) []store.UsageRow {
	type k struct {
		b, id int
		m     string
	}
	m := map[k]*store.UsageRow{}
	for _, r := range recs {
		t := r.CreatedAt.UTC().Truncate(time.Microsecond)
		if t.Before(bounds[0]) || !t.Before(bounds[len(bounds)-1]) {
			continue
		}
		if (f.UserID != 0 && r.UserID != f.UserID) || (f.KeyID != 0 && r.KeyID != f.KeyID) ||
			(f.ProviderID != 0 && r.ProviderID != f.ProviderID) || (f.Model != "" && r.Model != f.Model) {
			continue
		}
		b := 0
		for b+1 < len(bounds) && !t.Before(bounds[b+1]) {
			b++
		}
		key := k{b: b}
		switch dim {
		case store.DimUser:
			key.id = r.UserID
		case store.DimKey:
			key.id = r.KeyID
		case store.DimProvider:
			key.id = r.ProviderID
		case store.DimModel:
			key.m = r.Model
		}
		row := m[key]
		if row == nil {
			row = &store.UsageRow{Bucket: b, ID: key.id, Model: key.m}
			m[key] = row
		}
		s := store.UsageSums{Requests: 1, InputTokens: r.Usage.InputTokens, OutputTokens: r.Usage.OutputTokens,
			CacheCreationTokens: r.Usage.CacheCreationTokens, CacheReadTokens: r.Usage.CacheReadTokens,
			CostNano: r.CostNano, DurationMsSum: r.DurationMs}
		if r.Success() {
			s.Successes = 1
		} else {
			s.Errors = 1
		}
		if r.TTFBMs >= 0 {
			s.TTFBMsSum, s.TTFBCount = r.TTFBMs, 1
		}
		row.Add(s)
	}
	out := make([]store.UsageRow, 0, len(m))
	for _, r := range m {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(x, y store.UsageRow) int {
		if x.Bucket != y.Bucket {
			return x.Bucket - y.Bucket
		}
		if x.ID != y.ID {
			return x.ID - y.ID
		}
		if x.Model < y.Model {
			return -1
		}
		if x.Model > y.Model {
			return 1
		}
		return 0
	})
	return out
}

func dayBounds(loc *time.Location, from time.Time, days int) []time.Time {
	y, m, d := from.In(loc).Date()
	out := make([]time.Time, days+1)
	for i := range out {
		out[i] = time.Date(y, m, d+i, 0, 0, 0, 0, loc)
	}
	return out
}

// TestUsageMatchesLogs checks Usage against sums over the records for aligned and unaligned
// ranges, hour and day buckets in whole-hour and fractional-offset zones, every dimension and
// filters: rollups and the log pieces of cut hours must add up to exactly the logged requests.
func TestUsageMatchesLogs(t *testing.T) {
	recs := spreadRecords(3000)
	kolkata, _ := time.LoadLocation("Asia/Kolkata")     // +05:30
	kathmandu, _ := time.LoadLocation("Asia/Kathmandu") // +05:45
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	hours := make([]time.Time, 25)
	for i := range hours {
		hours[i] = spreadBase.Add(time.Duration(24+i) * time.Hour)
	}
	cases := map[string][]time.Time{
		"whole range aligned":   {spreadBase, spreadBase.Add(72 * time.Hour)},
		"unaligned both ends":   {spreadBase.Add(90*time.Minute + 123456*time.Microsecond), spreadBase.Add(50*time.Hour + 7*time.Second)},
		"inside one hour":       {spreadBase.Add(5*time.Hour + 10*time.Minute), spreadBase.Add(5*time.Hour + 40*time.Minute)},
		"hour buckets":          hours,
		"days shanghai":         dayBounds(shanghai, spreadBase.Add(-24*time.Hour), 5),
		"days kolkata":          dayBounds(kolkata, spreadBase, 4),
		"days kathmandu":        dayBounds(kathmandu, spreadBase.Add(-time.Hour), 4),
		"open end like now":     {spreadBase.Add(24 * time.Hour), spreadBase.Add(61*time.Hour + 17*time.Minute + 3*time.Second)},
		"before any request":    {spreadBase.Add(-48 * time.Hour), spreadBase.Add(-24 * time.Hour)},
		"unaligned many bounds": {spreadBase.Add(30 * time.Minute), spreadBase.Add(31 * time.Minute), spreadBase.Add(2*time.Hour + 15*time.Minute), spreadBase.Add(70 * time.Hour)},
	}
	filters := []store.UsageFilter{{}, {UserID: 2}, {KeyID: 11, Model: "gpt-5"}, {ProviderID: 101}}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		writeRecords(t, s, recs)
		ctx := context.Background()
		for name, bounds := range cases {
			for _, dim := range []store.UsageDim{store.DimNone, store.DimUser, store.DimKey, store.DimProvider, store.DimModel} {
				for _, f := range filters {
					got, err := s.Usage(ctx, bounds, dim, f)
					if err != nil {
						t.Fatalf("%s/%q/%+v: %v", name, dim, f, err)
					}
					want := bruteUsage(recs, toUTC(bounds), dim, f)
					if len(got) == 0 && len(want) == 0 {
						continue
					}
					if !slices.Equal(got, want) {
						t.Fatalf("%s/%q/%+v:\n got %+v\nwant %+v", name, dim, f, got, want)
					}
				}
			}
		}
	})
}

func toUTC(b []time.Time) []time.Time {
	out := make([]time.Time, len(b))
	for i, t := range b {
		out[i] = t.UTC()
	}
	return out
}

func TestUsageRejectsBadBounds(t *testing.T) {
	s := storetest.SQLite(t)
	ctx := context.Background()
	now := time.Now()
	for name, b := range map[string][]time.Time{
		"one bound":  {now},
		"decreasing": {now, now.Add(-time.Hour)},
		"equal":      {now, now},
	} {
		if _, err := s.Usage(ctx, b, store.DimNone, store.UsageFilter{}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := s.Usage(ctx, []time.Time{now, now.Add(time.Hour)}, store.UsageDim("id; DROP TABLE x"), store.UsageFilter{}); err == nil {
		t.Error("unknown dimension accepted")
	}
}

func TestLatencyPercentile(t *testing.T) {
	recs := spreadRecords(1000)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		writeRecords(t, s, recs)
		ctx := context.Background()
		from, to := spreadBase.Add(3*time.Hour+30*time.Minute), spreadBase.Add(40*time.Hour)
		var durs, ttfbs []int64
		for _, r := range recs {
			if r.CreatedAt.Before(from) || !r.CreatedAt.Before(to) || r.KeyID != 12 {
				continue
			}
			durs = append(durs, r.DurationMs)
			if r.TTFBMs >= 0 {
				ttfbs = append(ttfbs, r.TTFBMs)
			}
		}
		slices.Sort(durs)
		slices.Sort(ttfbs)
		rank := func(v []int64, q float64) int64 {
			i := 0
			for float64(i+1) < q*float64(len(v)) {
				i++
			}
			return v[i]
		}
		for _, q := range []float64{0.5, 0.95, 1} {
			got, err := s.LatencyPercentile(ctx, from, to, store.UsageFilter{KeyID: 12}, q)
			if err != nil {
				t.Fatal(err)
			}
			if got.DurationMs == nil || *got.DurationMs != rank(durs, q) || got.TTFBMs == nil || *got.TTFBMs != rank(ttfbs, q) {
				t.Fatalf("p%v: got %v/%v, want %d/%d", q*100, ptr(got.DurationMs), ptr(got.TTFBMs), rank(durs, q), rank(ttfbs, q))
			}
		}
		empty, err := s.LatencyPercentile(ctx, spreadBase.Add(-time.Hour), spreadBase, store.UsageFilter{}, 0.95)
		if err != nil || empty.DurationMs != nil || empty.TTFBMs != nil {
			t.Fatalf("empty range: %+v %v", empty, err)
		}
	})
}

func ptr(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestDimRollupsMatchCombinations: the per-dimension rollups the writer adds are the
// combination rollups summed along each dimension.
func TestDimRollupsMatchCombinations(t *testing.T) {
	recs := spreadRecords(2000)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		// In several batches, so that upserts add to existing rows.
		for c := range slices.Chunk(recs, 300) {
			if err := s.WriteBatch(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		combos, err := s.Client.UsageHourly.Query().All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		type key struct {
			hour       int64
			dim, model string
			id         int
		}
		want := map[key]int64{}
		for _, r := range combos {
			h := r.HourStart.Unix()
			want[key{h, "total", "", 0}] += r.CostNano*1000 + r.RequestCount
			want[key{h, "user", "", r.UserID}] += r.CostNano*1000 + r.RequestCount
			want[key{h, "key", "", r.KeyID}] += r.CostNano*1000 + r.RequestCount
			want[key{h, "provider", "", r.ProviderID}] += r.CostNano*1000 + r.RequestCount
			want[key{h, "model", r.Model, 0}] += r.CostNano*1000 + r.RequestCount
		}
		dims, err := s.Client.UsageHourlyDim.Query().All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(dims) != len(want) {
			t.Fatalf("%d per-dimension rows, want %d", len(dims), len(want))
		}
		for _, d := range dims {
			k := key{d.HourStart.Unix(), string(d.Dim), d.Model, d.DimID}
			if got := d.CostNano*1000 + d.RequestCount; got != want[k] {
				t.Fatalf("%+v: %d, want %d", k, got, want[k])
			}
		}
	})
}

// TestLatencySampleBound: past the bound, the percentile is that of the latest requests.
func TestLatencySampleBound(t *testing.T) {
	recs := spreadRecords(1000)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		writeRecords(t, s, recs)
		defer store.SetLatencySample(100)()
		from, to := spreadBase, spreadBase.Add(72*time.Hour)
		sorted := slices.Clone(recs)
		slices.SortFunc(sorted, func(a, b billing.Record) int { return b.CreatedAt.Compare(a.CreatedAt) })
		var durs []int64
		for _, r := range sorted[:100] {
			durs = append(durs, r.DurationMs)
		}
		slices.Sort(durs)
		got, err := s.LatencyPercentile(context.Background(), from, to, store.UsageFilter{}, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		if got.Sample != 100 || got.DurationMs == nil || *got.DurationMs != durs[94] {
			t.Fatalf("got %+v (p95 %v), want sample 100 and p95 %d", got, ptr(got.DurationMs), durs[94])
		}
	})
}
