package admin

import (
	"context"
	"time"

	"github.com/cloudwego/hertz/pkg/app"
	"github.com/cloudwego/hertz/pkg/protocol"

	"github.com/cchub/cchub/ent"
	"github.com/cchub/cchub/ent/authsession"
)

// sessionCookie names the web-login cookie. It is not "__Host-" prefixed because that prefix
// requires Secure, and the embedded default serves plain HTTP on localhost.
const sessionCookie = "cchub_session"

// Web logins are rows in auth_sessions keyed by SHA-256 of the cookie value: a database dump
// holds no usable cookie, and every instance sharing the database accepts the login.

// startSession stores a session for kind (and keyID for key logins) and sets the cookie.
func (a *API) startSession(ctx context.Context, c *app.RequestContext, kind authsession.Kind, keyID int) error {
	id, err := newSessionID()
	if err != nil {
		return err
	}
	now := a.now()
	// Expired rows are deleted here, on the rare login path, rather than by a background job.
	if _, err := a.cfg.Store.Client.AuthSession.Delete().
		Where(authsession.ExpiresAtLTE(now)).Exec(ctx); err != nil {
		return err
	}
	if err := a.cfg.Store.Client.AuthSession.Create().
		SetTokenHash(hashSecret(id)).
		SetKind(kind).
		SetKeyID(keyID).
		SetCreatedAt(now).
		SetExpiresAt(now.Add(a.ttl)).
		Exec(ctx); err != nil {
		return err
	}
	a.setCookie(c, id, int(a.ttl/time.Second))
	return nil
}

// findSession returns the live session named by the cookie value, or nil.
func (a *API) findSession(ctx context.Context, id string) (*ent.AuthSession, error) {
	s, err := a.cfg.Store.Reader.AuthSession.Query().
		Where(authsession.TokenHash(hashSecret(id)), authsession.ExpiresAtGT(a.now())).
		Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return s, err
}

// endSession deletes the session named by the cookie value, if any.
func (a *API) endSession(ctx context.Context, id string) error {
	_, err := a.cfg.Store.Client.AuthSession.Delete().
		Where(authsession.TokenHash(hashSecret(id))).Exec(ctx)
	return err
}

// setCookie writes the session cookie; maxAge < 0 deletes it in the browser.
func (a *API) setCookie(c *app.RequestContext, value string, maxAge int) {
	c.SetCookie(sessionCookie, value, maxAge, "/", "", protocol.CookieSameSiteLaxMode,
		a.cfg.SecureCookie, true)
}

func (a *API) clearCookie(c *app.RequestContext) { a.setCookie(c, "", -1) }
