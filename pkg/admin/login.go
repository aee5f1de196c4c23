package admin

import (
	"context"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/cloudwego/hertz/pkg/app"

	"github.com/cchub/cchub/ent"
	"github.com/cchub/cchub/ent/authsession"
	"github.com/cchub/cchub/ent/key"
)

var errBadLogin = &apiError{Status: http.StatusUnauthorized, Message: "invalid token", Field: "token"}

// login exchanges the admin token or a client key for a session cookie.
// POST /api/auth/login {"token": "..."}
func (a *API) login(ctx context.Context, c *app.RequestContext) {
	addr := clientKey(a.cfg.ClientAddr(c))
	if left, locked := a.lockout.locked(addr); locked {
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(left.Seconds()))))
		writeError(c, &apiError{Status: http.StatusTooManyRequests,
			Message: "too many failed logins; try again later"})
		return
	}
	// Login is not authenticated, but a cross-site form could still log a victim into the
	// attacker's session; refuse a foreign Origin (a missing one is a script, not a browser).
	if !sameOrigin(c, false) {
		writeError(c, errCrossOrigin)
		return
	}
	in, aerr := readInput(c, []string{"token"})
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	tok := in.str("token", nonEmpty(4096))
	if in.err != nil {
		writeError(c, in.err)
		return
	}
	token := strings.TrimSpace(tok.V)

	if a.isAdminToken(token) {
		if err := a.startSession(ctx, c, authsession.KindAdmin, 0); err != nil {
			a.fail(ctx, c, "session", err)
			return
		}
		a.log.InfoContext(ctx, "admin login", "client", addr, "kind", "admin")
		writeJSON(c, http.StatusOK, meView{Kind: "admin"})
		return
	}

	var k *ent.Key
	if strings.HasPrefix(token, clientKeyPrefix) {
		var err error
		k, err = a.cfg.Store.Reader.Key.Query().
			Where(key.KeyHash(hashSecret(token))).WithUser().Only(ctx)
		if err != nil && !ent.IsNotFound(err) {
			a.fail(ctx, c, "key", err)
			return
		}
	}
	if k == nil || !keyUsable(k, a.now()) {
		a.lockout.fail(addr)
		a.log.WarnContext(ctx, "admin login failed", "client", addr)
		writeError(c, errBadLogin)
		return
	}
	if !k.CanLoginWebUI {
		// The caller holds a real key, so saying why does not help an attacker; it is not
		// counted as a failure either.
		writeError(c, &apiError{Status: http.StatusForbidden,
			Message: "this key is not allowed to log in to the web UI", Field: "token"})
		return
	}
	if err := a.startSession(ctx, c, authsession.KindKey, k.ID); err != nil {
		a.fail(ctx, c, "session", err)
		return
	}
	a.log.InfoContext(ctx, "admin login", "client", addr, "kind", "key", "key_id", k.ID)
	writeJSON(c, http.StatusOK, keyMeView(k))
}

// logout ends the cookie's session. It answers 204 even without a session, so a stale UI can
// always log out.
func (a *API) logout(ctx context.Context, c *app.RequestContext) {
	id := string(c.Cookie(sessionCookie))
	if id != "" {
		if !sameOrigin(c, true) {
			writeError(c, errCrossOrigin)
			return
		}
		if err := a.endSession(ctx, id); err != nil {
			a.fail(ctx, c, "session", err)
			return
		}
	}
	a.clearCookie(c)
	c.Status(http.StatusNoContent)
}

// authMe tells the UI who is logged in. GET /api/auth/me
func (a *API) authMe(ctx context.Context, c *app.RequestContext) {
	p, err := a.authenticate(ctx, c)
	if err != nil {
		a.fail(ctx, c, "session", err)
		return
	}
	writeJSON(c, http.StatusOK, p.view())
}

// me is GET /api/v1/me: the caller's own identity (for key sessions, the key and its user).
func (a *API) me(ctx context.Context, c *app.RequestContext) {
	writeJSON(c, http.StatusOK, principalOf(c).view())
}

type meView struct {
	Kind string      `json:"kind"`
	Key  *meKeyView  `json:"key,omitempty"`
	User *meUserView `json:"user,omitempty"`
}

type meKeyView struct {
	ID            int     `json:"id"`
	Name          string  `json:"name"`
	KeyPrefix     string  `json:"key_prefix"`
	ExpiresAt     *string `json:"expires_at"`
	ProviderGroup string  `json:"provider_group"`
}

type meUserView struct {
	ID            int     `json:"id"`
	Name          string  `json:"name"`
	Role          string  `json:"role"`
	ExpiresAt     *string `json:"expires_at"`
	ProviderGroup string  `json:"provider_group"`
}

func (p *principal) view() meView {
	if p.kind == "key" {
		return keyMeView(p.key)
	}
	return meView{Kind: p.kind}
}

func keyMeView(k *ent.Key) meView {
	u := k.Edges.User
	return meView{
		Kind: "key",
		Key: &meKeyView{ID: k.ID, Name: k.Name, KeyPrefix: k.KeyPrefix,
			ExpiresAt: timeOutP(k.ExpiresAt), ProviderGroup: k.ProviderGroup},
		User: &meUserView{ID: u.ID, Name: u.Name, Role: string(u.Role),
			ExpiresAt: timeOutP(u.ExpiresAt), ProviderGroup: u.ProviderGroup},
	}
}

// peerAddr is the TCP peer's IP, the default address login failures are counted against.
func peerAddr(c *app.RequestContext) string {
	s := c.RemoteAddr().String()
	if host, _, err := net.SplitHostPort(s); err == nil {
		return host
	}
	return s
}
