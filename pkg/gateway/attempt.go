package gateway

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cloudwego/hertz/pkg/app"
	"github.com/cloudwego/hertz/pkg/common/config"
	"github.com/cloudwego/hertz/pkg/protocol"

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
	resp      *protocol.Response // headers of an upstream answer; released by the finisher
	body      []byte             // JSON or error body read in full
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
	cli, err := r.g.upstreamClient(p.ProxyURL)
	if err != nil {
		return &attemptResult{kind: selector.ErrLocal, err: err}
	}
	req := protocol.AcquireRequest()
	defer protocol.ReleaseRequest(req)
	req.Header.SetMethod("POST")
	req.SetRequestURI(upstreamURL(p.URL, r.ep.Path, string(c.Request.QueryString())))
	copyRequestHeaders(&req.Header, &c.Request.Header, p)
	req.SetBodyRaw(body)
	deadline := r.g.cfg.Now().Add(r.timeout(p))
	// The request timeout bounds the wait for response headers (the first byte of a stream).
	req.SetOptions(config.WithRequestTimeout(time.Until(deadline)))

	resp := protocol.AcquireResponse()
	if err := cli.Do(ctx, req, resp); err != nil {
		protocol.ReleaseResponse(resp)
		return &attemptResult{kind: attemptKind(ctx, err), err: err}
	}
	status := resp.StatusCode()
	if status < 200 || status >= 300 {
		b, _ := readAllLimit(resp.BodyStream(), maxErrorBody)
		closeUpstream(resp, false)
		return &attemptResult{status: status, resp: resp, body: b}
	}
	if bytes.HasPrefix(resp.Header.ContentType(), []byte("text/event-stream")) {
		return r.commitStream(ctx, c, p, resp, entry, ticket, deadline)
	}
	return r.readJSON(ctx, p, resp, deadline)
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

// readJSON reads a non-streaming answer in full (bounded by the request deadline) and parses
// its usage.
func (r *relay) readJSON(ctx context.Context, p *catalog.Provider, resp *protocol.Response, deadline time.Time) *attemptResult {
	var timedOut atomic.Bool
	t := time.AfterFunc(time.Until(deadline), func() {
		timedOut.Store(true)
		forceClose(resp)
	})
	stop := context.AfterFunc(ctx, func() { forceClose(resp) })
	b, err := readAllLimit(resp.BodyStream(), maxJSONBody)
	t.Stop()
	stop()
	if err != nil {
		closeUpstream(resp, true)
		protocol.ReleaseResponse(resp)
		kind := selector.ErrUpstream
		switch {
		case ctx.Err() != nil:
			kind = selector.ErrClientAbort
		case timedOut.Load():
			kind = selector.ErrTimeout
		}
		return &attemptResult{kind: kind, err: err}
	}
	res := &attemptResult{status: resp.StatusCode(), resp: resp, body: b}
	if r.ep.Billed {
		res.usage, _ = usage.FromJSON(r.ep.Format, b)
	}
	return res
}

// attemptKind classifies an error from the upstream client. Cancellation of the handler's
// context means the client left.
func attemptKind(ctx context.Context, err error) selector.ErrKind {
	if ctx.Err() != nil {
		return selector.ErrClientAbort
	}
	k := selector.KindOf(err)
	if k == selector.ErrUpstream {
		msg := err.Error()
		switch {
		case strings.Contains(msg, "timeout"):
			return selector.ErrTimeout
		case strings.Contains(msg, "dial"), strings.Contains(msg, "connection"):
			return selector.ErrConnect
		}
	}
	return k
}

// forceClose closes the upstream connection at once. A hertz body stream's plain Close reads
// the rest of the response first, which on an abandoned stream would keep the upstream (and
// its bill) running.
func forceClose(resp *protocol.Response) {
	if fc, ok := resp.BodyStream().(interface{ ForceClose() error }); ok {
		_ = fc.ForceClose()
	}
}

// closeUpstream ends the body stream; force when the rest must not be read.
func closeUpstream(resp *protocol.Response, force bool) {
	if force {
		forceClose(resp)
	}
	_ = resp.CloseBodyStream()
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
