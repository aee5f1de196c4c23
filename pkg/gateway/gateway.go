// Package gateway is the hot path: it authenticates client requests, picks a provider, relays
// the request and streams the answer back through a usage tap, then hands a billing record to
// the batch writer. It reads only in-memory state — never the database.
package gateway

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cloudwego/hertz/pkg/app"
	"github.com/cloudwego/hertz/pkg/route"
	"github.com/dgraph-io/ristretto/v2"

	"github.com/cchub/cchub/pkg/billing"
	"github.com/cchub/cchub/pkg/gateway/catalog"
	"github.com/cchub/cchub/pkg/gateway/selector"
	"github.com/cchub/cchub/pkg/gateway/session"
	"github.com/cchub/cchub/pkg/quota"
)

// CatalogSource loads a fresh snapshot of keys, users and providers (the store implements it).
type CatalogSource interface {
	LoadCatalog(ctx context.Context) (*catalog.Snapshot, error)
}

// UsageSink takes finished request records without blocking (the billing writer implements it).
type UsageSink interface {
	Submit(r billing.Record) bool
}

// Config holds the gateway's collaborators and tunables.
type Config struct {
	Catalog  CatalogSource
	Sink     UsageSink
	Sessions session.Store
	Breakers *selector.Breakers
	Metrics  *Metrics
	Log      *slog.Logger
	Now      func() time.Time
	// Limiter enforces quotas (quota.go); nil turns limits off (ENABLE_RATE_LIMIT=false).
	Limiter quota.Limiter

	// DialTimeout bounds connecting to an upstream (default 10 s).
	DialTimeout time.Duration
	// DefaultRequestTimeout applies when a provider sets no timeout (default 10 min).
	DefaultRequestTimeout time.Duration
	// RetryDelay separates attempts on the same provider (default 100 ms).
	RetryDelay time.Duration
	// MaxSwitches caps how many providers one request may try (default 20).
	MaxSwitches int
}

// Gateway relays client requests to providers.
type Gateway struct {
	cfg    Config
	snap   atomic.Pointer[catalog.Snapshot]
	prices atomic.Pointer[billing.Table]

	// unknownKeys remembers key hashes that are in no snapshot, so repeated bad keys cost one
	// map probe instead of a catalog reload.
	unknownKeys   *ristretto.Cache[uint64, struct{}]
	reloadMu      sync.Mutex
	lastMissCheck atomic.Int64

	// streams counts responses still being relayed after their handler returned, so shutdown
	// can wait for them.
	streams atomic.Int64

	clientsMu sync.Mutex
	clients   map[string]*http.Transport // by proxy URL ("" = direct)
}

// New builds a gateway; call Reload (or SetCatalog) before serving.
func New(cfg Config) (*Gateway, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = 10 * time.Second
	}
	if cfg.DefaultRequestTimeout <= 0 {
		cfg.DefaultRequestTimeout = 10 * time.Minute
	}
	if cfg.RetryDelay < 0 {
		cfg.RetryDelay = 0
	} else if cfg.RetryDelay == 0 {
		cfg.RetryDelay = 100 * time.Millisecond
	}
	if cfg.MaxSwitches <= 0 {
		cfg.MaxSwitches = 20
	}
	if cfg.Breakers == nil {
		cfg.Breakers = selector.NewBreakers(selector.BreakerOptions{Now: cfg.Now})
	}
	if cfg.Sessions == nil {
		cfg.Sessions = session.NewMemory(session.MemoryOptions{Now: cfg.Now})
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics(nil)
	}
	neg, err := ristretto.NewCache(&ristretto.Config[uint64, struct{}]{
		NumCounters: 100_000, MaxCost: 10_000, BufferItems: 64,
	})
	if err != nil {
		return nil, err
	}
	g := &Gateway{cfg: cfg, unknownKeys: neg, clients: map[string]*http.Transport{}}
	g.snap.Store(catalog.NewSnapshot(nil, nil, nil))
	g.prices.Store(billing.NewTable(nil))
	return g, nil
}

// Register adds the proxy routes.
func (g *Gateway) Register(r *route.Engine) {
	r.POST("/v1/messages", g.handler(endpointMessages))
	r.POST("/v1/messages/count_tokens", g.handler(endpointCountTokens))
	r.POST("/v1/responses", g.handler(endpointResponses))
	r.POST("/v1/chat/completions", g.handler(endpointChat))
	r.GET("/v1/models", g.models)
	r.HEAD("/api/hello", func(ctx context.Context, c *app.RequestContext) { c.Status(200) })
	r.GET("/api/hello", func(ctx context.Context, c *app.RequestContext) { c.Status(200) })
	r.GET("/v1/_ping", func(ctx context.Context, c *app.RequestContext) {
		c.Data(200, "application/json", []byte(`{"status":"pong"}`))
	})
}

// Reload replaces the snapshot from the catalog source. The admin API calls it after every
// change, so the next request sees the change.
func (g *Gateway) Reload(ctx context.Context) error {
	if g.cfg.Catalog == nil {
		return nil // a gateway fed by SetCatalog only (tests)
	}
	g.reloadMu.Lock()
	defer g.reloadMu.Unlock()
	s, err := g.cfg.Catalog.LoadCatalog(ctx)
	if err != nil {
		return err
	}
	g.SetCatalog(s)
	return nil
}

// SetCatalog installs a snapshot and forgets every remembered unknown key.
func (g *Gateway) SetCatalog(s *catalog.Snapshot) {
	g.snap.Store(s)
	g.unknownKeys.Clear()
}

// SetPrices installs a price table.
func (g *Gateway) SetPrices(t *billing.Table) { g.prices.Store(t) }

// Snapshot returns the current catalog snapshot.
func (g *Gateway) Snapshot() *catalog.Snapshot { return g.snap.Load() }

// ActiveStreams is the number of streams being relayed.
func (g *Gateway) ActiveStreams() int64 { return g.streams.Load() }

// Breakers exposes the circuit breakers (for the admin API's reset and status).
func (g *Gateway) Breakers() *selector.Breakers { return g.cfg.Breakers }

// resolveKey finds a key in the snapshot. On a miss it reloads the catalog at most once a
// second (a key created on another instance becomes usable within that time) and remembers
// the hash as unknown so a flood of bad keys never reaches the database.
func (g *Gateway) resolveKey(ctx context.Context, h catalog.KeyHash) (*catalog.Key, *catalog.User) {
	if k, u := g.snap.Load().Key(h); k != nil {
		return k, u
	}
	short := uint64(h[0]) | uint64(h[1])<<8 | uint64(h[2])<<16 | uint64(h[3])<<24 |
		uint64(h[4])<<32 | uint64(h[5])<<40 | uint64(h[6])<<48 | uint64(h[7])<<56
	if _, known := g.unknownKeys.Get(short); known {
		return nil, nil
	}
	now := g.cfg.Now().UnixNano()
	if last := g.lastMissCheck.Load(); now-last > int64(time.Second) && g.lastMissCheck.CompareAndSwap(last, now) {
		if err := g.Reload(ctx); err != nil {
			g.cfg.Log.Warn("catalog reload on unknown key failed", "err", err)
		}
		if k, u := g.snap.Load().Key(h); k != nil {
			return k, u
		}
	}
	g.unknownKeys.SetWithTTL(short, struct{}{}, 1, 30*time.Second)
	return nil, nil
}
