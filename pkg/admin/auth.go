package admin

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/cloudwego/hertz/pkg/app"

	"github.com/cchub/cchub/ent"
	"github.com/cchub/cchub/ent/authsession"
	"github.com/cchub/cchub/ent/key"
)

// principal is who made an admin request.
type principal struct {
	kind string // "admin" or "key"
	// cookie is true when a session cookie (not a Bearer header) authenticated the request; only
	// those requests need the Origin check, since browsers never add a Bearer header by themselves.
	cookie bool
	key    *ent.Key // key sessions: the key with its user edge loaded
}

const principalCtxKey = "cchub.admin.principal"

// authenticate identifies the caller from the Authorization header or the session cookie.
// A present Authorization header is decisive: a wrong token is refused even if a valid cookie
// came along, so a misconfigured script fails loudly instead of riding a browser session.
func (a *API) authenticate(ctx context.Context, c *app.RequestContext) (*principal, error) {
	if h := c.GetHeader("Authorization"); len(h) > 0 {
		scheme, tok, _ := strings.Cut(string(h), " ")
		if strings.EqualFold(scheme, "Bearer") && a.isAdminToken(strings.TrimSpace(tok)) {
			return &principal{kind: "admin"}, nil
		}
		c.Header("WWW-Authenticate", `Bearer realm="cchub admin"`)
		return nil, &apiError{Status: http.StatusUnauthorized, Message: "invalid admin token"}
	}
	id := string(c.Cookie(sessionCookie))
	if id == "" {
		c.Header("WWW-Authenticate", `Bearer realm="cchub admin"`)
		return nil, errUnauthorized
	}
	s, err := a.findSession(ctx, id)
	if err != nil {
		return nil, err
	}
	if s == nil {
		a.clearCookie(c)
		return nil, &apiError{Status: http.StatusUnauthorized, Message: "session expired or invalid; log in again"}
	}
	if s.Kind == authsession.KindAdmin {
		return &principal{kind: "admin", cookie: true}, nil
	}
	// A key session lives only as long as its key may log in: disabling or deleting the key, its
	// user, or the web-login flag ends it on the next request.
	k, err := a.cfg.Store.Reader.Key.Query().Where(key.ID(s.KeyID)).WithUser().Only(ctx)
	if err != nil && !ent.IsNotFound(err) {
		return nil, err
	}
	if k == nil || !keyUsable(k, a.now()) || !k.CanLoginWebUI {
		a.clearCookie(c)
		return nil, &apiError{Status: http.StatusUnauthorized, Message: "session expired or invalid; log in again"}
	}
	return &principal{kind: "key", cookie: true, key: k}, nil
}

// keyUsable reports whether k (with its user loaded) may be used at now.
func keyUsable(k *ent.Key, now time.Time) bool {
	u := k.Edges.User
	return k.IsEnabled && (k.ExpiresAt == nil || now.Before(*k.ExpiresAt)) &&
		u != nil && u.IsEnabled && (u.ExpiresAt == nil || now.Before(*u.ExpiresAt))
}

// guard is the /api/v1 middleware: authenticate, refuse cross-origin cookie mutations, and keep
// key sessions inside /api/v1/me.
func (a *API) guard(ctx context.Context, c *app.RequestContext) {
	p, err := a.authenticate(ctx, c)
	if err != nil {
		a.fail(ctx, c, "session", err)
		c.Abort()
		return
	}
	if p.cookie && isMutation(c.Method()) && !sameOrigin(c, true) {
		writeError(c, errCrossOrigin)
		c.Abort()
		return
	}
	// FullPath is the matched route pattern, not the raw path, so encodings or extra slashes
	// cannot make a key session reach an admin route.
	if p.kind == "key" && !isMeRoute(c.FullPath()) {
		writeError(c, &apiError{Status: http.StatusForbidden, Message: "key logins may only use /api/v1/me"})
		c.Abort()
		return
	}
	c.Set(principalCtxKey, p)
	c.Next(ctx)
}

func isMeRoute(route string) bool {
	return route == "/api/v1/me" || strings.HasPrefix(route, "/api/v1/me/")
}

func isMutation(method []byte) bool {
	switch string(method) {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// principalOf returns the caller recorded by guard.
func principalOf(c *app.RequestContext) *principal {
	v, _ := c.Get(principalCtxKey)
	p, _ := v.(*principal)
	return p
}

// sameOrigin implements the CSRF check for cookie-authenticated requests: a browser always sends
// Origin (or at least Referer) on cross-site POSTs, so its host must equal the Host the request
// was sent to. Without either header the request is refused when required (mutations by cookie)
// and allowed otherwise (a login from curl).
func sameOrigin(c *app.RequestContext, required bool) bool {
	if bytes.EqualFold(c.GetHeader("Sec-Fetch-Site"), []byte("cross-site")) {
		return false
	}
	src := c.GetHeader("Origin")
	if len(src) == 0 {
		src = c.GetHeader("Referer")
	}
	if len(src) == 0 {
		return !required
	}
	scheme, host, ok := originHost(string(src))
	if !ok {
		return false // includes Origin: null (sandboxed frames, some redirects)
	}
	reqHost := string(c.Host())
	return reqHost != "" && stripDefaultPort(scheme, host) == stripDefaultPort(scheme, strings.ToLower(reqHost))
}

// originHost extracts the scheme and lower-cased host[:port] of an Origin or Referer value.
func originHost(s string) (scheme, host string, ok bool) {
	scheme, rest, found := strings.Cut(strings.ToLower(s), "://")
	if !found || (scheme != "http" && scheme != "https") {
		return "", "", false
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if rest == "" || strings.Contains(rest, "@") {
		return "", "", false
	}
	return scheme, rest, true
}

func stripDefaultPort(scheme, host string) string {
	if scheme == "http" {
		return strings.TrimSuffix(host, ":80")
	}
	return strings.TrimSuffix(host, ":443")
}
