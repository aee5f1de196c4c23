package admin

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/cloudwego/hertz/pkg/app"

	"github.com/cchub/cchub/ent/provider"
)

// Provider operations that need the running gateway rather than the database: circuit-breaker
// status and reset, and a live test request. The gateway is reached through these small
// interfaces so this package does not import it.

// Circuits is the gateway's per-provider circuit breakers.
type Circuits interface {
	// Reset closes provider id's circuit and clears its failure count.
	Reset(id int)
	// Status returns "closed", "open" or "half_open", the consecutive failure count, and the
	// end of the open period (zero unless open).
	Status(id int) (state string, failures int, openUntil time.Time)
}

// Tester sends a small real request to a provider, outside routing and billing.
type Tester interface {
	// TestProvider probes provider providerID. An upstream failure is a result with OK false;
	// the error is for a provider the gateway does not know (it should then have a method
	// NotFound() bool reporting true) or another failure of the hub itself.
	TestProvider(ctx context.Context, providerID int) (ProviderTestResult, error)
}

// ProviderTestResult is the answer of POST /api/v1/providers/:id/test.
type ProviderTestResult struct {
	OK         bool   `json:"ok"`          // the upstream answered 2xx
	StatusCode int    `json:"status_code"` // 0 when no HTTP answer arrived
	LatencyMs  int64  `json:"latency_ms"`
	Message    string `json:"message"` // short; upstream error text, never the key
	Model      string `json:"model"`   // the model the probe asked for
}

// CircuitFuncs adapts two functions to Circuits.
type CircuitFuncs struct {
	ResetFunc  func(id int)
	StatusFunc func(id int) (string, int, time.Time)
}

// Reset calls ResetFunc.
func (f CircuitFuncs) Reset(id int) { f.ResetFunc(id) }

// Status calls StatusFunc.
func (f CircuitFuncs) Status(id int) (string, int, time.Time) { return f.StatusFunc(id) }

// TesterFunc adapts a function to Tester.
type TesterFunc func(ctx context.Context, providerID int) (ProviderTestResult, error)

// TestProvider calls f.
func (f TesterFunc) TestProvider(ctx context.Context, providerID int) (ProviderTestResult, error) {
	return f(ctx, providerID)
}

// circuitView is a provider's breaker as provider GET and list show it when Config.Circuits is
// set. It is embedded by pointer so the members are absent (not null) without Circuits.
type circuitView struct {
	CircuitState     string  `json:"circuit_state"`
	CircuitFailures  int     `json:"circuit_failures"`
	CircuitOpenUntil *string `json:"circuit_open_until"`
}

// circuitOf returns provider id's circuit, or nil without Circuits.
func (a *API) circuitOf(id int) *circuitView {
	if a.cfg.Circuits == nil {
		return nil
	}
	state, failures, until := a.cfg.Circuits.Status(id)
	v := &circuitView{CircuitState: state, CircuitFailures: failures}
	if !until.IsZero() {
		v.CircuitOpenUntil = timeOutP(&until)
	}
	return v
}

var errNoGateway = &apiError{Status: http.StatusNotImplemented, Message: "not available: this server has no gateway attached"}

// providerExists answers 404 for an id that names no provider row.
func (a *API) providerExists(ctx context.Context, c *app.RequestContext) (int, bool) {
	id, aerr := pathID(c, "provider")
	if aerr != nil {
		writeError(c, aerr)
		return 0, false
	}
	ok, err := a.cfg.Store.Reader.Provider.Query().Where(provider.ID(id)).Exist(ctx)
	if err != nil {
		a.fail(ctx, c, "provider", err)
		return 0, false
	}
	if !ok {
		writeError(c, notFound("provider"))
		return 0, false
	}
	return id, true
}

// resetCircuit serves POST /api/v1/providers/:id/circuit/reset.
func (a *API) resetCircuit(ctx context.Context, c *app.RequestContext) {
	if a.cfg.Circuits == nil {
		writeError(c, errNoGateway)
		return
	}
	id, ok := a.providerExists(ctx, c)
	if !ok {
		return
	}
	a.cfg.Circuits.Reset(id)
	a.log.InfoContext(ctx, "provider circuit reset", "provider_id", id)
	c.Status(http.StatusNoContent)
}

// testProvider serves POST /api/v1/providers/:id/test.
func (a *API) testProvider(ctx context.Context, c *app.RequestContext) {
	if a.cfg.Tester == nil {
		writeError(c, errNoGateway)
		return
	}
	id, ok := a.providerExists(ctx, c)
	if !ok {
		return
	}
	res, err := a.cfg.Tester.TestProvider(ctx, id)
	var nf interface{ NotFound() bool }
	if errors.As(err, &nf) && nf.NotFound() {
		// In the database but not (yet, or no longer) in the gateway's snapshot.
		writeError(c, notFound("provider"))
		return
	}
	if err != nil {
		a.fail(ctx, c, "provider", err)
		return
	}
	a.log.InfoContext(ctx, "provider tested", "provider_id", id, "ok", res.OK,
		"status", res.StatusCode, "latency_ms", res.LatencyMs)
	writeJSON(c, http.StatusOK, res)
}
