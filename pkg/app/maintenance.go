package app

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/cchub/cchub/pkg/pricesync"
	"github.com/cchub/cchub/pkg/store"
)

// Background upkeep driven by the runtime settings (which admins change while the hub runs, so
// they are re-read on every tick rather than fixed at start):
//   - log retention: request logs older than log_retention_days are deleted, hourly and on
//     a settings change; the usage ledger and the hourly rollups are never touched;
//   - scheduled price sync every price_sync_interval_hours; instances sharing a database
//     claim each run in the database, so only one of them downloads;
//   - the gateway's price table is reloaded when model_prices changed (a sync or manual price
//     on another instance, or `cchub prices sync`).
const (
	maintenanceTick = time.Minute
	cleanupEvery    = time.Hour
	// priceSyncRetry is how soon a failed scheduled sync is tried again.
	priceSyncRetry = 15 * time.Minute
)

type maintenance struct {
	st  *store.Store
	log *slog.Logger
	now func() time.Time
	// syncPrices downloads and applies the table at url (pricesync.FromURL in production).
	syncPrices func(ctx context.Context, url string) (pricesync.Summary, error)
	// reload rebuilds the gateway's price table.
	reload func(ctx context.Context) error

	mu          sync.Mutex
	lastCleanup time.Time
	retention   int // the retention the last cleanup ran with
	version     string
	poke        chan struct{}
}

func newMaintenance(st *store.Store, log *slog.Logger, now func() time.Time,
	syncPrices func(context.Context, string) (pricesync.Summary, error), reload func(context.Context) error) *maintenance {
	return &maintenance{st: st, log: log, now: now, syncPrices: syncPrices, reload: reload, poke: make(chan struct{}, 1)}
}

// run ticks until ctx ends: once at once, then every maintenanceTick and on every poke.
func (m *maintenance) run(ctx context.Context) {
	t := time.NewTicker(maintenanceTick)
	defer t.Stop()
	for {
		m.tick(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-m.poke:
		}
	}
}

// settingsChanged wakes the loop (a retention or schedule change takes effect at once).
func (m *maintenance) settingsChanged() {
	select {
	case m.poke <- struct{}{}:
	default:
	}
}

// tick does whatever is due at m.now().
func (m *maintenance) tick(ctx context.Context) {
	row, err := m.st.Settings(ctx)
	if err != nil {
		if ctx.Err() == nil {
			m.log.Warn("maintenance: read settings", "err", err)
		}
		return
	}
	now := m.now().UTC()
	m.cleanup(ctx, now, row.LogRetentionDays)
	if row.PriceSyncIntervalHours > 0 {
		m.scheduledSync(ctx, now, time.Duration(row.PriceSyncIntervalHours)*time.Hour, row.PriceSyncURL)
	}
	if err := m.reloadIfChanged(ctx); err != nil && ctx.Err() == nil {
		m.log.Warn("maintenance: reload prices", "err", err)
	}
}

func (m *maintenance) cleanup(ctx context.Context, now time.Time, days int) {
	m.mu.Lock()
	due := days > 0 && (days != m.retention || now.Sub(m.lastCleanup) >= cleanupEvery)
	if due {
		m.lastCleanup, m.retention = now, days
	}
	m.mu.Unlock()
	if !due {
		return
	}
	cutoff := now.Add(-time.Duration(days) * 24 * time.Hour)
	n, err := m.st.DeleteRequestLogsBefore(ctx, cutoff)
	if err != nil {
		if ctx.Err() == nil {
			m.log.Warn("log retention cleanup failed", "deleted", n, "err", err)
		}
		return
	}
	if n > 0 {
		m.log.Info("log retention: deleted old request logs", "deleted", n, "before", cutoff, "retention_days", days)
	}
}

func (m *maintenance) scheduledSync(ctx context.Context, now time.Time, interval time.Duration, url string) {
	ok, err := m.st.ClaimPriceSync(ctx, now, interval)
	if err != nil || !ok {
		if err != nil && ctx.Err() == nil {
			m.log.Warn("scheduled price sync: claim", "err", err)
		}
		return
	}
	if url == "" {
		url = pricesync.DefaultURL
	}
	sum, err := m.syncPrices(ctx, url)
	if err != nil {
		m.log.Warn("scheduled price sync failed", "url", url, "err", err, "retry_in", priceSyncRetry)
		// Due again after priceSyncRetry rather than a whole interval.
		if retry := now.Add(-interval + priceSyncRetry); retry.Before(now) {
			if err := m.st.SetPriceSyncedAt(ctx, retry); err != nil {
				m.log.Warn("scheduled price sync: reschedule", "err", err)
			}
		}
		return
	}
	m.log.Info("scheduled price sync", "url", url, "models", sum.Models, "added", sum.Added,
		"updated", sum.Updated, "kept_manual", sum.KeptManual)
}

// reloadIfChanged reloads the price table when model_prices changed since the last load.
func (m *maintenance) reloadIfChanged(ctx context.Context) error {
	v, err := m.st.PricesVersion(ctx)
	if err != nil {
		return err
	}
	m.mu.Lock()
	same := v == m.version
	m.mu.Unlock()
	if same {
		return nil
	}
	return m.reloadPrices(ctx)
}

// reloadPrices rebuilds the gateway's price table now and remembers the version it read.
func (m *maintenance) reloadPrices(ctx context.Context) error {
	v, err := m.st.PricesVersion(ctx)
	if err != nil {
		return err
	}
	if err := m.reload(ctx); err != nil {
		return err
	}
	m.mu.Lock()
	m.version = v
	m.mu.Unlock()
	return nil
}
