package admin

import (
	"context"
	"math"
	"net/http"
	"slices"
	"time"

	"github.com/cloudwego/hertz/pkg/app"

	"github.com/cchub/cchub/ent"
	"github.com/cchub/cchub/ent/authsession"
	"github.com/cchub/cchub/ent/key"
	"github.com/cchub/cchub/ent/user"
)

var userFields = slices.Concat([]string{
	"name", "description", "role", "is_enabled", "expires_at", "provider_group", "rpm_limit",
	"allowed_models",
}, limitFields(dailyLimitUser))

type userInput struct {
	Name, Description, Role, ProviderGroup opt[string]
	IsEnabled                              opt[bool]
	ExpiresAt                              opt[time.Time]
	RPMLimit                               opt[int64]
	AllowedModels                          opt[[]string]
	Limits                                 limitsInput
}

func readUser(in *input) userInput {
	return userInput{
		Name:          in.str("name", nonEmpty(128)),
		Description:   in.str("description", maxLen(1024)),
		Role:          in.enum("role", "admin", "user"),
		IsEnabled:     in.boolean("is_enabled"),
		ExpiresAt:     in.timestamp("expires_at"),
		ProviderGroup: in.str("provider_group", maxLen(200)),
		RPMLimit:      in.integer("rpm_limit", 0, math.MaxInt32, true),
		AllowedModels: in.stringList("allowed_models", modelName),
		Limits:        readLimits(in, dailyLimitUser),
	}
}

func (u userInput) apply(m *ent.UserMutation) {
	setIf(u.Name, m.SetName)
	setIf(u.Description, m.SetDescription)
	if u.Role.Set {
		m.SetRole(user.Role(u.Role.V))
	}
	setIf(u.IsEnabled, m.SetIsEnabled)
	setOrClear(u.ExpiresAt, m.SetExpiresAt, m.ClearExpiresAt)
	setIf(u.ProviderGroup, m.SetProviderGroup)
	setOrClear(u.RPMLimit, func(v int64) { m.SetRpmLimit(int(v)) }, m.ClearRpmLimit)
	setOrClear(u.AllowedModels, m.SetAllowedModels, m.ClearAllowedModels)
	applyLimits(m, u.Limits)
}

type userView struct {
	ID            int      `json:"id"`
	Name          string   `json:"name"`
	Description   string   `json:"description"`
	Role          string   `json:"role"`
	IsEnabled     bool     `json:"is_enabled"`
	ExpiresAt     *string  `json:"expires_at"`
	ProviderGroup string   `json:"provider_group"`
	RPMLimit      *int     `json:"rpm_limit"`
	DailyLimitUSD *string  `json:"daily_limit_usd"`
	AllowedModels []string `json:"allowed_models"`
	limitsView
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

func viewUser(u *ent.User) userView {
	return userView{
		ID: u.ID, Name: u.Name, Description: u.Description, Role: string(u.Role),
		IsEnabled: u.IsEnabled, ExpiresAt: timeOutP(u.ExpiresAt), ProviderGroup: u.ProviderGroup,
		RPMLimit: u.RpmLimit, DailyLimitUSD: usdOut(u.LimitDailyNano),
		AllowedModels: listOut(u.AllowedModels),
		limitsView: limitsRow{
			L5h: u.Limit5hNano, Weekly: u.LimitWeeklyNano, Monthly: u.LimitMonthlyNano,
			Total: u.LimitTotalNano, Mode5h: string(u.Limit5hResetMode),
			DailyMode: string(u.DailyResetMode), DailyTime: u.DailyResetTime,
			Concurrent: u.LimitConcurrentSessions, CostResetAt: u.CostResetAt,
		}.view(),
		CreatedAt: timeOut(u.CreatedAt),
		UpdatedAt: timeOut(u.UpdatedAt),
	}
}

func (a *API) listUsers(ctx context.Context, c *app.RequestContext) {
	pg, aerr := readPage(c)
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	rows, err := a.cfg.Store.Reader.User.Query().
		Where(user.IDGT(pg.after)).Order(user.ByID()).Limit(pg.fetch()).All(ctx)
	if err != nil {
		a.fail(ctx, c, "user", err)
		return
	}
	writeJSON(c, http.StatusOK, makeList(pg, rows, func(u *ent.User) int { return u.ID }, viewUser))
}

func (a *API) getUser(ctx context.Context, c *app.RequestContext) {
	id, aerr := pathID(c, "user")
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	u, err := a.cfg.Store.Reader.User.Get(ctx, id)
	if err != nil {
		a.fail(ctx, c, "user", err)
		return
	}
	writeJSON(c, http.StatusOK, viewUser(u))
}

func (a *API) createUser(ctx context.Context, c *app.RequestContext) {
	in, aerr := readInput(c, userFields)
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	u := readUser(in)
	in.require("name", u.Name.Set)
	if in.err != nil {
		writeError(c, in.err)
		return
	}
	create := a.cfg.Store.Client.User.Create()
	u.apply(create.Mutation())
	row, err := create.Save(ctx)
	if err != nil {
		a.fail(ctx, c, "user", err)
		return
	}
	a.log.InfoContext(ctx, "user created", "user_id", row.ID)
	a.changed("users")
	writeJSON(c, http.StatusCreated, viewUser(row))
}

func (a *API) patchUser(ctx context.Context, c *app.RequestContext) {
	id, aerr := pathID(c, "user")
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	in, aerr := readInput(c, userFields)
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	u := readUser(in)
	if in.err != nil {
		writeError(c, in.err)
		return
	}
	update := a.cfg.Store.Client.User.UpdateOneID(id)
	u.apply(update.Mutation())
	row, err := update.Save(ctx)
	if err != nil {
		a.fail(ctx, c, "user", err)
		return
	}
	a.log.InfoContext(ctx, "user updated", "user_id", row.ID)
	a.changed("users")
	writeJSON(c, http.StatusOK, viewUser(row))
}

// deleteUser removes the user, its keys and their web sessions in one transaction. The keys
// would also go by the FK cascade; deleting them explicitly does not depend on the SQLite
// foreign_keys pragma and lets the sessions go with them.
func (a *API) deleteUser(ctx context.Context, c *app.RequestContext) {
	id, aerr := pathID(c, "user")
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	err := withTx(ctx, a.cfg.Store.Client, func(tx *ent.Tx) error {
		keyIDs, err := tx.Key.Query().Where(key.UserID(id)).IDs(ctx)
		if err != nil {
			return err
		}
		if len(keyIDs) > 0 {
			if _, err := tx.AuthSession.Delete().Where(authsession.KindEQ(authsession.KindKey),
				authsession.KeyIDIn(keyIDs...)).Exec(ctx); err != nil {
				return err
			}
			if _, err := tx.Key.Delete().Where(key.UserID(id)).Exec(ctx); err != nil {
				return err
			}
		}
		return tx.User.DeleteOneID(id).Exec(ctx)
	})
	if err != nil {
		a.fail(ctx, c, "user", err)
		return
	}
	a.log.InfoContext(ctx, "user deleted", "user_id", id)
	a.changed("users")
	c.Status(http.StatusNoContent)
}
