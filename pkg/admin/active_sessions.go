package admin

import (
	"context"
	"net/http"
	"time"

	"github.com/cloudwego/hertz/pkg/app"

	"github.com/cchub/cchub/pkg/store"
)

type activeSessionView struct {
	SessionID string `json:"session_id"`
	// The user, key and model of the session's latest request; the provider of its latest
	// request that reached one (0 if none did). Names are null for deleted rows.
	UserID       int     `json:"user_id"`
	UserName     *string `json:"user_name"`
	KeyID        int     `json:"key_id"`
	KeyName      *string `json:"key_name"`
	ProviderID   int     `json:"provider_id"`
	ProviderName *string `json:"provider_name"`
	Model        string  `json:"model"`
	// The usage covers every logged request of the session.
	usageView
	FirstSeen string `json:"first_seen"`
	LastSeen  string `json:"last_seen"`
}

// activeSessions serves GET /api/v1/sessions: the sessions with a request in the last session
// TTL (settings, else SESSION_TTL), most recently seen first, filtered by user_id, key_id,
// provider_id and model, paged with limit and cursor (an offset; the list is an aggregate
// that changes as requests arrive, so a page boundary can move by the sessions that started or
// expired in between).
func (a *API) activeSessions(ctx context.Context, c *app.RequestContext) {
	limit, offset, aerr := readOffsetPage(c)
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	f, aerr := readUsageFilter(c)
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	env, _, err := a.readEnv(ctx)
	if err != nil {
		a.fail(ctx, c, "settings", err)
		return
	}
	rows, more, err := a.cfg.Store.ActiveSessions(ctx, env.now.Add(-env.ttl), env.now.Add(time.Microsecond), f, offset, limit)
	if err != nil {
		a.fail(ctx, c, "session", err)
		return
	}
	var users, keys, providers []int
	for _, s := range rows {
		users, keys, providers = append(users, s.UserID), append(keys, s.KeyID), append(providers, s.ProviderID)
	}
	nm, err := a.lookupNames(ctx, users, keys, providers)
	if err != nil {
		a.fail(ctx, c, "session", err)
		return
	}
	out := list[activeSessionView]{Items: make([]activeSessionView, 0, len(rows)), NextCursor: nextOffset(offset, limit, more)}
	for _, s := range rows {
		out.Items = append(out.Items, viewActiveSession(s, nm))
	}
	writeJSON(c, http.StatusOK, out)
}

func viewActiveSession(s store.ActiveSession, nm *names) activeSessionView {
	return activeSessionView{
		SessionID: s.SessionID,
		UserID:    s.UserID, UserName: nameOf(nm.users, s.UserID),
		KeyID: s.KeyID, KeyName: nameOf(nm.keys, s.KeyID),
		ProviderID: s.ProviderID, ProviderName: nameOf(nm.providers, s.ProviderID),
		Model:     s.Model,
		usageView: viewUsage(s.UsageSums),
		FirstSeen: timeOut(s.FirstSeen), LastSeen: timeOut(s.LastSeen),
	}
}
