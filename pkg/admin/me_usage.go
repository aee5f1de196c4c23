package admin

import (
	"context"
	"net/http"
	"time"

	"github.com/cloudwego/hertz/pkg/app"

	"github.com/cchub/cchub/pkg/store"
)

type meUsagePeriod struct {
	From string `json:"from"`
	To   string `json:"to"`
	usageView
}

type meUsageView struct {
	KeyID    int    `json:"key_id"`
	Timezone string `json:"timezone"`
	// Today starts at midnight in the hub's timezone; Last7Days and Last30Days start at the
	// midnight 6 and 29 days before it. All end now.
	Today      meUsagePeriod `json:"today"`
	Last7Days  meUsagePeriod `json:"last_7_days"`
	Last30Days meUsagePeriod `json:"last_30_days"`
}

// errNoKey answers the key-only /me routes for an admin login.
var errNoKey = &apiError{Status: http.StatusNotFound,
	Message: "this login has no key: /api/v1/me/usage, /me/logs and /me/quotas belong to key logins"}

// meKeyID is the key of a key login, or an error for an admin login.
func meKeyID(c *app.RequestContext) (int, *apiError) {
	p := principalOf(c)
	if p == nil || p.kind != "key" || p.key == nil {
		return 0, errNoKey
	}
	return p.key.ID, nil
}

// meUsage serves GET /api/v1/me/usage: the key's own usage today, over 7 and over 30 days.
func (a *API) meUsage(ctx context.Context, c *app.RequestContext) {
	keyID, aerr := meKeyID(c)
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	env, _, err := a.readEnv(ctx)
	if err != nil {
		a.fail(ctx, c, "settings", err)
		return
	}
	today := dayStart(env.now, env.loc)
	bounds := []time.Time{addDays(today, -29, env.loc), addDays(today, -6, env.loc), today, env.now.Add(time.Microsecond)}
	rows, err := a.cfg.Store.Usage(ctx, bounds, store.DimNone, store.UsageFilter{KeyID: keyID})
	if err != nil {
		a.fail(ctx, c, "usage", err)
		return
	}
	var b [3]store.UsageSums
	for _, r := range rows {
		b[r.Bucket] = r.UsageSums
	}
	var d30, d7 store.UsageSums
	d30.Add(b[0])
	d30.Add(b[1])
	d30.Add(b[2])
	d7.Add(b[1])
	d7.Add(b[2])
	to := timeOut(env.now)
	writeJSON(c, http.StatusOK, meUsageView{
		KeyID: keyID, Timezone: env.loc.String(),
		Today:      meUsagePeriod{From: timeOut(bounds[2]), To: to, usageView: viewUsage(b[2])},
		Last7Days:  meUsagePeriod{From: timeOut(bounds[1]), To: to, usageView: viewUsage(d7)},
		Last30Days: meUsagePeriod{From: timeOut(bounds[0]), To: to, usageView: viewUsage(d30)},
	})
}
