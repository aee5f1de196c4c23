package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/cchub/cchub/pkg/admin"
	"github.com/cchub/cchub/pkg/config"
	"github.com/cchub/cchub/pkg/quota"
	"github.com/cchub/cchub/pkg/quota/redisquota"
)

// quotaRedisTimeout bounds one limiter round trip; past it the request is decided in process.
// A second is far above a healthy round trip (well under a millisecond) yet tolerates a loaded
// machine: a spurious timeout would switch the instance to per-instance limits for a while.
const quotaRedisTimeout = time.Second

// startQuota builds the limiter: none with ENABLE_RATE_LIMIT=false, the Redis one (with its
// own client: short timeouts, no retries) when REDIS_URL is set, the in-process one otherwise.
// Both rebuild spend from the usage ledger. It also returns the reader for the admin views.
func (h *Hub) startQuota() (quota.Limiter, quota.LedgerReader, error) {
	cfg, log := h.cfg, h.log
	ledger := h.store.QuotaLedger()
	reader := quota.LedgerReader{Ledger: ledger, Location: cfg.Location}
	if !cfg.EnableRateLimit {
		log.Info("quotas are off (ENABLE_RATE_LIMIT=false)")
		return nil, reader, nil
	}
	if cfg.RedisURL == "" {
		return quota.NewLocal(quota.LocalOptions{Location: cfg.Location, Ledger: ledger, SessionTTL: cfg.SessionTTL, Log: log}), reader, nil
	}
	opt, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return nil, reader, fmt.Errorf("REDIS_URL: %w", err)
	}
	redisquota.TuneOptions(opt, quotaRedisTimeout)
	rdb := redis.NewClient(opt)
	lim := redisquota.New(rdb, redisquota.Options{Prefix: quotaPrefix(cfg), Location: cfg.Location, Ledger: ledger,
		SessionTTL: cfg.SessionTTL, Timeout: quotaRedisTimeout, Log: log})
	// Closers run in reverse: pending settlements are sent before the client closes.
	h.closers = append(h.closers, func(context.Context) error { return rdb.Close() })
	h.closers = append(h.closers, lim.Close)
	registerQuotaMetrics(h.registry, lim)
	return lim, reader, nil
}

// quotaPrefix namespaces the quota keys by database: instances sharing one database share
// quota state, while installations (or tests) that share a Redis but not a database — whose
// user, key and provider ids mean different things — never mix. It hashes the DSN without its
// credentials, or SQLite's data directory.
func quotaPrefix(cfg *config.Config) string {
	id := "sqlite:" + cfg.DataDir
	if abs, err := filepath.Abs(cfg.DataDir); err == nil {
		id = "sqlite:" + abs
	}
	if cfg.DSN != "" {
		id = cfg.DSN
		if u, err := url.Parse(cfg.DSN); err == nil {
			id = u.Hostname() + ":" + u.Port() + u.Path
		}
	}
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:6])
}

// registerQuotaMetrics exposes the Redis limiter's fallback (G13: a degraded gauge that reads 1
// during an outage, and a count of decisions made in process).
func registerQuotaMetrics(reg prometheus.Registerer, l *redisquota.Limiter) {
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "cchub_quota_redis_degraded", Help: "1 while Redis is unreachable and quotas are enforced in process.",
		}, func() float64 {
			if l.Degraded() {
				return 1
			}
			return 0
		}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "cchub_quota_redis_fallback_total", Help: "Quota decisions and settlements made in process because Redis failed.",
		}, func() float64 { return float64(l.Fallbacks()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "cchub_quota_redis_outages_total", Help: "Times Redis became unreachable for the limiter.",
		}, func() float64 { return float64(l.Outages()) }),
	)
}

// quotaReader is what the admin quota views read: the limiter when one runs (it knows
// reservations, sessions and RPM), the ledger otherwise.
func quotaReader(lim quota.Limiter, ledger quota.LedgerReader) admin.QuotaReader {
	if lim != nil {
		return lim
	}
	return ledger
}
