package admin

import (
	"context"
	"net/http"

	"github.com/cloudwego/hertz/pkg/app"

	"github.com/cchub/cchub/pkg/quota"
)

type meQuotasView struct {
	// Key is the key's own standing (its session limit inherited from the user when it has
	// none); User is its user's, which limits the key as well.
	Key  quotaView `json:"key"`
	User quotaView `json:"user"`
}

// meQuotas serves GET /api/v1/me/quotas: a key login's own quotas and its user's, each window
// with its usage, limit, remaining budget and reset time (as GET /api/v1/quotas/* shows them).
func (a *API) meQuotas(ctx context.Context, c *app.RequestContext) {
	p := principalOf(c)
	if p == nil || p.kind != "key" || p.key == nil || p.key.Edges.User == nil {
		writeError(c, errNoKey)
		return
	}
	if a.cfg.Quotas == nil {
		writeError(c, errNoQuotas)
		return
	}
	k, u := p.key, p.key.Edges.User
	kl := limitsOf(k.Limit5hNano, string(k.Limit5hResetMode), k.LimitDailyNano, string(k.DailyResetMode), k.DailyResetTime,
		k.LimitWeeklyNano, k.LimitMonthlyNano, k.LimitTotalNano, k.CostResetAt, k.LimitConcurrentSessions)
	if kl.ConcurrentSessions == 0 {
		kl.ConcurrentSessions = u.LimitConcurrentSessions
	}
	ku, err := a.cfg.Quotas.Usage(ctx, quota.Entity{Kind: quota.KindKey, ID: k.ID}, &kl, 0)
	if err != nil {
		a.fail(ctx, c, "key quota", err)
		return
	}
	ul := userLimits(u)
	rpm := 0
	if u.RpmLimit != nil {
		rpm = *u.RpmLimit
	}
	uu, err := a.cfg.Quotas.Usage(ctx, quota.Entity{Kind: quota.KindUser, ID: u.ID}, &ul, rpm)
	if err != nil {
		a.fail(ctx, c, "user quota", err)
		return
	}
	v := meQuotasView{Key: viewQuota(k.ID, k.Name, k.IsEnabled, ku), User: viewQuota(u.ID, u.Name, u.IsEnabled, uu)}
	uid := u.ID
	v.Key.UserID = &uid
	r := countView(uu.RPM, rpm)
	v.User.RPM = &r
	writeJSON(c, http.StatusOK, v)
}
