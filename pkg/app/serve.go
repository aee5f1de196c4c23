package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cloudwego/hertz/pkg/app/server"
	"github.com/cloudwego/hertz/pkg/common/adaptor"
	"github.com/cloudwego/hertz/pkg/common/hlog"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"

	"github.com/cchub/cchub/pkg/admin"
	"github.com/cchub/cchub/pkg/billing"
	"github.com/cchub/cchub/pkg/config"
	"github.com/cchub/cchub/pkg/gateway"
	"github.com/cchub/cchub/pkg/gateway/session"
	"github.com/cchub/cchub/pkg/redisstate"
	"github.com/cchub/cchub/pkg/secretbox"
	"github.com/cchub/cchub/pkg/store"
	"github.com/cchub/cchub/ui"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, code := loadConfig(args, stderr)
	if cfg == nil {
		return code
	}
	if err := cfg.CheckAdminToken(randomToken); err != nil {
		fmt.Fprintln(stderr, err)
		return exitConfig
	}
	log := newLogger(stderr, cfg.LogLevel)
	hub, err := start(ctx, cfg, log)
	if err != nil {
		log.Error("start failed", "err", err)
		return exitFail
	}
	url := fmt.Sprintf("http://%s", hub.Addr())
	if cfg.GeneratedToken {
		// Printed to stdout (not the log) so a first-time user sees it; it is not logged.
		fmt.Fprintf(stdout, "cchub %s listening on %s\nadmin token (generated for this run): %s\n", version(), url, cfg.AdminToken)
	} else {
		fmt.Fprintf(stdout, "cchub %s listening on %s\n", version(), url)
	}
	select {
	case <-ctx.Done():
	case err := <-hub.serveErr:
		log.Error("server stopped", "err", err)
		hub.Shutdown(context.Background())
		return exitFail
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := hub.Shutdown(sctx); err != nil {
		log.Error("shutdown", "err", err)
		return exitFail
	}
	return exitOK
}

// quietHertz sets hertz's global log level once: it is process-wide, and setting it while
// another hub in the same process (tests) is logging would race.
var quietHertz sync.Once

// Hub is a running cchub instance.
type Hub struct {
	cfg      *config.Config
	log      *slog.Logger
	store    *store.Store
	redis    *redis.Client
	srv      *server.Hertz
	ln       net.Listener
	health   *health
	registry *prometheus.Registry
	gateway  *gateway.Gateway
	admin    *admin.API
	// invalidator tells other instances about admin changes (nil without Redis).
	invalidator *redisstate.Invalidator
	serveErr    chan error
	inFlight    atomic.Int64
	closers     []func(context.Context) error // run in reverse order after the server stops

	// maint runs log retention, the scheduled price sync and price reloads.
	maint *maintenance
}

// Addr is the address the hub listens on.
func (h *Hub) Addr() string { return h.ln.Addr().String() }

// start opens the store, migrates, builds every component and starts listening. Migrations run
// before the listener opens, so no request sees an old schema.
func start(ctx context.Context, cfg *config.Config, log *slog.Logger) (*Hub, error) {
	quietHertz.Do(func() { hlog.SetLevel(hlog.LevelWarn) })
	h := &Hub{cfg: cfg, log: log, health: &health{}, serveErr: make(chan error, 1)}
	ok := false
	defer func() {
		if !ok {
			h.runClosers(context.Background())
		}
	}()

	// Process-wide: the store's value scanner seals and opens provider keys with it.
	secretbox.Configure(cfg.SecretKey)
	st, err := store.Open(ctx, store.Config{DSN: cfg.DSN, DataDir: cfg.DataDir})
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	h.store = st
	h.closers = append(h.closers, func(context.Context) error { return st.Close() })
	if cfg.AutoMigrate {
		if err := st.Migrate(ctx); err != nil {
			return nil, err
		}
	}
	h.health.add("database", st.Ping)
	if n, err := st.SealProviderKeys(ctx); err != nil {
		return nil, fmt.Errorf("SECRET_KEY: %w", err)
	} else if n > 0 {
		log.Info("encrypted provider keys stored before SECRET_KEY was set", "providers", n)
	}

	// The price table is seeded from the embedded LiteLLM snapshot on first start.
	if n, err := store.SeedPrices(ctx, st, billing.DefaultPrices()); err != nil {
		return nil, fmt.Errorf("seed prices: %w", err)
	} else if n > 0 {
		log.Info("seeded model prices", "models", n)
	}
	prices, err := store.LoadPriceTable(ctx, st)
	if err != nil {
		return nil, err
	}

	if cfg.RedisURL != "" {
		opt, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return nil, fmt.Errorf("REDIS_URL: %w", err)
		}
		h.redis = redis.NewClient(opt)
		h.closers = append(h.closers, func(context.Context) error { return h.redis.Close() })
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err = h.redis.Ping(pctx).Err()
		cancel()
		if err != nil {
			return nil, fmt.Errorf("redis: %w", err)
		}
		h.health.add("redis", func(ctx context.Context) error { return h.redis.Ping(ctx).Err() })
	}

	writer := billing.NewWriter(st, billing.WriterConfig{Logger: log})
	// Closers run in reverse: the writer drains into the store before the store closes.
	h.closers = append(h.closers, writer.Close)
	h.registry = prometheus.NewRegistry()
	h.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	registerWriterMetrics(h.registry, writer)

	var sessions session.Store
	if h.redis != nil {
		sessions = redisstate.NewSessions(h.redis, redisstate.SessionOptions{TTL: cfg.SessionTTL,
			OnError: func(op string, err error) { log.Warn("redis session store", "op", op, "err", err) }})
	} else {
		mem := session.NewMemory(session.MemoryOptions{TTL: cfg.SessionTTL})
		h.closers = append(h.closers, func(context.Context) error { return mem.Close() })
		sessions = mem
	}
	limiter, quotas, err := h.startQuota()
	if err != nil {
		return nil, err
	}
	gw, err := gateway.New(gateway.Config{
		Catalog:  st,
		Sink:     writer,
		Sessions: sessions,
		Metrics:  gateway.NewMetrics(h.registry),
		Log:      log,
		Limiter:  limiter,
	})
	if err != nil {
		return nil, err
	}
	gw.SetPrices(prices)
	if err := gw.Reload(ctx); err != nil {
		return nil, err
	}
	registerBreakerMetrics(h.registry, gw.Breakers())
	h.gateway = gw
	if err := h.startCatalogSync(ctx); err != nil {
		return nil, fmt.Errorf("redis catalog notifications: %w", err)
	}
	h.admin = admin.New(admin.Config{
		Store:        st,
		AdminToken:   cfg.AdminToken,
		SecureCookie: cfg.SecureCookies,
		Logger:       log,
		OnChange:     h.adminChanged,
		Location:     cfg.Location,
		ActivityTTL:  cfg.SessionTTL,
		Circuits:     admin.CircuitFuncs{ResetFunc: gw.Breakers().Reset, StatusFunc: gw.CircuitStatus},
		Tester: admin.TesterFunc(func(ctx context.Context, id int) (admin.ProviderTestResult, error) {
			r, err := gw.TestProvider(ctx, id)
			return admin.ProviderTestResult{OK: r.OK, StatusCode: r.StatusCode,
				LatencyMs: r.Latency.Milliseconds(), Message: r.Message, Model: r.Model}, err
		}),
		Quotas: quotaReader(limiter, quotas),
	})
	h.startMaintenance(ctx)

	ln, err := net.Listen("tcp", cfg.Addr())
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.Addr(), err)
	}
	h.ln = ln
	h.srv = server.New(
		server.WithListener(ln),
		server.WithDisablePrintRoute(true),
		server.WithExitWaitTime(cfg.ShutdownTimeout),
		server.WithMaxRequestBodySize(int(cfg.MaxBodyBytes)),
		server.WithReadTimeout(10*time.Minute),
		server.WithIdleTimeout(2*time.Minute),
		// Cancels the handler's context when the client hangs up, so an abandoned stream stops
		// its upstream at once.
		server.WithSenseClientDisconnection(true),
	)
	if err := h.routes(); err != nil {
		ln.Close()
		return nil, err
	}
	go func() { h.serveErr <- h.srv.Run() }()
	ok = true
	log.Info("cchub started", "addr", h.Addr(), "version", version(), "db", st.Dialect, "redis", cfg.RedisURL != "")
	return h, nil
}

// routes registers every HTTP route.
func (h *Hub) routes() error {
	h.srv.Use(h.trackInFlight)
	h.health.register(h.srv.Engine)
	h.gateway.Register(h.srv.Engine)
	h.admin.Register(h.srv.Engine)
	h.srv.GET("/metrics", adaptor.HertzHandler(promhttp.HandlerFor(h.registry, promhttp.HandlerOpts{})))
	// The embedded web UI (ui/dist): index.html at /, content-hashed files under /assets/.
	uiHandler := ui.Handler()
	for _, p := range []string{"/", "/index.html", "/assets/*filepath"} {
		h.srv.GET(p, uiHandler)
		h.srv.HEAD(p, uiHandler)
	}
	return nil
}

// Shutdown stops the hub: readiness turns 503 first, then the server drains in-flight requests,
// then writers flush and stores close.
func (h *Hub) Shutdown(ctx context.Context) error {
	h.health.shuttingDown.Store(true)
	h.drain(ctx)
	// Nothing is in flight now; what remains are idle keep-alive connections, which hertz's
	// graceful shutdown would otherwise wait on until its exit timeout.
	sctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	err := h.srv.Shutdown(sctx)
	if cerr := h.runClosers(ctx); cerr != nil && err == nil {
		err = cerr
	}
	return err
}

func (h *Hub) runClosers(ctx context.Context) error {
	var first error
	for i := len(h.closers) - 1; i >= 0; i-- {
		if err := h.closers[i](ctx); err != nil && first == nil {
			first = err
		}
	}
	h.closers = nil
	return first
}
