package admin

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cloudwego/hertz/pkg/app"

	"github.com/cchub/cchub/pkg/store"
)

type leaderboardEntry struct {
	Rank int `json:"rank"`
	// ID is the user, key or provider id (null for the model scope); Name its current name
	// (null when it was deleted) or the model.
	ID   *int    `json:"id"`
	Name *string `json:"name"`
	// UserID and UserName are the key's owner (key scope only).
	UserID   *int    `json:"user_id,omitempty"`
	UserName *string `json:"user_name,omitempty"`
	usageView
}

type leaderboardView struct {
	Scope    string `json:"scope"`
	Period   string `json:"period"`
	Timezone string `json:"timezone"`
	// From is the period's start in the hub's timezone (null for all), To is now.
	From       *string            `json:"from"`
	To         string             `json:"to"`
	Items      []leaderboardEntry `json:"items"`
	NextCursor *int               `json:"next_cursor"`
}

// leaderboard serves GET /api/v1/leaderboard?scope=user|key|provider|model&period=daily|
// weekly|monthly|all: usage per user, key, provider or model since the start of the day, week
// (Monday) or month in the hub's timezone, ranked by cost, then requests, then tokens. Requests
// that never had a user, key or provider (id 0) are not ranked. Paged with limit and cursor
// (an offset).
func (a *API) leaderboard(ctx context.Context, c *app.RequestContext) {
	scope, aerr := queryEnum(c, "scope", "user", "user", "key", "provider", "model")
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	period, aerr := queryEnum(c, "period", "daily", "daily", "weekly", "monthly", "all")
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	limit, offset, aerr := readOffsetPage(c)
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	env, _, err := a.readEnv(ctx)
	if err != nil {
		a.fail(ctx, c, "settings", err)
		return
	}
	v, err := a.ranking(ctx, env, scope, period, limit, offset)
	if err != nil {
		a.fail(ctx, c, "leaderboard", err)
		return
	}
	writeJSON(c, http.StatusOK, v)
}

// periodStart is the start of period at now in loc; the zero time for "all".
func periodStart(period string, now time.Time, loc *time.Location) time.Time {
	switch period {
	case "daily":
		return dayStart(now, loc)
	case "weekly":
		return weekStart(now, loc)
	case "monthly":
		return monthStart(now, loc)
	}
	return time.Time{}
}

// allTime is the start of period "all": before any request the hub can have logged.
var allTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func (a *API) ranking(ctx context.Context, env readEnv, scope, period string, limit, offset int) (leaderboardView, error) {
	dim := dims[scope]
	start := periodStart(period, env.now, env.loc)
	v := leaderboardView{Scope: scope, Period: period, Timezone: env.loc.String(), To: timeOut(env.now),
		Items: []leaderboardEntry{}}
	from := allTime
	if !start.IsZero() {
		s := timeOut(start)
		v.From, from = &s, start
	}
	rows, err := a.cfg.Store.Usage(ctx, []time.Time{from, env.now.Add(time.Microsecond)}, dim, store.UsageFilter{})
	if err != nil {
		return v, err
	}
	rows = slices.DeleteFunc(rows, func(r store.UsageRow) bool {
		return (dim == store.DimModel && r.Model == "") || (dim != store.DimModel && r.ID == 0)
	})
	slices.SortFunc(rows, func(x, y store.UsageRow) int {
		return cmp.Or(cmp.Compare(y.CostNano, x.CostNano), cmp.Compare(y.Requests, x.Requests),
			cmp.Compare(y.Tokens(), x.Tokens()), cmp.Compare(x.ID, y.ID), strings.Compare(x.Model, y.Model))
	})
	more := len(rows) > offset+limit
	rows = rows[min(offset, len(rows)):min(offset+limit, len(rows))]
	var nm *names
	if dim != store.DimModel {
		ids := make([]int, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
		}
		var users, keys, providers []int
		switch dim {
		case store.DimUser:
			users = ids
		case store.DimKey:
			keys = ids
		case store.DimProvider:
			providers = ids
		}
		if nm, err = a.lookupNames(ctx, users, keys, providers); err != nil {
			return v, err
		}
	}
	for i, r := range rows {
		e := leaderboardEntry{Rank: offset + i + 1, usageView: viewUsage(r.UsageSums)}
		if dim == store.DimModel {
			e.Name = &r.Model
		} else {
			id := r.ID
			e.ID, e.Name = &id, nm.of(dim, id)
			if dim == store.DimKey {
				if uid, ok := nm.keyUser[id]; ok {
					e.UserID, e.UserName = &uid, nameOf(nm.users, uid)
				}
			}
		}
		v.Items = append(v.Items, e)
	}
	v.NextCursor = nextOffset(offset, limit, more)
	return v, nil
}
