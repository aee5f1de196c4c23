package admin

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/cloudwego/hertz/pkg/app"

	"github.com/cchub/cchub/ent"
	"github.com/cchub/cchub/ent/authsession"
	"github.com/cchub/cchub/ent/key"
	"github.com/cchub/cchub/ent/user"
)

var keyFields = slices.Concat([]string{
	"name", "is_enabled", "expires_at", "can_login_web_ui", "provider_group",
}, limitFields(dailyLimitOther))

type keyInput struct {
	Name, ProviderGroup      opt[string]
	IsEnabled, CanLoginWebUI opt[bool]
	ExpiresAt                opt[time.Time]
	Limits                   limitsInput
}

func readKey(in *input) keyInput {
	return keyInput{
		Name:          in.str("name", nonEmpty(128)),
		IsEnabled:     in.boolean("is_enabled"),
		ExpiresAt:     in.timestamp("expires_at"),
		CanLoginWebUI: in.boolean("can_login_web_ui"),
		ProviderGroup: in.str("provider_group", maxLen(200)),
		Limits:        readLimits(in, dailyLimitOther),
	}
}

func (k keyInput) apply(m *ent.KeyMutation) {
	setIf(k.Name, m.SetName)
	setIf(k.IsEnabled, m.SetIsEnabled)
	setOrClear(k.ExpiresAt, m.SetExpiresAt, m.ClearExpiresAt)
	setIf(k.CanLoginWebUI, m.SetCanLoginWebUI)
	setIf(k.ProviderGroup, m.SetProviderGroup)
	applyLimits(m, k.Limits)
}

// keyView is a key as lists and GET show it: the display prefix, never the key.
type keyView struct {
	ID            int     `json:"id"`
	UserID        int     `json:"user_id"`
	Name          string  `json:"name"`
	KeyPrefix     string  `json:"key_prefix"`
	IsEnabled     bool    `json:"is_enabled"`
	ExpiresAt     *string `json:"expires_at"`
	CanLoginWebUI bool    `json:"can_login_web_ui"`
	ProviderGroup string  `json:"provider_group"`
	LimitDailyUSD *string `json:"limit_daily_usd"`
	limitsView
	LastUsedAt *string `json:"last_used_at"`
	CreatedAt  string  `json:"created_at"`
	UpdatedAt  string  `json:"updated_at"`
}

// createdKeyView is the one response that carries the full key.
type createdKeyView struct {
	keyView
	Key string `json:"key"`
}

func viewKey(k *ent.Key) keyView {
	return keyView{
		ID: k.ID, UserID: k.UserID, Name: k.Name, KeyPrefix: k.KeyPrefix, IsEnabled: k.IsEnabled,
		ExpiresAt: timeOutP(k.ExpiresAt), CanLoginWebUI: k.CanLoginWebUI,
		ProviderGroup: k.ProviderGroup, LimitDailyUSD: usdOut(k.LimitDailyNano),
		limitsView: limitsRow{
			L5h: k.Limit5hNano, Weekly: k.LimitWeeklyNano, Monthly: k.LimitMonthlyNano,
			Total: k.LimitTotalNano, Mode5h: string(k.Limit5hResetMode),
			DailyMode: string(k.DailyResetMode), DailyTime: k.DailyResetTime,
			Concurrent: k.LimitConcurrentSessions, CostResetAt: k.CostResetAt,
		}.view(),
		LastUsedAt: timeOutP(k.LastUsedAt),
		CreatedAt:  timeOut(k.CreatedAt),
		UpdatedAt:  timeOut(k.UpdatedAt),
	}
}

// listKeys is GET /api/v1/users/:id/keys.
func (a *API) listKeys(ctx context.Context, c *app.RequestContext) {
	uid, aerr := pathID(c, "user")
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	pg, aerr := readPage(c)
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	if ok, err := a.cfg.Store.Reader.User.Query().Where(user.ID(uid)).Exist(ctx); err != nil || !ok {
		a.fail(ctx, c, "user", orNotFound(err, "user"))
		return
	}
	rows, err := a.cfg.Store.Reader.Key.Query().
		Where(key.UserID(uid), key.IDGT(pg.after)).Order(key.ByID()).Limit(pg.fetch()).All(ctx)
	if err != nil {
		a.fail(ctx, c, "key", err)
		return
	}
	writeJSON(c, http.StatusOK, makeList(pg, rows, func(k *ent.Key) int { return k.ID }, viewKey))
}

// createKey is POST /api/v1/users/:id/keys. The generated key is returned once and only its
// SHA-256 is stored.
func (a *API) createKey(ctx context.Context, c *app.RequestContext) {
	uid, aerr := pathID(c, "user")
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	in, aerr := readInput(c, keyFields)
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	k := readKey(in)
	in.require("name", k.Name.Set)
	if in.err != nil {
		writeError(c, in.err)
		return
	}
	if ok, err := a.cfg.Store.Client.User.Query().Where(user.ID(uid)).Exist(ctx); err != nil || !ok {
		a.fail(ctx, c, "user", orNotFound(err, "user"))
		return
	}
	secret, err := newClientKey()
	if err != nil {
		a.fail(ctx, c, "key", err)
		return
	}
	create := a.cfg.Store.Client.Key.Create().
		SetUserID(uid).
		SetKeyHash(hashSecret(secret)).
		SetKeyPrefix(keyDisplayPrefix(secret))
	k.apply(create.Mutation())
	row, err := create.Save(ctx)
	if ent.IsConstraintError(err) {
		// The user was deleted between the check and the insert (FK violation).
		err = notFound("user")
	}
	if err != nil {
		a.fail(ctx, c, "key", err)
		return
	}
	a.log.InfoContext(ctx, "key created", "key_id", row.ID, "user_id", uid)
	a.changed("keys")
	writeJSON(c, http.StatusCreated, createdKeyView{keyView: viewKey(row), Key: secret})
}

func (a *API) getKey(ctx context.Context, c *app.RequestContext) {
	id, aerr := pathID(c, "key")
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	k, err := a.cfg.Store.Reader.Key.Get(ctx, id)
	if err != nil {
		a.fail(ctx, c, "key", err)
		return
	}
	writeJSON(c, http.StatusOK, viewKey(k))
}

func (a *API) patchKey(ctx context.Context, c *app.RequestContext) {
	id, aerr := pathID(c, "key")
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	in, aerr := readInput(c, keyFields)
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	k := readKey(in)
	if in.err != nil {
		writeError(c, in.err)
		return
	}
	update := a.cfg.Store.Client.Key.UpdateOneID(id)
	k.apply(update.Mutation())
	row, err := update.Save(ctx)
	if err != nil {
		a.fail(ctx, c, "key", err)
		return
	}
	a.log.InfoContext(ctx, "key updated", "key_id", row.ID)
	a.changed("keys")
	writeJSON(c, http.StatusOK, viewKey(row))
}

// deleteKey removes the key and its web sessions in one transaction.
func (a *API) deleteKey(ctx context.Context, c *app.RequestContext) {
	id, aerr := pathID(c, "key")
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	err := withTx(ctx, a.cfg.Store.Client, func(tx *ent.Tx) error {
		if _, err := tx.AuthSession.Delete().Where(authsession.KindEQ(authsession.KindKey),
			authsession.KeyID(id)).Exec(ctx); err != nil {
			return err
		}
		return tx.Key.DeleteOneID(id).Exec(ctx)
	})
	if err != nil {
		a.fail(ctx, c, "key", err)
		return
	}
	a.log.InfoContext(ctx, "key deleted", "key_id", id)
	a.changed("keys")
	c.Status(http.StatusNoContent)
}

// orNotFound turns the (false, nil) of an existence check into a 404.
func orNotFound(err error, what string) error {
	if err != nil {
		return err
	}
	return notFound(what)
}
