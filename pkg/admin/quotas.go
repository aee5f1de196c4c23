package admin

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudwego/hertz/pkg/app"
	"github.com/cloudwego/hertz/pkg/route"

	"github.com/cchub/cchub/ent"
	"github.com/cchub/cchub/ent/key"
	"github.com/cchub/cchub/ent/provider"
	"github.com/cchub/cchub/ent/user"
	"github.com/cchub/cchub/pkg/gateway/catalog"
	"github.com/cchub/cchub/pkg/money"
	"github.com/cchub/cchub/pkg/quota"
)

// QuotaReader reports an entity's standing against its limits: the running limiter (which
// knows reservations, sessions and RPM), or quota.LedgerReader when limits are off.
type QuotaReader interface {
	Usage(ctx context.Context, e quota.Entity, l *catalog.Limits, rpmLimit int) (quota.EntityUsage, error)
}

var errNoQuotas = &apiError{Status: http.StatusNotImplemented, Message: "not available: this server has no quota reader attached"}

// quotaRoutes mounts GET /api/v1/quotas/{users,keys,providers}.
func (a *API) quotaRoutes(v1 *route.RouterGroup) {
	v1.GET("/quotas/users", a.listUserQuotas)
	v1.GET("/quotas/keys", a.listKeyQuotas)
	v1.GET("/quotas/providers", a.listProviderQuotas)
}

// quotaWindowView is one spend window: usage against the limit and when it resets.
type quotaWindowView struct {
	Window string `json:"window"` // 5h, daily, weekly, monthly, total
	// Mode is rolling or fixed (5h and daily are configurable; weeks and months are fixed,
	// total runs since cost_reset_at).
	Mode         string  `json:"mode"`
	UsageUSD     string  `json:"usage_usd"`
	LimitUSD     *string `json:"limit_usd"`
	RemainingUSD *string `json:"remaining_usd"`
	StartAt      *string `json:"start_at"` // null: since the beginning
	ResetAt      *string `json:"reset_at"` // null: no fixed reset (rolling windows, total)
}

// quotaCountView is a count limit (sessions, requests per minute); limit null means none.
type quotaCountView struct {
	Current int  `json:"current"`
	Limit   *int `json:"limit"`
}

// quotaView is one user's, key's or provider's standing against all its limits.
type quotaView struct {
	ID        int    `json:"id"`
	Name      string `json:"name"`
	UserID    *int   `json:"user_id,omitempty"` // keys
	IsEnabled bool   `json:"is_enabled"`
	// ReservedUSD is the budget held by requests in flight (counted against every window).
	ReservedUSD        string            `json:"reserved_usd"`
	Windows            []quotaWindowView `json:"windows"`
	ConcurrentSessions quotaCountView    `json:"concurrent_sessions"`
	RPM                *quotaCountView   `json:"rpm,omitempty"` // users
}

func viewQuota(id int, name string, enabled bool, u quota.EntityUsage) quotaView {
	v := quotaView{ID: id, Name: name, IsEnabled: enabled, ReservedUSD: money.Format(u.Reserved),
		ConcurrentSessions: countView(u.Sessions, u.SessionLimit), Windows: make([]quotaWindowView, 0, len(u.Windows))}
	for _, w := range u.Windows {
		wv := quotaWindowView{Window: w.Window.String(), Mode: "fixed", UsageUSD: money.Format(w.Used)}
		switch {
		case w.Window == quota.WindowTotal:
			wv.Mode = "total"
		case w.Rolling:
			wv.Mode = "rolling"
		}
		if w.Limit > 0 {
			l, r := money.Format(w.Limit), money.Format(max(w.Limit-w.Used, 0))
			wv.LimitUSD, wv.RemainingUSD = &l, &r
		}
		if !w.Start.IsZero() {
			s := timeOut(w.Start)
			wv.StartAt = &s
		}
		if !w.Reset.IsZero() {
			s := timeOut(w.Reset)
			wv.ResetAt = &s
		}
		v.Windows = append(v.Windows, wv)
	}
	return v
}

func countView(current, limit int) quotaCountView {
	v := quotaCountView{Current: current}
	if limit > 0 {
		v.Limit = &limit
	}
	return v
}

// quotaList reads each row's usage (one limiter call per row: a page is at most 500).
func quotaList[E any](pg page, rows []E, id func(E) int, usage func(E) (quotaView, error)) (list[quotaView], error) {
	var err error
	out := makeList(pg, rows, id, func(r E) quotaView {
		if err != nil {
			return quotaView{}
		}
		var v quotaView
		v, err = usage(r)
		return v
	})
	return out, err
}

func (a *API) listUserQuotas(ctx context.Context, c *app.RequestContext) {
	if a.cfg.Quotas == nil {
		writeError(c, errNoQuotas)
		return
	}
	pg, aerr := readPage(c)
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	rows, err := a.cfg.Store.Reader.User.Query().Where(user.IDGT(pg.after)).Order(user.ByID()).Limit(pg.fetch()).All(ctx)
	if err != nil {
		a.fail(ctx, c, "user", err)
		return
	}
	out, err := quotaList(pg, rows, func(u *ent.User) int { return u.ID }, func(u *ent.User) (quotaView, error) {
		lim := userLimits(u)
		rpm := 0
		if u.RpmLimit != nil {
			rpm = *u.RpmLimit
		}
		us, err := a.cfg.Quotas.Usage(ctx, quota.Entity{Kind: quota.KindUser, ID: u.ID}, &lim, rpm)
		if err != nil {
			return quotaView{}, err
		}
		v := viewQuota(u.ID, u.Name, u.IsEnabled, us)
		r := countView(us.RPM, rpm)
		v.RPM = &r
		return v, nil
	})
	if err != nil {
		a.fail(ctx, c, "user quota", err)
		return
	}
	writeJSON(c, http.StatusOK, out)
}

// listKeyQuotas lists keys (optionally of one user: ?user_id=). A key without a session limit
// of its own shows its user's, which it inherits.
func (a *API) listKeyQuotas(ctx context.Context, c *app.RequestContext) {
	if a.cfg.Quotas == nil {
		writeError(c, errNoQuotas)
		return
	}
	pg, aerr := readPage(c)
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	q := a.cfg.Store.Reader.Key.Query().Where(key.IDGT(pg.after))
	if s := c.Query("user_id"); s != "" {
		uid, err := strconv.Atoi(s)
		if err != nil || uid < 1 {
			writeError(c, badField("user_id", "must be a user id"))
			return
		}
		q = q.Where(key.UserID(uid))
	}
	rows, err := q.WithUser().Order(key.ByID()).Limit(pg.fetch()).All(ctx)
	if err != nil {
		a.fail(ctx, c, "key", err)
		return
	}
	out, err := quotaList(pg, rows, func(k *ent.Key) int { return k.ID }, func(k *ent.Key) (quotaView, error) {
		lim := limitsOf(k.Limit5hNano, string(k.Limit5hResetMode), k.LimitDailyNano, string(k.DailyResetMode), k.DailyResetTime,
			k.LimitWeeklyNano, k.LimitMonthlyNano, k.LimitTotalNano, k.CostResetAt, k.LimitConcurrentSessions)
		if lim.ConcurrentSessions == 0 && k.Edges.User != nil {
			lim.ConcurrentSessions = k.Edges.User.LimitConcurrentSessions
		}
		us, err := a.cfg.Quotas.Usage(ctx, quota.Entity{Kind: quota.KindKey, ID: k.ID}, &lim, 0)
		if err != nil {
			return quotaView{}, err
		}
		v := viewQuota(k.ID, k.Name, k.IsEnabled, us)
		uid := k.UserID
		v.UserID = &uid
		return v, nil
	})
	if err != nil {
		a.fail(ctx, c, "key quota", err)
		return
	}
	writeJSON(c, http.StatusOK, out)
}

func (a *API) listProviderQuotas(ctx context.Context, c *app.RequestContext) {
	if a.cfg.Quotas == nil {
		writeError(c, errNoQuotas)
		return
	}
	pg, aerr := readPage(c)
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	rows, err := a.cfg.Store.Reader.Provider.Query().Where(provider.IDGT(pg.after)).Order(provider.ByID()).Limit(pg.fetch()).All(ctx)
	if err != nil {
		a.fail(ctx, c, "provider", err)
		return
	}
	out, err := quotaList(pg, rows, func(p *ent.Provider) int { return p.ID }, func(p *ent.Provider) (quotaView, error) {
		lim := limitsOf(p.Limit5hNano, string(p.Limit5hResetMode), p.LimitDailyNano, string(p.DailyResetMode), p.DailyResetTime,
			p.LimitWeeklyNano, p.LimitMonthlyNano, p.LimitTotalNano, p.CostResetAt, p.LimitConcurrentSessions)
		us, err := a.cfg.Quotas.Usage(ctx, quota.Entity{Kind: quota.KindProvider, ID: p.ID}, &lim, 0)
		if err != nil {
			return quotaView{}, err
		}
		return viewQuota(p.ID, p.Name, p.IsEnabled, us), nil
	})
	if err != nil {
		a.fail(ctx, c, "provider quota", err)
		return
	}
	writeJSON(c, http.StatusOK, out)
}

func userLimits(u *ent.User) catalog.Limits {
	return limitsOf(u.Limit5hNano, string(u.Limit5hResetMode), u.LimitDailyNano, string(u.DailyResetMode), u.DailyResetTime,
		u.LimitWeeklyNano, u.LimitMonthlyNano, u.LimitTotalNano, u.CostResetAt, u.LimitConcurrentSessions)
}

// limitsOf reads the spend-limit columns as the gateway's snapshot does (store.LoadCatalog).
func limitsOf(l5h *int64, mode5h string, daily *int64, dailyMode, dailyTime string, weekly, monthly, total *int64,
	resetAt *time.Time, sessions int) catalog.Limits {
	deref := func(p *int64) int64 {
		if p == nil {
			return 0
		}
		return *p
	}
	l := catalog.Limits{
		Limit5h: deref(l5h), Limit5hFixed: mode5h == "fixed", LimitDaily: deref(daily), DailyRolling: dailyMode == "rolling",
		DailyResetTime: dailyTime, LimitWeekly: deref(weekly), LimitMonthly: deref(monthly), LimitTotal: deref(total),
		ConcurrentSessions: sessions,
	}
	if resetAt != nil {
		l.CostResetAt = *resetAt
	}
	return l
}

// quotaOps documents the quota routes in the OpenAPI document.
func quotaOps() []apiOp {
	item := schemaOf(typeOf[quotaView]())
	return []apiOp{
		{method: "GET", path: "/api/v1/quotas/users", tag: "quotas", status: 200, resp: listOf(item), query: pageParams,
			summary: "Each user's usage, limit and reset time per spend window, sessions and RPM"},
		{method: "GET", path: "/api/v1/quotas/keys", tag: "quotas", status: 200, resp: listOf(item),
			query:   append([]apiParam{{name: "user_id", typ: "integer", desc: "only this user's keys"}}, pageParams...),
			summary: "Each key's usage, limit and reset time per spend window and sessions"},
		{method: "GET", path: "/api/v1/quotas/providers", tag: "quotas", status: 200, resp: listOf(item), query: pageParams,
			summary: "Each provider's usage, limit and reset time per spend window and sessions"},
	}
}
