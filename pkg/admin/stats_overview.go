package admin

import (
	"context"
	"net/http"
	"time"

	"github.com/cloudwego/hertz/pkg/app"

	"github.com/cchub/cchub/pkg/store"
)

// overviewPeriod is one day of the dashboard's metric cards.
type overviewPeriod struct {
	From string `json:"from"`
	To   string `json:"to"`
	usageView
	ErrorRate     *float64 `json:"error_rate"`
	P95DurationMs *int64   `json:"p95_duration_ms"`
	P95TTFBMs     *int64   `json:"p95_ttfb_ms"`
	// LatencySample is the number of requests the percentiles were computed over: all of the
	// period's, or its latest 50,000 on a busier day.
	LatencySample int64 `json:"latency_sample"`
}

type overviewView struct {
	Timezone string `json:"timezone"`
	Now      string `json:"now"`
	// Today runs from midnight in the hub's timezone to now; Yesterday is the whole day before.
	Today     overviewPeriod `json:"today"`
	Yesterday overviewPeriod `json:"yesterday"`
	// ActiveSessions counts the sessions with a request in the last SessionTTLSeconds.
	ActiveSessions    int64 `json:"active_sessions"`
	SessionTTLSeconds int64 `json:"session_ttl_seconds"`
	// RPM is the number of requests in the last minute.
	RPM int64 `json:"rpm"`
}

// statsOverview serves GET /api/v1/stats/overview: today against yesterday in the hub's
// timezone. Sums come from the hourly rollups; percentiles (over at most the latest 50,000
// requests of each day), active sessions and RPM from the request logs.
func (a *API) statsOverview(ctx context.Context, c *app.RequestContext) {
	env, _, err := a.readEnv(ctx)
	if err != nil {
		a.fail(ctx, c, "settings", err)
		return
	}
	v, err := a.overview(ctx, env)
	if err != nil {
		a.fail(ctx, c, "statistics", err)
		return
	}
	writeJSON(c, http.StatusOK, v)
}

func (a *API) overview(ctx context.Context, env readEnv) (overviewView, error) {
	st := a.cfg.Store
	now := env.now
	today := dayStart(now, env.loc)
	yesterday := addDays(today, -1, env.loc)
	// The clock can sit exactly on midnight: today is then empty.
	end := now.Add(time.Microsecond)
	rows, err := st.Usage(ctx, []time.Time{yesterday, today, end}, store.DimNone, store.UsageFilter{})
	if err != nil {
		return overviewView{}, err
	}
	var sums [2]store.UsageSums
	for _, r := range rows {
		sums[r.Bucket] = r.UsageSums
	}
	v := overviewView{Timezone: env.loc.String(), Now: timeOut(now),
		SessionTTLSeconds: int64(env.ttl / time.Second)}
	ranges := [2][2]time.Time{{yesterday, today}, {today, end}}
	var periods [2]overviewPeriod
	for i, r := range ranges {
		lat, err := st.LatencyPercentile(ctx, r[0], r[1], store.UsageFilter{}, 0.95)
		if err != nil {
			return overviewView{}, err
		}
		p := overviewPeriod{From: timeOut(r[0]), To: timeOut(r[1]), usageView: viewUsage(sums[i]),
			P95DurationMs: lat.DurationMs, P95TTFBMs: lat.TTFBMs, LatencySample: lat.Sample}
		if sums[i].Requests > 0 {
			e := ratio(sums[i].Errors, sums[i].Requests)
			p.ErrorRate = &e
		}
		periods[i] = p
	}
	v.Yesterday, v.Today = periods[0], periods[1]
	v.Today.To = timeOut(now)
	if v.ActiveSessions, err = st.ActiveSessionCount(ctx, now.Add(-env.ttl), end); err != nil {
		return overviewView{}, err
	}
	if v.RPM, err = st.RequestCount(ctx, now.Add(-time.Minute), end); err != nil {
		return overviewView{}, err
	}
	return v, nil
}
