package gateway

import (
	"context"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cloudwego/hertz/pkg/app"

	"github.com/cchub/cchub/pkg/gateway/catalog"
	"github.com/cchub/cchub/pkg/gateway/selector"
	"github.com/cchub/cchub/pkg/gateway/sse"
	"github.com/cchub/cchub/pkg/gateway/usage"
)

var ctxBackground = context.Background()

// firstChunkSize is the buffer for the first upstream read, which happens before the response
// is committed so a provider that fails before its first byte can still be failed over.
const firstChunkSize = 4096

// commitStream waits for the first bytes of an SSE answer (still under the first-byte
// deadline), then commits the response: status, headers and a body stream that relays the rest
// as it arrives.
func (r *relay) commitStream(ctx context.Context, c *app.RequestContext, p *catalog.Provider, resp *http.Response,
	call *upstreamCall, entry *chainEntry, ticket selector.Ticket) *attemptResult {
	buf := firstChunks.Get().(*[firstChunkSize]byte)
	first := buf[:]
	n, rerr := resp.Body.Read(first)
	call.timer.Stop()
	if n == 0 {
		firstChunks.Put(buf)
		resp.Body.Close()
		call.end()
		if rerr == nil || rerr == io.EOF {
			rerr = io.ErrUnexpectedEOF
		}
		return &attemptResult{kind: call.kind(ctx, rerr), err: call.describe(rerr)}
	}

	entry.Reason = reasonRequestSuccess
	if len(r.chain) > 0 {
		entry.Reason = reasonRetrySuccess
	}
	entry.DurationMs = r.g.cfg.Now().Sub(entry.StartedAt).Milliseconds()
	r.chain = append(r.chain, *entry)

	s := &streamBody{
		r: r, p: p, ticket: ticket, resp: resp, call: call, clientCtx: ctx,
		ttfb: r.g.cfg.Now().Sub(r.start),
		src:  sourceReader{pre: first[:n], preErr: rerr, upstream: resp.Body},
		buf:  buf,
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
	r.g.streams.Add(1)
	r.g.cfg.Metrics.OpenStreams.Inc()

	c.SetStatusCode(resp.StatusCode)
	copyResponseHeaders(&c.Response.Header, resp.Header)
	c.Response.Header.Set("X-Cchub-Request-Id", r.requestID)
	c.Response.Header.Set("X-Accel-Buffering", "no")
	c.Response.SetBodyStream(s, -1)
	return &attemptResult{committed: true, status: resp.StatusCode}
}

// firstChunks recycles the first-read buffers; a stream returns its buffer when it closes.
var firstChunks = sync.Pool{New: func() any { return new([firstChunkSize]byte) }}

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
// the attempt: circuit breaker, session binding and the billing record. The upstream call's
// context derives from the client's (the server cancels it on hang-up), so a disconnect stops
// the upstream at once even while a Read is blocked on it.
type streamBody struct {
	r         *relay
	p         *catalog.Provider
	ticket    selector.Ticket
	resp      *http.Response
	call      *upstreamCall
	clientCtx context.Context
	ttfb      time.Duration

	src       sourceReader
	tap       sse.Tap
	parser    *usage.Stream
	idleFired atomic.Bool
	closed    bool
	buf       *[firstChunkSize]byte // the first chunk's buffer, back to the pool on Close
}

func (s *streamBody) Read(p []byte) (int, error) { return s.tap.Read(p) }

func (s *streamBody) onIdle() {
	s.idleFired.Store(true)
	s.call.cancel()
}

func (s *streamBody) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	if s.src.timer != nil {
		s.src.timer.Stop()
	}
	complete := s.tap.EOF()
	_ = s.tap.Close()
	if !complete {
		s.call.cancel() // drop the connection rather than read what nobody will receive
	}
	s.resp.Body.Close()
	s.call.end()
	s.src.pre = nil
	firstChunks.Put(s.buf)

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
	case s.clientCtx.Err() != nil:
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
	rec := r.record(s.p, s.resp.StatusCode)
	rec.TTFBMs = s.ttfb.Milliseconds()
	rec.ErrorMessage = errMsg
	if s.parser != nil {
		// Whatever was streamed is billed, even when the client left early.
		rec.Usage = s.parser.Usage()
	}
	r.submit(&rec, s.p)
	return nil
}
