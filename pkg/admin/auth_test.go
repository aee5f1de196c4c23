package admin

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cloudwego/hertz/pkg/common/ut"
	"github.com/cloudwego/hertz/pkg/protocol"

	"github.com/cchub/cchub/ent/authsession"
)

func TestAuthRequired(t *testing.T) {
	h := newSQLiteHarness(t)
	cases := []struct {
		name    string
		headers []ut.Header
	}{
		{"no credentials", nil},
		{"wrong token", []ut.Header{bearer("not-the-token")}},
		{"token prefix", []ut.Header{bearer(testToken[:len(testToken)-1])}},
		{"token with suffix", []ut.Header{bearer(testToken + "x")}},
		{"basic scheme", []ut.Header{{Key: "Authorization", Value: "Basic " + testToken}}},
		{"empty bearer", []ut.Header{{Key: "Authorization", Value: "Bearer "}}},
		{"unknown cookie", []ut.Header{cookie("bm90LWEtc2Vzc2lvbg")}},
		{"admin token as cookie", []ut.Header{cookie(testToken)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h.t = t
			for _, path := range []string{"/api/v1/users", "/api/v1/providers", "/api/v1/me", "/api/auth/me"} {
				h.req("GET", path, nil, c.headers...).wantError(401, "")
			}
			h.req("POST", "/api/v1/users", map[string]any{"name": "x"}, c.headers...).wantError(401, "")
		})
	}
	h.t = t
	// A wrong Bearer header is refused even alongside a valid cookie.
	ck := h.login(testToken)
	h.req("GET", "/api/v1/users", nil, cookie(ck), bearer("wrong")).wantError(401, "")
	h.req("GET", "/api/v1/users", nil, cookie(ck)).want(200)
	h.admin("GET", "/api/v1/users", nil).want(200)
	if n, _ := h.store.Client.User.Query().Count(context.Background()); n != 0 {
		t.Fatalf("unauthenticated POST created %d users", n)
	}
}

func TestEmptyAdminTokenAcceptsNothing(t *testing.T) {
	h := newSQLiteHarness(t, func(c *Config) { c.AdminToken = "" })
	h.req("GET", "/api/v1/users", nil, ut.Header{Key: "Authorization", Value: "Bearer"}).wantError(401, "")
	h.req("GET", "/api/v1/users", nil, ut.Header{Key: "Authorization", Value: "Bearer "}).wantError(401, "")
	h.req("POST", "/api/auth/login", `{"token":" "}`).wantError(400, "token")
}

func TestLoginLogoutFlow(t *testing.T) {
	h := newSQLiteHarness(t)
	r := h.req("POST", "/api/auth/login", map[string]any{"token": testToken}).want(200)
	if got := r.json()["kind"]; got != "admin" {
		t.Fatalf("login answered %s", r.Body)
	}
	ck := r.cookie()
	if ck == nil {
		t.Fatal("no cookie")
	}
	if !ck.HTTPOnly() || ck.SameSite() != protocol.CookieSameSiteLaxMode || string(ck.Path()) != "/" ||
		ck.Secure() || ck.MaxAge() != int(DefaultSessionTTL/time.Second) {
		t.Fatalf("cookie flags: %s", ck.Cookie())
	}
	id := string(ck.Value())
	if len(id) != 43 || strings.ContainsAny(id, "+/=") {
		t.Fatalf("session id %q is not 32 bytes of base64url", id)
	}
	if strings.Contains(string(r.Body), id) {
		t.Fatal("session id echoed in the body")
	}

	// Only the hash is stored.
	rows, err := h.store.Client.AuthSession.Query().All(context.Background())
	if err != nil || len(rows) != 1 {
		t.Fatalf("sessions: %v %v", rows, err)
	}
	if rows[0].TokenHash != hashSecret(id) || rows[0].Kind != authsession.KindAdmin {
		t.Fatalf("stored session %+v", rows[0])
	}
	if !rows[0].ExpiresAt.Equal(h.clock.Now().Add(DefaultSessionTTL)) {
		t.Fatalf("expires_at %v", rows[0].ExpiresAt)
	}

	h.req("GET", "/api/v1/users", nil, cookie(id)).want(200)
	if me := h.req("GET", "/api/auth/me", nil, cookie(id)).want(200).json(); me["kind"] != "admin" {
		t.Fatalf("auth/me %v", me)
	}
	if me := h.req("GET", "/api/v1/me", nil, cookie(id)).want(200).json(); me["kind"] != "admin" {
		t.Fatalf("v1/me %v", me)
	}
	if me := h.admin("GET", "/api/auth/me", nil).want(200).json(); me["kind"] != "admin" {
		t.Fatalf("auth/me by bearer %v", me)
	}

	// Logout by cookie is a mutation: it needs a same-origin header.
	h.req("POST", "/api/auth/logout", nil, cookie(id)).wantError(403, "")
	h.req("GET", "/api/v1/users", nil, cookie(id)).want(200)
	lo := h.req("POST", "/api/auth/logout", nil, cookie(id), origin(testOrigin)).want(204)
	if raw := lo.rawSetCookie(); !strings.HasPrefix(raw, sessionCookie+"=;") || !strings.Contains(raw, "max-age=0") {
		t.Fatalf("logout did not clear the cookie: %q", raw)
	}
	if n, _ := h.store.Client.AuthSession.Query().Count(context.Background()); n != 0 {
		t.Fatalf("%d sessions left after logout", n)
	}
	h.req("GET", "/api/v1/users", nil, cookie(id)).wantError(401, "")
	// Logging out without a session is harmless.
	h.req("POST", "/api/auth/logout", nil).want(204)
}

func TestSecureCookieAndTTL(t *testing.T) {
	h := newSQLiteHarness(t, func(c *Config) { c.SecureCookie = true; c.SessionTTL = time.Hour })
	r := h.req("POST", "/api/auth/login", map[string]any{"token": testToken}).want(200)
	ck := r.cookie()
	if ck == nil || !ck.Secure() || !ck.HTTPOnly() || ck.MaxAge() != 3600 {
		t.Fatalf("cookie %v", ck)
	}
}

func TestSessionExpiry(t *testing.T) {
	h := newSQLiteHarness(t, func(c *Config) { c.SessionTTL = time.Hour })
	id := h.login(testToken)
	h.clock.Advance(time.Hour - time.Second)
	h.req("GET", "/api/v1/users", nil, cookie(id)).want(200)
	h.clock.Advance(time.Second)
	r := h.req("GET", "/api/v1/users", nil, cookie(id)).wantError(401, "")
	if raw := r.rawSetCookie(); !strings.Contains(raw, "max-age=0") {
		t.Fatal("an expired session should clear the cookie")
	}
	h.req("GET", "/api/auth/me", nil, cookie(id)).wantError(401, "")
	// The next login sweeps expired rows.
	h.login(testToken)
	if n, _ := h.store.Client.AuthSession.Query().Count(context.Background()); n != 1 {
		t.Fatalf("%d sessions, want only the new one", n)
	}
}

// Sessions live in the database, so a second instance accepts the first one's cookie.
func TestSessionSharedAcrossInstances(t *testing.T) {
	a := newSQLiteHarness(t)
	b := newHarness(t, a.store)
	id := a.login(testToken)
	b.req("GET", "/api/v1/providers", nil, cookie(id)).want(200)
	b.req("POST", "/api/auth/logout", nil, cookie(id), origin(testOrigin)).want(204)
	a.req("GET", "/api/v1/providers", nil, cookie(id)).wantError(401, "")
}

func TestLoginBadInput(t *testing.T) {
	h := newSQLiteHarness(t)
	h.req("POST", "/api/auth/login", `{"token":`).wantError(400, "")
	h.req("POST", "/api/auth/login", `[]`).wantError(400, "")
	h.req("POST", "/api/auth/login", ``).wantError(400, "")
	h.req("POST", "/api/auth/login", `{"tokn":"x"}`).wantError(400, "tokn")
	h.req("POST", "/api/auth/login", `{"token":1}`).wantError(400, "token")
	h.req("POST", "/api/auth/login", `{"token":""}`).wantError(400, "token")
	r := h.req("POST", "/api/auth/login", `{"token":"wrong"}`).wantError(401, "token")
	if r.cookie() != nil {
		t.Fatal("failed login set a cookie")
	}
	h.req("POST", "/api/auth/login", `{"token":"sk-00000000000000000000000000000000"}`).wantError(401, "token")
	// A foreign Origin on login is refused (login CSRF); none at all is a script and fine.
	h.req("POST", "/api/auth/login", map[string]any{"token": testToken}, origin("https://evil.example")).wantError(403, "")
	h.req("POST", "/api/auth/login", map[string]any{"token": testToken}, origin(testOrigin)).want(200)
}

func TestLoginLockout(t *testing.T) {
	h := newSQLiteHarness(t)
	bad := func(addr string) *response {
		return h.req("POST", "/api/auth/login", `{"token":"guess"}`, ut.Header{Key: "X-Test-Addr", Value: addr})
	}
	good := func(addr string) *response {
		return h.req("POST", "/api/auth/login", map[string]any{"token": testToken}, ut.Header{Key: "X-Test-Addr", Value: addr})
	}
	const attacker = "198.51.100.7"
	for i := 0; i < 10; i++ {
		bad(attacker).wantError(401, "token")
		h.clock.Advance(10 * time.Second)
	}
	// Locked: even the right token is refused, with Retry-After.
	r := good(attacker).wantError(429, "")
	if got := r.headerValue("Retry-After"); got != "890" { // 15 min minus the 10 s since the 10th failure
		t.Fatalf("Retry-After %q", got)
	}
	bad(attacker).wantError(429, "")
	// Other addresses are unaffected.
	good("198.51.100.8").want(200)

	h.clock.Advance(15*time.Minute - 10*time.Second - time.Second)
	good(attacker).wantError(429, "")
	h.clock.Advance(time.Second)
	good(attacker).want(200)
	// After the lock the count starts afresh.
	bad(attacker).wantError(401, "token")
	good(attacker).want(200)
}

func TestLockoutWindowAndSuccessDoesNotReset(t *testing.T) {
	h := newSQLiteHarness(t)
	try := func(tok string) *response {
		return h.req("POST", "/api/auth/login", map[string]any{"token": tok})
	}
	// Nine failures, then the window passes: they no longer count.
	for i := 0; i < 9; i++ {
		try("guess").wantError(401, "token")
	}
	h.clock.Advance(5 * time.Minute)
	for i := 0; i < 9; i++ {
		try("guess").wantError(401, "token")
	}
	try(testToken).want(200)
	// A success in between does not reset the count: the tenth failure locks.
	try("guess").wantError(401, "token")
	try(testToken).wantError(429, "")
}

func TestIPv6LockoutCountsThe64(t *testing.T) {
	h := newSQLiteHarness(t)
	for i := 0; i < 10; i++ {
		addr := "2001:db8:1:2::" + itoa(i+1)
		h.req("POST", "/api/auth/login", `{"token":"guess"}`, ut.Header{Key: "X-Test-Addr", Value: addr}).wantError(401, "token")
	}
	h.req("POST", "/api/auth/login", map[string]any{"token": testToken},
		ut.Header{Key: "X-Test-Addr", Value: "2001:db8:1:2::ffff"}).wantError(429, "")
	h.req("POST", "/api/auth/login", map[string]any{"token": testToken},
		ut.Header{Key: "X-Test-Addr", Value: "2001:db8:1:3::1"}).want(200)
}

func TestOriginCheckOnCookieMutations(t *testing.T) {
	h := newSQLiteHarness(t)
	id := h.login(testToken)
	body := map[string]any{"name": "u"}
	cases := []struct {
		name    string
		headers []ut.Header
		status  int
	}{
		{"no origin", nil, 403},
		{"foreign origin", []ut.Header{origin("https://evil.example")}, 403},
		{"origin on another port", []ut.Header{origin("http://cchub.test:8080")}, 403},
		{"sibling subdomain", []ut.Header{origin("http://a.cchub.test")}, 403},
		{"null origin", []ut.Header{origin("null")}, 403},
		{"foreign referer", []ut.Header{{Key: "Referer", Value: "https://evil.example/cchub.test"}}, 403},
		{"cross-site fetch metadata", []ut.Header{origin(testOrigin), {Key: "Sec-Fetch-Site", Value: "cross-site"}}, 403},
		{"same origin", []ut.Header{origin(testOrigin)}, 201},
		{"same origin, upper case", []ut.Header{origin("HTTP://CCHUB.TEST")}, 201},
		{"same origin, default port", []ut.Header{origin("http://cchub.test:80")}, 201},
		{"same-origin referer", []ut.Header{{Key: "Referer", Value: testOrigin + "/users?x=1"}}, 201},
	}
	for _, c := range cases {
		h.t = t
		r := h.req("POST", "/api/v1/users", body, append(c.headers, cookie(id))...)
		if r.Status != c.status {
			t.Errorf("%s: status %d, want %d (%s)", c.name, r.Status, c.status, r.Body)
		}
	}
	uid := h.createUser("target", nil)
	path := "/api/v1/users/" + itoa(uid)
	h.req("PATCH", path, map[string]any{"name": "x"}, cookie(id)).wantError(403, "")
	h.req("DELETE", path, nil, cookie(id), origin("https://evil.example")).wantError(403, "")
	h.req("GET", path, nil, cookie(id)).want(200) // reads need no Origin
	h.req("DELETE", path, nil, cookie(id), origin(testOrigin)).want(204)
	// Bearer calls are exempt: browsers never attach them on their own.
	h.admin("POST", "/api/v1/users", body).want(201)
	h.req("POST", "/api/v1/users", body, bearer(testToken), origin("https://evil.example")).want(201)
}

func TestKeySessionIsRestricted(t *testing.T) {
	h := newSQLiteHarness(t)
	uid := h.createUser("alice", map[string]any{"provider_group": "team-a"})
	kid, key := h.createKey(uid, map[string]any{"name": "laptop", "can_login_web_ui": true})

	r := h.req("POST", "/api/auth/login", map[string]any{"token": key}).want(200)
	m := r.json()
	if m["kind"] != "key" {
		t.Fatalf("login answered %s", r.Body)
	}
	id := string(r.cookie().Value())
	if strings.Contains(string(r.Body), key) {
		t.Fatal("login echoed the key")
	}

	me := h.req("GET", "/api/v1/me", nil, cookie(id)).want(200)
	var v meView
	me.decode(&v)
	if v.Kind != "key" || v.Key == nil || v.Key.ID != kid || v.Key.Name != "laptop" || v.User == nil ||
		v.User.ID != uid || v.User.Name != "alice" || v.User.ProviderGroup != "team-a" ||
		v.Key.KeyPrefix != keyDisplayPrefix(key) {
		t.Fatalf("me: %s", me.Body)
	}
	if me.contains(key) {
		t.Fatal("/me returned the key")
	}
	if am := h.req("GET", "/api/auth/me", nil, cookie(id)).want(200).json(); am["kind"] != "key" {
		t.Fatalf("auth/me %v", am)
	}
	for _, p := range []string{"/api/v1/users", "/api/v1/providers", "/api/v1/users/" + itoa(uid),
		"/api/v1/users/" + itoa(uid) + "/keys", "/api/v1/keys/" + itoa(kid)} {
		h.req("GET", p, nil, cookie(id)).wantError(403, "")
	}
	h.req("POST", "/api/v1/users", map[string]any{"name": "x"}, cookie(id), origin(testOrigin)).wantError(403, "")
	h.req("PATCH", "/api/v1/keys/"+itoa(kid), map[string]any{"limit_daily_usd": nil}, cookie(id), origin(testOrigin)).wantError(403, "")
	h.req("DELETE", "/api/v1/users/"+itoa(uid), nil, cookie(id), origin(testOrigin)).wantError(403, "")
	// A client key is not an admin Bearer token.
	h.req("GET", "/api/v1/users", nil, bearer(key)).wantError(401, "")

	// Disabling the key ends its session on the next request.
	h.admin("PATCH", "/api/v1/keys/"+itoa(kid), map[string]any{"is_enabled": false}).want(200)
	h.req("GET", "/api/v1/me", nil, cookie(id)).wantError(401, "")
	h.req("POST", "/api/auth/login", map[string]any{"token": key}).wantError(401, "token")
	h.admin("PATCH", "/api/v1/keys/"+itoa(kid), map[string]any{"is_enabled": true}).want(200)
	h.req("GET", "/api/v1/me", nil, cookie(id)).want(200)
	// So does revoking the web-login flag.
	h.admin("PATCH", "/api/v1/keys/"+itoa(kid), map[string]any{"can_login_web_ui": false}).want(200)
	h.req("GET", "/api/v1/me", nil, cookie(id)).wantError(401, "")
}

func TestKeyLoginRules(t *testing.T) {
	h := newSQLiteHarness(t)
	now := h.clock.Now()
	uid := h.createUser("bob", nil)
	login := func(key string) *response {
		return h.req("POST", "/api/auth/login", map[string]any{"token": key})
	}

	_, noWeb := h.createKey(uid, nil)
	login(noWeb).wantError(403, "token")

	_, expired := h.createKey(uid, map[string]any{"can_login_web_ui": true,
		"expires_at": now.Add(-time.Minute).Format(time.RFC3339)})
	login(expired).wantError(401, "token")

	_, disabled := h.createKey(uid, map[string]any{"can_login_web_ui": true, "is_enabled": false})
	login(disabled).wantError(401, "token")

	_, ok := h.createKey(uid, map[string]any{"can_login_web_ui": true,
		"expires_at": now.Add(time.Hour).Format(time.RFC3339)})
	id := string(login(ok).want(200).cookie().Value())

	// The key expiring ends the session too.
	h.clock.Advance(time.Hour)
	h.req("GET", "/api/v1/me", nil, cookie(id)).wantError(401, "")

	// A disabled or expired user disables every key.
	uid2 := h.createUser("carol", nil)
	_, k2 := h.createKey(uid2, map[string]any{"can_login_web_ui": true})
	id2 := string(login(k2).want(200).cookie().Value())
	h.admin("PATCH", "/api/v1/users/"+itoa(uid2), map[string]any{"is_enabled": false}).want(200)
	h.req("GET", "/api/v1/me", nil, cookie(id2)).wantError(401, "")
	login(k2).wantError(401, "token")
	h.admin("PATCH", "/api/v1/users/"+itoa(uid2), map[string]any{"is_enabled": true,
		"expires_at": h.clock.Now().Add(-time.Second).Format(time.RFC3339)}).want(200)
	login(k2).wantError(401, "token")
	h.admin("PATCH", "/api/v1/users/"+itoa(uid2), map[string]any{"expires_at": nil}).want(200)
	login(k2).want(200)
}
