package app

import (
	"context"
	"time"

	"github.com/cchub/cchub/pkg/pricesync"
	"github.com/cchub/cchub/pkg/store"
)

// startMaintenance builds the settings-driven background upkeep (log retention, scheduled price
// sync, price reloads) and runs it until shutdown.
func (h *Hub) startMaintenance(ctx context.Context) {
	st, gw := h.store, h.gateway
	h.maint = newMaintenance(st, h.log, time.Now,
		func(ctx context.Context, url string) (pricesync.Summary, error) {
			return pricesync.FromURL(ctx, st, nil, url, nil)
		},
		func(ctx context.Context) error {
			t, err := store.LoadPriceTable(ctx, st)
			if err != nil {
				return err
			}
			gw.SetPrices(t)
			return nil
		})
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.maint.run(ctx)
	}()
	h.closers = append(h.closers, func(context.Context) error {
		cancel()
		<-done // a cleanup or sync in progress stops at its next statement
		return nil
	})
}

// adminChanged is the admin API's change hook: price changes reload the gateway's price table
// at once, settings changes wake the upkeep loop, everything else reloads the catalog.
func (h *Hub) adminChanged(what string) {
	switch what {
	case "prices":
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := h.maint.reloadPrices(ctx); err != nil {
			h.log.Error("price reload after an admin change failed", "err", err)
		}
	case "settings":
		h.maint.settingsChanged()
	default:
		h.catalogChanged(what)
	}
}
