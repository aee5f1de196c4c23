package app

import (
	"context"
	"time"

	"github.com/cchub/cchub/pkg/redisstate"
)

// catalogRefresh is how often every instance reloads keys, users and providers even without a
// change notice: the safety net for a missed Redis message or a change made by another instance
// when no Redis is configured.
const catalogRefresh = 30 * time.Second

// startCatalogSync keeps the gateway's snapshot fresh: admin changes reload it at once on this
// instance and, through Redis pub/sub, on the others; a periodic reload covers the rest.
func (h *Hub) startCatalogSync(ctx context.Context) error {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	h.closers = append(h.closers, func(context.Context) error { cancel(); return nil })
	if h.redis != nil {
		h.invalidator = redisstate.NewInvalidator(h.redis, "", randomToken())
		err := h.invalidator.Subscribe(ctx, func(what string) {
			if err := h.gateway.Reload(ctx); err != nil {
				h.log.Warn("catalog reload after a change on another instance failed", "what", what, "err", err)
			}
		})
		if err != nil {
			return err
		}
	}
	go func() {
		t := time.NewTicker(catalogRefresh)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := h.gateway.Reload(ctx); err != nil && ctx.Err() == nil {
					h.log.Warn("periodic catalog reload failed", "err", err)
				}
			}
		}
	}()
	return nil
}

// catalogChanged is the admin API's change hook.
func (h *Hub) catalogChanged(what string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.gateway.Reload(ctx); err != nil {
		h.log.Error("catalog reload after admin change failed", "what", what, "err", err)
	}
	if h.invalidator != nil {
		if err := h.invalidator.Publish(ctx, what); err != nil {
			h.log.Warn("could not tell other instances about a change", "what", what, "err", err)
		}
	}
}
