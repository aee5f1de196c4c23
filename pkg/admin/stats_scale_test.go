package admin

import (
	"context"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/cloudwego/hertz/pkg/common/config"
	"github.com/cloudwego/hertz/pkg/common/ut"
	"github.com/cloudwego/hertz/pkg/route"

	"github.com/cchub/cchub/pkg/store"
	"github.com/cchub/cchub/pkg/store/storetest"
)

// The read side must answer in at most 300 ms with 1,000,000 request logs. The regular test
// seeds 20,000 (CCHUB_STATS_ROWS overrides it, e.g. 1000000, for the full check); the
// benchmark seeds CCHUB_STATS_ROWS or 1,000,000 once per database and times each route.
//
//	CCHUB_STATS_ROWS=1000000 go test ./pkg/admin -run TestReadSideAtScale -v -timeout 30m
//	CCHUB_STATS_ROWS=1000000 CCHUB_STATS_HOT=0.5 …   (half of them in the last 24 hours)
//	go test ./pkg/admin -run '^$' -bench BenchmarkReadSide -benchtime 20x -timeout 30m

const readSideBudget = 300 * time.Millisecond

// scaleEnd is the clock of the scale runs: the seeded month ends here.
var scaleEnd = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// scaleRoutes are the timed requests.
var scaleRoutes = []string{
	"/api/v1/stats/overview",
	"/api/v1/stats/timeseries?bucket=hour&split=model",
	"/api/v1/stats/timeseries?bucket=day&split=user",
	"/api/v1/stats/timeseries?bucket=day&split=provider&from=2026-01-31T00:00:00%2B05:30", // fractional-offset days
	"/api/v1/leaderboard?scope=user&period=daily",
	"/api/v1/leaderboard?scope=key&period=weekly",
	"/api/v1/leaderboard?scope=model&period=monthly",
	"/api/v1/leaderboard?scope=provider&period=all",
	"/api/v1/sessions",
}

func envRows(def int) int {
	if n, err := strconv.Atoi(os.Getenv("CCHUB_STATS_ROWS")); err == nil && n > 0 {
		return n
	}
	return def
}

// scaleEngine is an admin API on s with the clock at scaleEnd, for tests and benchmarks.
func scaleEngine(s *store.Store, loc *time.Location) *route.Engine {
	api := New(Config{Store: s, AdminToken: testToken, Location: loc, Now: func() time.Time { return scaleEnd }})
	eng := route.NewEngine(config.NewOptions(nil))
	api.Register(eng)
	return eng
}

func timedGet(tb testing.TB, eng *route.Engine, path string) (time.Duration, []byte) {
	tb.Helper()
	start := time.Now()
	w := ut.PerformRequest(eng, "GET", "http://"+testHost+path, nil, bearer(testToken))
	d := time.Since(start)
	res := w.Result()
	if res.StatusCode() != 200 {
		tb.Fatalf("GET %s: %d %s", path, res.StatusCode(), res.Body())
	}
	return d, append([]byte(nil), res.Body()...)
}

func seedScale(tb testing.TB, s *store.Store, rows int) storetest.SeedTotals {
	tb.Helper()
	start := time.Now()
	sd := storetest.DefaultSeed(rows, scaleEnd)
	// CCHUB_STATS_HOT puts that share of the rows in the last 24 hours (a very busy day).
	if f, err := strconv.ParseFloat(os.Getenv("CCHUB_STATS_HOT"), 64); err == nil && f >= 0 && f <= 1 {
		sd.HotShare = f
	}
	tot, err := storetest.SeedUsage(context.Background(), s, sd, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Logf("%s: seeded %d request logs and %d hourly rollups in %v", s.Dialect, tot.Requests, tot.Rollups, time.Since(start).Round(time.Millisecond))
	return tot
}

// TestReadSideAtScale seeds a month of traffic, checks the aggregates against the seed's own
// totals and that every read-side route answers within the budget (median of 5 after a
// warm-up).
func TestReadSideAtScale(t *testing.T) {
	rows := envRows(20_000)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		tot := seedScale(t, s, rows)
		eng := scaleEngine(s, mustLoc(t, "Asia/Shanghai"))

		// The month's totals add up, through the rollups and the log pieces alike.
		var lb leaderboardView
		_, body := timedGet(t, eng, "/api/v1/leaderboard?scope=user&period=all&limit=500")
		decodeInto(t, body, &lb)
		var req, cost, toks int64
		for _, it := range lb.Items {
			req += it.Requests
			c, _ := parseUSD(it.CostUSD)
			cost += c
			toks += it.Tokens
		}
		if req != tot.Requests || cost != tot.Cost || toks != tot.Tokens || len(lb.Items) != 20 {
			t.Fatalf("leaderboard all: %d requests $%d %d tokens over %d users; seeded %+v", req, cost, toks, len(lb.Items), tot)
		}
		var ts seriesView
		_, body = timedGet(t, eng, "/api/v1/stats/timeseries?bucket=day&from=2026-01-20T00:00:00Z&split=model")
		decodeInto(t, body, &ts)
		req = 0
		var errs int64
		for _, p := range ts.Items {
			req += p.Requests
			errs += p.Errors
			var g int64
			for _, gr := range p.Groups {
				g += gr.Requests
			}
			if g != p.Requests {
				t.Fatalf("bucket %s: groups sum to %d of %d", p.Start, g, p.Requests)
			}
		}
		if req != tot.Requests || errs != tot.Errors {
			t.Fatalf("timeseries: %d requests %d errors, seeded %+v", req, errs, tot)
		}

		for _, path := range scaleRoutes {
			timedGet(t, eng, path) // warm-up
			var runs []time.Duration
			for range 5 {
				d, _ := timedGet(t, eng, path)
				runs = append(runs, d)
			}
			slices.Sort(runs)
			med := runs[len(runs)/2]
			t.Logf("%s %d rows: %-90s median %v (max %v)", s.Dialect, rows, path, med.Round(100*time.Microsecond), runs[len(runs)-1].Round(100*time.Microsecond))
			if med > readSideBudget && !raceEnabled {
				t.Errorf("%s: median %v over the %v budget", path, med, readSideBudget)
			}
		}
	})
}

func decodeInto(t *testing.T, b []byte, v any) {
	t.Helper()
	r := &response{t: t, Status: 200, Body: b}
	r.decode(v)
}

func parseUSD(s string) (int64, error) {
	// Cost strings are exact decimals of nano-USD.
	whole, frac, _ := cutDot(s)
	for len(frac) < 9 {
		frac += "0"
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseInt(frac, 10, 64)
	return w*1_000_000_000 + f, err
}

func cutDot(s string) (string, string, bool) {
	for i := range len(s) {
		if s[i] == '.' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// BenchmarkReadSide times each read-side route on a seeded month (CCHUB_STATS_ROWS, default
// 1,000,000 requests) on SQLite and, with CCHUB_TEST_PG_DSN, Postgres. A parent benchmark runs
// once, so each database is seeded once for all the routes.
func BenchmarkReadSide(b *testing.B) {
	rows := envRows(1_000_000)
	for _, d := range []string{"sqlite", "postgres"} {
		b.Run(d, func(b *testing.B) {
			var s *store.Store
			if d == "sqlite" {
				s = storetest.SQLite(b)
			} else {
				s = storetest.Postgres(b)
			}
			seedScale(b, s, rows)
			eng := scaleEngine(s, time.UTC)
			for _, path := range scaleRoutes {
				b.Run(path, func(b *testing.B) {
					for b.Loop() {
						timedGet(b, eng, path)
					}
				})
			}
		})
	}
}
