package gateway

import (
	"context"
	"io"
	"sync/atomic"
	"time"

	"github.com/cloudwego/hertz/pkg/app"
	"github.com/cloudwego/hertz/pkg/protocol"

	"github.com/cchub/cchub/pkg/gateway/catalog"
	"github.com/cchub/cchub/pkg/gateway/selector"
	"github.com/cchub/cchub/pkg/gateway/sse"
	"github.com/cchub/cchub/pkg/gateway/usage"
)

var ctxBackground = context.Background()

// firstChunkSize is the buffer for the first upstream read, which happens before the response
// is committed so a provider that fails before its first byte can still be failed over.
const firstChunkSize = 4096

// commitStream waits for the first bytes of an SSE answer, then commits the response: status,
// headers and a body stream that relays the rest as it arrives.
func (r *relay) commitStream(ctx context.Context, c *app.RequestContext, p *catalog.Provider, resp *protocol.Response,
	entry *chainEntry, ticket selector.Ticket, deadline time.Time) *attemptResult {
	upstream := resp.BodyStream()
	var timedOut atomic.Bool
	t := time.AfterFunc(time.Until(deadline), func() {
		timedOut.Store(true)
		forceClose(resp)
	})
	stop := context.AfterFunc(ctx, func() { forceClose(resp) })
	first := make([]byte, firstChunkSize)
	n, rerr := upstream.Read(first)
	t.Stop()
	stop()
	if n == 0 {
		closeUpstream(resp, true)
		protocol.ReleaseResponse(resp)
		kind := selector.ErrUpstream
		switch {
		case ctx.Err() != nil:
			kind = selector.ErrClientAbort
		case timedOut.Load():
			kind = selector.ErrTimeout
		}
		if rerr == nil || rerr == io.EOF {
			rerr = io.ErrUnexpectedEOF
		}
		return &attemptResult{kind: kind, err: rerr}
	}

	entry.Reason = reasonRequestSuccess
	if len(r.chain) > 0 {
		entry.Reason = reasonRetrySuccess
	}
	entry.DurationMs = r.g.cfg.Now().Sub(entry.StartedAt).Milliseconds()
	r.chain = append(r.chain, *entry)

	s := &streamBody{
		r: r, p: p, ticket: ticket, resp: resp, status: resp.StatusCode(),
		ttfb: r.g.cfg.Now().Sub(r.start),
		src:  sourceReader{pre: first[:n], preErr: rerr, upstream: upstream},
	}
	if r.ep.Billed {
		s.parser = usage.NewStream(r.ep.Format)
		s.tap.Reset(&s.src, s.parser)
	} else {
		s.tap.Reset(&s.src, nil)
	}
	if p.StreamIdleTimeout > 0 {
		s.src.idle = p.StreamIdleTimeout
		s.src.timer = time.AfterFunc(p.StreamIdleTimeout, s.onIdle)
	}
	// The handler's context ends when the client disconnects (the server senses it), which
	// must stop the upstream at once even while a Read is blocked waiting for it.
	s.stopAbort = context.AfterFunc(ctx, s.onAbort)
	r.g.streams.Add(1)
	r.g.cfg.Metrics.OpenStreams.Inc()

	c.SetStatusCode(s.status)
	copyResponseHeaders(&c.Response.Header, &resp.Header)
	c.Response.Header.Set("X-Cchub-Request-Id", r.requestID)
	c.Response.Header.Set("X-Accel-Buffering", "no")
	c.Response.SetBodyStream(s, -1)
	return &attemptResult{committed: true, status: s.status}
}

// sourceReader yields the first chunk read before commit, then the upstream, restarting the
// idle timer on each read.
type sourceReader struct {
	pre      []byte
	preErr   error
	upstream io.Reader
	idle     time.Duration
	timer    *time.Timer
}

func (s *sourceReader) Read(p []byte) (int, error) {
	if len(s.pre) > 0 {
		n := copy(p, s.pre)
		s.pre = s.pre[n:]
		if len(s.pre) == 0 && s.preErr != nil {
			return n, s.preErr
		}
		return n, nil
	}
	if s.preErr != nil {
		return 0, s.preErr
	}
	if s.timer != nil {
		s.timer.Reset(s.idle)
	}
	return s.upstream.Read(p)
}

// streamBody is the response body hertz writes to the client. hertz reads it chunk by chunk,
// flushing each, and calls Close when the stream ends or the client is gone; Close settles
// the attempt: circuit breaker, session binding and the billing record.
type streamBody struct {
	r      *relay
	p      *catalog.Provider
	ticket selector.Ticket
	resp   *protocol.Response
	status int
	ttfb   time.Duration

	src       sourceReader
	tap       sse.Tap
	parser    *usage.Stream
	stopAbort func() bool
	idleFired atomic.Bool
	aborted   atomic.Bool
	closed    bool
}

func (s *streamBody) Read(p []byte) (int, error) { return s.tap.Read(p) }

func (s *streamBody) onIdle() {
	s.idleFired.Store(true)
	forceClose(s.resp)
}

func (s *streamBody) onAbort() {
	s.aborted.Store(true)
	forceClose(s.resp)
}

func (s *streamBody) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	s.stopAbort()
	if s.src.timer != nil {
		s.src.timer.Stop()
	}
	complete := s.tap.EOF()
	_ = s.tap.Close()
	closeUpstream(s.resp, !complete)
	protocol.ReleaseResponse(s.resp)

	r, g := s.r, s.r.g
	g.streams.Add(-1)
	g.cfg.Metrics.OpenStreams.Dec()
	last := &r.chain[len(r.chain)-1]
	var errMsg string
	switch {
	case complete:
		g.cfg.Breakers.Report(s.ticket, true)
		if r.sessionID != "" {
			g.cfg.Sessions.Bind(ctxBackground, r.sessionID, s.p.ID)
		}
	case s.idleFired.Load():
		errMsg = "stream idle timeout"
		last.Reason = reasonSystemError
		g.cfg.Breakers.Report(s.ticket, false)
	case s.aborted.Load():
		errMsg = "client disconnected during the stream"
		last.Reason = reasonClientAbort
		g.cfg.Breakers.Release(s.ticket)
	default:
		// The write to the client failed (it left) or the upstream broke mid-stream; hertz
		// does not say which, and neither is worth a circuit failure on its own.
		errMsg = "stream ended before completion"
		last.Reason = reasonClientAbort
		g.cfg.Breakers.Release(s.ticket)
	}
	last.Error = errMsg
	rec := r.record(s.p, s.status)
	rec.TTFBMs = s.ttfb.Milliseconds()
	rec.ErrorMessage = errMsg
	if s.parser != nil {
		// Whatever was streamed is billed, even when the client left early.
		rec.Usage = s.parser.Usage()
	}
	r.submit(&rec, s.p)
	return nil
}
