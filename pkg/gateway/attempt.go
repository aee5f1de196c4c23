package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cloudwego/hertz/pkg/app"

	"github.com/cchub/cchub/pkg/billing"
	"github.com/cchub/cchub/pkg/gateway/catalog"
	"github.com/cchub/cchub/pkg/gateway/selector"
	"github.com/cchub/cchub/pkg/gateway/usage"
)

// Limits on bodies the hub reads whole (the stream itself is never buffered).
const (
	maxErrorBody = 1 << 20
	maxJSONBody  = 256 << 20
)

// attemptResult is how one upstream attempt ended.
type attemptResult struct {
	status    int
	kind      selector.ErrKind
	err       error
	header    http.Header // headers of an upstream answer (nil without one)
	body      []byte      // JSON or error body read in full
	usage     billing.Usage
	committed bool // a stream was handed to the client
}

func (a *attemptResult) ok() bool {
	return a.kind == selector.ErrNone && a.status >= 200 && a.status < 300
}

func (a *attemptResult) outcome() string {
	switch {
	case a.committed || a.ok():
		return "success"
	case a.kind != selector.ErrNone:
		return a.kind.String()
	}
	return "http_" + statusLabel(a.status)
}

func (a *attemptResult) errText() string {
	if a.err != nil {
		return a.err.Error()
	}
	if len(a.body) > 0 {
		return truncate(string(a.body), 512)
	}
	return ""
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// attempt sends the request to p once. A successful stream is committed to the client inside
// (the result says so); anything else is returned for the loop to decide.
func (r *relay) attempt(ctx context.Context, c *app.RequestContext, p *catalog.Provider, entry *chainEntry, ticket selector.Ticket) *attemptResult {
	body := c.Request.Body()
	if !r.ep.Passthrough {
		var err error
		if to := p.ModelRedirects[r.model]; to != "" && to != r.model {
			if body, err = setModel(body, to); err != nil {
				return &attemptResult{kind: selector.ErrLocal, err: err}
			}
			entry.Redirect = &redirect{From: r.model, To: to}
		}
		if r.ep.Format == catalog.FormatChat && r.stream {
			if body, err = ensureIncludeUsage(body); err != nil {
				return &attemptResult{kind: selector.ErrLocal, err: err}
			}
		}
	}
	tr, err := r.g.upstreamTransport(p.ProxyURL)
	if err != nil {
		return &attemptResult{kind: selector.ErrLocal, err: err}
	}
	// The upstream call lives in its own context: derived from the client's, so a disconnect
	// cancels it, and cancelled by our timers for the first-byte, total and idle timeouts.
	call := &upstreamCall{limit: r.timeout(p)}
	call.ctx, call.cancel = context.WithCancel(ctx)
	call.timer = time.AfterFunc(call.limit, call.timeout)
	req, err := http.NewRequestWithContext(call.ctx, http.MethodPost,
		upstreamURL(p.URL, r.ep.Path, string(c.Request.QueryString())), bytes.NewReader(body))
	if err != nil {
		call.end()
		return &attemptResult{kind: selector.ErrLocal, err: err}
	}
	copyRequestHeaders(req.Header, &c.Request.Header, p)
	resp, err := tr.RoundTrip(req)
	if err != nil {
		call.end()
		return &attemptResult{kind: call.kind(ctx, err), err: call.describe(err)}
	}
	status := resp.StatusCode
	if status < 200 || status >= 300 {
		b, _ := readAllLimit(resp.Body, maxErrorBody)
		resp.Body.Close()
		call.end()
		return &attemptResult{status: status, header: resp.Header, body: b}
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		return r.commitStream(ctx, c, p, resp, call, entry, ticket)
	}
	return r.readJSON(ctx, resp, call)
}

// upstreamCall is the lifetime of one upstream request.
type upstreamCall struct {
	ctx      context.Context
	cancel   context.CancelFunc
	timer    *time.Timer // first-byte (streams) or total (JSON) deadline
	timedOut atomic.Bool
	limit    time.Duration
}

func (u *upstreamCall) timeout() {
	u.timedOut.Store(true)
	u.cancel()
}

// end stops the timer and releases the context (closing the connection if still in use).
func (u *upstreamCall) end() {
	u.timer.Stop()
	u.cancel()
}

// describe names our own timeout instead of the bare "context canceled" it causes.
func (u *upstreamCall) describe(err error) error {
	if u.timedOut.Load() {
		return fmt.Errorf("upstream timeout (%s): %w", u.limit, err)
	}
	return err
}

// kind classifies how the call failed: our timer, the client leaving, or the upstream.
func (u *upstreamCall) kind(clientCtx context.Context, err error) selector.ErrKind {
	switch {
	case u.timedOut.Load():
		return selector.ErrTimeout
	case clientCtx.Err() != nil:
		return selector.ErrClientAbort
	}
	k := selector.KindOf(err)
	if k == selector.ErrUpstream && strings.Contains(err.Error(), "dial") {
		return selector.ErrConnect
	}
	return k
}

// timeout is the wait for the first byte (streams) or the whole answer (JSON).
func (r *relay) timeout(p *catalog.Provider) time.Duration {
	if r.stream && p.FirstByteTimeout > 0 {
		return p.FirstByteTimeout
	}
	if !r.stream && p.RequestTimeout > 0 {
		return p.RequestTimeout
	}
	return r.g.cfg.DefaultRequestTimeout
}

// readJSON reads a non-streaming answer in full (bounded by the call's deadline) and parses
// its usage.
func (r *relay) readJSON(ctx context.Context, resp *http.Response, call *upstreamCall) *attemptResult {
	b, err := readAllLimit(resp.Body, maxJSONBody)
	resp.Body.Close()
	call.end()
	if err != nil {
		return &attemptResult{kind: call.kind(ctx, err), err: call.describe(err)}
	}
	res := &attemptResult{status: resp.StatusCode, header: resp.Header, body: b}
	if r.ep.Billed {
		res.usage, _ = usage.FromJSON(r.ep.Format, b)
	}
	return res
}

func readAllLimit(r io.Reader, limit int64) ([]byte, error) {
	if r == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return b, err
	}
	if int64(len(b)) > limit {
		return b[:limit], errors.New("upstream body too large")
	}
	return b, nil
}
