package app

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/cloudwego/hertz/pkg/app"
	"github.com/cloudwego/hertz/pkg/route"
)

// health answers the liveness and readiness probes.
type health struct {
	shuttingDown atomic.Bool
	checks       []namedCheck
}

type namedCheck struct {
	name string
	fn   func(context.Context) error
}

func (h *health) add(name string, fn func(context.Context) error) {
	h.checks = append(h.checks, namedCheck{name, fn})
}

func (h *health) register(r *route.Engine) {
	r.GET("/api/health/live", func(ctx context.Context, c *app.RequestContext) {
		c.JSON(200, map[string]string{"status": "ok"})
	})
	r.GET("/api/health/ready", h.ready)
}

// ready is 503 once shutdown begins (so load balancers stop sending traffic before the
// listener closes) and while any dependency fails to answer within two seconds.
func (h *health) ready(ctx context.Context, c *app.RequestContext) {
	if h.shuttingDown.Load() {
		c.JSON(503, map[string]string{"status": "shutting_down"})
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	status := map[string]string{"status": "ok"}
	code := 200
	for _, chk := range h.checks {
		if err := chk.fn(ctx); err != nil {
			status[chk.name] = "error: " + err.Error()
			status["status"] = "unavailable"
			code = 503
		} else {
			status[chk.name] = "ok"
		}
	}
	c.JSON(code, status)
}
