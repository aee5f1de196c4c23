package app

import (
	"context"
	"time"

	"github.com/cloudwego/hertz/pkg/app"
)

// trackInFlight counts requests being handled, and once shutdown has begun asks clients to close
// their keep-alive connections so draining finishes quickly.
func (h *Hub) trackInFlight(ctx context.Context, c *app.RequestContext) {
	h.inFlight.Add(1)
	defer h.inFlight.Add(-1)
	if h.health.shuttingDown.Load() {
		c.Response.Header.SetConnectionClose(true)
	}
	c.Next(ctx)
}

// drain waits until no request is being handled and no stream is being relayed, or ctx ends.
func (h *Hub) drain(ctx context.Context) {
	for h.inFlight.Load() > 0 || (h.gateway != nil && h.gateway.ActiveStreams() > 0) {
		select {
		case <-ctx.Done():
			h.log.Warn("shutdown deadline reached with requests still in flight",
				"requests", h.inFlight.Load(), "streams", h.gateway.ActiveStreams())
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
}
