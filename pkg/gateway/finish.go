package gateway

import (
	"github.com/cloudwego/hertz/pkg/app"

	"github.com/cchub/cchub/pkg/gateway/catalog"
	"github.com/cchub/cchub/pkg/gateway/selector"
)

// statusClientClosed is nginx's "client closed request", recorded when the client leaves.
const statusClientClosed = 499

// finishJSON sends a successful non-streaming answer and records it.
func (r *relay) finishJSON(c *app.RequestContext, p *catalog.Provider, res *attemptResult) {
	c.SetStatusCode(res.status)
	copyResponseHeaders(&c.Response.Header, res.header)
	c.Response.Header.Set("X-Cchub-Request-Id", r.requestID)
	// The body was read into a buffer of our own, so hertz may send it without a copy.
	c.Response.SetBodyRaw(res.body)
	rec := r.record(p, res.status)
	rec.TTFBMs = rec.DurationMs
	rec.Usage = res.usage
	r.submit(&rec, p)
	if r.sessionID != "" && !r.ep.Passthrough {
		r.g.cfg.Sessions.Bind(ctxBackground, r.sessionID, p.ID)
	}
}

// finishUpstreamError hands the client the upstream's error answer (same format, so the client
// understands it), or a hub error when there was no answer at all.
func (r *relay) finishUpstreamError(c *app.RequestContext, p *catalog.Provider, res *attemptResult) {
	if res.header != nil && res.status != 0 {
		c.SetStatusCode(res.status)
		copyResponseHeaders(&c.Response.Header, res.header)
		c.Response.Header.Set("X-Cchub-Request-Id", r.requestID)
		c.Response.SetBodyRaw(res.body)
		rec := r.record(p, res.status)
		rec.ErrorMessage = truncate(string(res.body), 2048)
		r.submit(&rec, p)
		return
	}
	e := &Error{Status: 502, Code: "upstream_error", Message: "all providers failed", Cause: res.err}
	if res.kind == selector.ErrTimeout {
		e.Status, e.Code, e.Message = 504, "upstream_timeout", "upstream timed out"
	}
	if res.kind == selector.ErrLocal {
		e.Status, e.Code, e.Message = 500, "internal_error", "the hub could not build the upstream request"
	}
	writeError(c, r.ep.Format, e, r.requestID)
	rec := r.record(p, e.Status)
	rec.ErrorMessage = e.Message + ": " + res.errText()
	r.submit(&rec, p)
}

// finishAbort records a request whose client went away before an answer.
func (r *relay) finishAbort(c *app.RequestContext, p *catalog.Provider) {
	c.Abort()
	rec := r.record(p, statusClientClosed)
	rec.ErrorMessage = "client disconnected"
	r.submit(&rec, p)
}
