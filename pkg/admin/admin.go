// Package admin is the admin REST API (/api/v1) and its authentication: the admin token as a
// Bearer header, or a web-login session cookie created by POST /api/auth/login.
//
// It is off the hot path: every handler talks to the database through pkg/store and calls
// Config.OnChange after a successful write so the gateway can reload its in-memory snapshot.
package admin

import (
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/cloudwego/hertz/pkg/app"
	"github.com/cloudwego/hertz/pkg/route"

	"github.com/cchub/cchub/pkg/store"
)

// Config holds what the admin API needs from the application.
type Config struct {
	Store *store.Store
	// AdminToken is the ADMIN_TOKEN. Empty disables admin authentication entirely (no token,
	// not even an empty one, is accepted).
	AdminToken string
	// SecureCookie adds the Secure attribute to the session cookie (serve over HTTPS).
	SecureCookie bool
	Logger       *slog.Logger
	// Now is the clock (tests inject one); nil means time.Now.
	Now func() time.Time
	// OnChange is called with "providers", "users" or "keys" after a successful mutation so the
	// gateway reloads its snapshot. A user change also covers that user's keys. "prices" means
	// the price table changed (reload the gateway's prices), "settings" that the runtime
	// settings did.
	OnChange func(what string)
	// SessionTTL is the lifetime of a web login; 0 means 7 days.
	SessionTTL time.Duration
	// ClientAddr returns the address login failures are counted against. nil uses the TCP
	// peer address: hertz's ClientIP trusts X-Forwarded-For from anyone, which would let an
	// attacker pick a fresh address per guess. Behind a trusted proxy, pass a function that
	// reads the proxy's header.
	ClientAddr func(c *app.RequestContext) string
	// Circuits and Tester reach the running gateway for the provider circuit reset and test
	// routes (and circuit_state in provider views); nil answers those routes with 501.
	Circuits Circuits
	Tester   Tester
	// Location is the TZ environment variable's zone: statistics, leaderboard periods and /me
	// usage use it unless the settings name a timezone. nil means UTC.
	Location *time.Location
	// ActivityTTL is SESSION_TTL: a session counts as active while its last request is this
	// recent, unless the settings say otherwise. 0 means 5 minutes.
	ActivityTTL time.Duration
	// PriceClient downloads price tables for POST /prices/sync; nil uses a client with
	// pricesync.DefaultTimeout.
	PriceClient *http.Client
	// Quotas answers GET /quotas/{users,keys,providers} (quotas.go); nil answers them with 501.
	Quotas QuotaReader
}

// DefaultSessionTTL is the web-login lifetime when Config.SessionTTL is zero (as CCH's
// AUTH_SESSION_TTL_SECONDS default).
const DefaultSessionTTL = 7 * 24 * time.Hour

// API serves the admin endpoints. Create it with New and mount it with Register.
type API struct {
	cfg     Config
	log     *slog.Logger
	now     func() time.Time
	ttl     time.Duration
	lockout *lockout
	// adminDigest is SHA-256(AdminToken), compared in constant time against the digest of the
	// presented token so neither content nor length leaks through timing.
	adminDigest [32]byte
	// priceSync is held while a price sync runs, so two admins cannot start two at once.
	priceSync sync.Mutex
}

// New returns an API for cfg, filling in defaults.
func New(cfg Config) *API {
	a := &API{cfg: cfg, log: cfg.Logger, ttl: cfg.SessionTTL}
	if a.log == nil {
		a.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	clock := cfg.Now
	if clock == nil {
		clock = time.Now
	}
	// Times are written in UTC: SQLite stores them as text and compares them as text, which is
	// only chronological when every row uses the same offset. Microseconds are what Postgres keeps.
	a.now = func() time.Time { return clock().UTC().Truncate(time.Microsecond) }
	if a.ttl <= 0 {
		a.ttl = DefaultSessionTTL
	}
	if a.cfg.ClientAddr == nil {
		a.cfg.ClientAddr = peerAddr
	}
	a.lockout = newLockout(a.now, loginMaxFailures, loginFailureWindow, loginLockDuration)
	a.adminDigest = digest(cfg.AdminToken)
	return a
}

// Register mounts the auth endpoints and the admin resources on r. Routes that belong to other
// packages are added to the group returned by Group.
func (a *API) Register(r *route.Engine) {
	auth := r.Group("/api/auth")
	auth.POST("/login", a.login)
	auth.POST("/logout", a.logout)
	auth.GET("/me", a.authMe)

	v1 := a.Group(r)
	v1.GET("/me", a.me)

	v1.GET("/providers", a.listProviders)
	v1.POST("/providers", a.createProvider)
	v1.GET("/providers/:id", a.getProvider)
	v1.PATCH("/providers/:id", a.patchProvider)
	v1.DELETE("/providers/:id", a.deleteProvider)
	v1.POST("/providers/:id/circuit/reset", a.resetCircuit)
	v1.POST("/providers/:id/test", a.testProvider)

	v1.GET("/users", a.listUsers)
	v1.POST("/users", a.createUser)
	v1.GET("/users/:id", a.getUser)
	v1.PATCH("/users/:id", a.patchUser)
	v1.DELETE("/users/:id", a.deleteUser)

	v1.GET("/users/:id/keys", a.listKeys)
	v1.POST("/users/:id/keys", a.createKey)
	v1.GET("/keys/:id", a.getKey)
	v1.PATCH("/keys/:id", a.patchKey)
	v1.DELETE("/keys/:id", a.deleteKey)

	v1.GET("/logs", a.listLogs)
	v1.GET("/logs/export", a.exportLogs)
	v1.GET("/logs/:id", a.getLog)
	a.quotaRoutes(v1)

	a.registerReadSide(r, v1)
}

// Group returns r's /api/v1 group behind the admin guard (Bearer token or session cookie,
// Origin check for cookie mutations, key sessions limited to /api/v1/me). Other packages use it
// to add admin routes such as POST /providers/:id/test; hertz allows several groups with the
// same prefix, each carrying its own middleware.
func (a *API) Group(r *route.Engine) *route.RouterGroup {
	return r.Group("/api/v1", a.guard)
}

// changed notifies the gateway that what changed.
func (a *API) changed(what string) {
	if a.cfg.OnChange != nil {
		a.cfg.OnChange(what)
	}
}
