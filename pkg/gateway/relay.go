package gateway

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/cloudwego/hertz/pkg/app"

	"github.com/cchub/cchub/pkg/billing"
	"github.com/cchub/cchub/pkg/gateway/catalog"
	"github.com/cchub/cchub/pkg/gateway/selector"
	"github.com/cchub/cchub/pkg/gateway/session"
	"github.com/cchub/cchub/pkg/quota"
)

// relay is the state of one client request, from authentication to its billing record. It
// holds value copies only, so it can outlive the handler while a stream is relayed.
type relay struct {
	g         *Gateway
	ep        endpoint
	requestID string
	start     time.Time
	key       *catalog.Key
	user      *catalog.User
	model     string // as requested by the client
	stream    bool
	sessionID string
	userAgent string
	clientIP  string
	chain     []chainEntry
	quota     *quota.Ticket // the request's standing with the limiter (quota.go); nil when limits are off
}

// newRequestID returns a time-ordered id (UUIDv7 layout: 48-bit Unix milliseconds, then 80
// random bits) in hex. Ordered ids land at the end of the request_id indexes instead of on a
// random page each, which halves the log writer's disk work; the random part keeps them unique.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[6:])
	ms := uint64(time.Now().UnixMilli())
	b[0], b[1], b[2], b[3], b[4], b[5] = byte(ms>>40), byte(ms>>32), byte(ms>>24), byte(ms>>16), byte(ms>>8), byte(ms)
	b[6] = b[6]&0x0f | 0x70 // version 7
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return hex.EncodeToString(b[:])
}

// handler serves one proxy endpoint.
func (g *Gateway) handler(ep endpoint) app.HandlerFunc {
	return func(ctx context.Context, c *app.RequestContext) {
		r := &relay{
			g:         g,
			ep:        ep,
			requestID: newRequestID(),
			start:     g.cfg.Now(),
			userAgent: string(c.Request.Header.UserAgent()),
			clientIP:  c.ClientIP(),
		}
		c.Response.Header.Set("X-Cchub-Request-Id", r.requestID)
		if e := r.admit(ctx, c); e != nil {
			r.fail(c, e, "")
			return
		}
		r.run(ctx, c)
	}
}

// admit authenticates the request and reads the body fields routing needs.
func (r *relay) admit(ctx context.Context, c *app.RequestContext) *Error {
	raw, e := clientKey(c)
	if e != nil {
		return e
	}
	k, u := r.g.resolveKey(ctx, catalog.HashKey(raw))
	if e := checkKey(k, u, r.start); e != nil {
		return e
	}
	r.key, r.user = k, u
	body := c.Request.Body()
	facts, err := readFacts(body)
	if err != nil || !startsWithObject(body) {
		return &Error{Status: 400, Code: "invalid_request", Message: "request body must be a JSON object"}
	}
	r.model, r.stream = facts.Model, facts.Stream
	if !selector.ModelAllowed(u.AllowedModels, r.model) {
		return &Error{Status: 400, Code: "model_not_allowed", Message: "model " + quote(r.model) + " is not allowed for this user"}
	}
	r.sessionID = session.ExtractID(r.ep.Format, &c.Request.Header, body)
	return nil
}

// run is the attempt loop: pick a provider, try it up to its MaxAttempts, fail over to the next
// one while nothing has reached the client.
func (r *relay) run(ctx context.Context, c *app.RequestContext) {
	g := r.g
	snap := g.snap.Load()
	in := selector.Input{
		Providers: snap.Providers(),
		Group:     selector.EffectiveGroup(r.key, r.user),
		Format:    r.ep.Format,
		Model:     r.model,
		Health:    g.cfg.Breakers,
		Eligible:  r.quotaEligible(),
	}
	var last *attemptResult
	for switches := 0; switches < g.cfg.MaxSwitches; switches++ {
		in.Now = g.cfg.Now()
		p, selection, sel := r.pick(ctx, in, switches == 0)
		if p == nil {
			break
		}
		switch r.acquireQuota(ctx, c, p, selection) {
		case quotaRejected:
			return
		case quotaSkip:
			in.Exclude = append(in.Exclude, p.ID)
			continue
		}
		attempts := p.MaxAttempts
		if attempts < 1 || r.ep.Passthrough {
			attempts = 1
		}
		var failed bool
		for attempt := 1; attempt <= attempts; attempt++ {
			if attempt > 1 {
				selection = reasonRetry
				if !sleepCtx(ctx, g.cfg.RetryDelay) {
					r.finishAbort(c, p)
					return
				}
			}
			ticket, ok := g.cfg.Breakers.Allow(p)
			if !ok {
				r.chain = append(r.chain, chainEntry{ProviderID: p.ID, ProviderName: p.Name, ProviderType: string(p.Type),
					Selection: selection, Reason: reasonCircuitOpen, Attempt: attempt, StartedAt: g.cfg.Now()})
				failed = true
				break
			}
			entry := chainEntry{ProviderID: p.ID, ProviderName: p.Name, ProviderType: string(p.Type),
				Selection: selection, Attempt: attempt, StartedAt: g.cfg.Now(), Priority: p.Priority, Weight: p.Weight}
			if attempt == 1 {
				entry.Candidates = sel.Candidates
				entry.Filtered = sel.filtered
			}
			res := r.attempt(ctx, c, p, &entry, ticket)
			entry.DurationMs = g.cfg.Now().Sub(entry.StartedAt).Milliseconds()
			g.cfg.Metrics.Attempts.WithLabelValues(p.Name, res.outcome()).Inc()
			if res.committed {
				// A stream is now owned by its body reader, which settles the ticket and the
				// record when it closes.
				return
			}
			d := selector.Classify(res.status, res.kind, false)
			switch {
			case res.ok():
				entry.Reason = reasonRequestSuccess
				if len(r.chain) > 0 {
					entry.Reason = reasonRetrySuccess
				}
				r.chain = append(r.chain, entry)
				g.cfg.Breakers.Report(ticket, true)
				r.finishJSON(c, p, res)
				return
			case res.kind == selector.ErrClientAbort:
				entry.Reason, entry.Error = reasonClientAbort, res.errText()
				r.chain = append(r.chain, entry)
				g.cfg.Breakers.Release(ticket)
				r.finishAbort(c, p)
				return
			case !d.Retry:
				// The upstream answered with a client error: another provider would say the
				// same, so the client gets it as is.
				entry.Reason, entry.StatusCode, entry.Error = reasonClientError, res.status, res.errText()
				r.chain = append(r.chain, entry)
				if res.kind == selector.ErrLocal {
					g.cfg.Breakers.Release(ticket)
				} else {
					g.cfg.Breakers.Report(ticket, true)
				}
				r.finishUpstreamError(c, p, res)
				return
			}
			entry.Reason, entry.StatusCode, entry.Error = reasonRetryFailed, res.status, res.errText()
			r.chain = append(r.chain, entry)
			last = res
			lastAttempt := attempt == attempts || d.SwitchProvider
			if r.ep.Passthrough {
				g.cfg.Breakers.Release(ticket)
			} else if lastAttempt {
				// One failure per provider per request, not per attempt: a single flaky
				// request must not open the circuit by itself.
				g.cfg.Breakers.Report(ticket, false)
			} else {
				g.cfg.Breakers.Release(ticket)
			}
			if lastAttempt {
				failed = true
				break
			}
		}
		if failed {
			in.Exclude = append(in.Exclude, p.ID)
		}
	}
	if last != nil {
		r.finishUpstreamError(c, nil, last)
		return
	}
	// No provider: a key or user limit, when one is reached, is the better answer.
	if r.acquireQuota(ctx, c, nil, "") == quotaRejected {
		return
	}
	r.fail(c, &Error{Status: 503, Code: "no_available_providers",
		Message: "no available provider for model " + quote(r.model)}, "")
}

// selection carries what the decision chain records about a pick.
type selection struct {
	Candidates int
	filtered   []filtered
}

// pick chooses the provider for the next attempt: the session's bound provider on the first
// pick when it is still eligible, otherwise a fresh weighted selection.
func (r *relay) pick(ctx context.Context, in selector.Input, first bool) (*catalog.Provider, string, selection) {
	if first && r.sessionID != "" && !r.ep.Passthrough {
		if id, ok := r.g.cfg.Sessions.Get(ctx, r.sessionID); ok {
			if p, _ := selector.Reuse(in, id); p != nil {
				return p, reasonSessionReuse, selection{}
			}
		}
	}
	res := selector.Select(in, nil)
	sel := selection{Candidates: res.Candidates}
	for _, f := range res.Filtered {
		if f.Reason != selector.ReasonGroup && f.Reason != selector.ReasonFormat {
			sel.filtered = append(sel.filtered, filtered{ID: f.ID, Name: f.Name, Reason: f.Reason})
		}
	}
	return res.Provider, reasonInitial, sel
}

// fail answers with a hub error and records the request.
func (r *relay) fail(c *app.RequestContext, e *Error, blockedBy string) {
	writeError(c, r.ep.Format, e, r.requestID)
	rec := r.record(nil, e.Status)
	rec.ErrorMessage = e.Message
	rec.BlockedBy = blockedBy
	r.submit(&rec, nil)
}

// record builds the billing record for the request's current state.
func (r *relay) record(p *catalog.Provider, status int) billing.Record {
	now := r.g.cfg.Now()
	rec := billing.Record{
		RequestID:      r.requestID,
		CreatedAt:      r.start,
		Model:          r.model,
		OriginalModel:  r.model,
		Endpoint:       r.ep.Path,
		IsStream:       r.stream,
		StatusCode:     status,
		DurationMs:     now.Sub(r.start).Milliseconds(),
		TTFBMs:         -1,
		SessionID:      r.sessionID,
		ProviderChain:  encodeChain(r.chain),
		UserAgent:      r.userAgent,
		ClientIP:       r.clientIP,
		CostMultiplier: 1,
		Ledger:         r.ep.Billed,
	}
	if r.key != nil {
		rec.KeyID, rec.UserID = r.key.ID, r.key.UserID
	}
	if p != nil {
		rec.ProviderID = p.ID
		rec.CostMultiplier = p.CostMultiplier
		if to := p.ModelRedirects[r.model]; to != "" {
			rec.Model = to
		}
	}
	return rec
}

// submit prices the record's usage and hands it to the log writer.
func (r *relay) submit(rec *billing.Record, p *catalog.Provider) {
	if r.ep.Billed && !rec.Usage.IsZero() {
		price, ok := r.g.prices.Load().Lookup(rec.OriginalModel)
		if !ok && rec.Model != rec.OriginalModel {
			price, ok = r.g.prices.Load().Lookup(rec.Model)
		}
		if ok {
			rec.CostNano = billing.Cost(rec.Usage, price, rec.CostMultiplier)
		} else {
			rec.PriceMissing = true
		}
	}
	r.settleQuota(rec)
	m := r.g.cfg.Metrics
	provider := ""
	if p != nil {
		provider = p.Name
	}
	m.Requests.WithLabelValues(r.ep.Path, provider, statusLabel(rec.StatusCode)).Inc()
	m.Duration.WithLabelValues(r.ep.Path).Observe(float64(rec.DurationMs) / 1000)
	if rec.TTFBMs >= 0 {
		m.TTFB.WithLabelValues(r.ep.Path).Observe(float64(rec.TTFBMs) / 1000)
	}
	if r.g.cfg.Sink != nil {
		// A full queue drops the record; the writer counts drops (cchub_log_writer_dropped_total).
		r.g.cfg.Sink.Submit(*rec)
	}
	r.logLine(rec)
}

// logLine writes the one structured line per request. Successful requests log at debug level:
// every request already has its row in the request log, and a stderr line per request was a
// tenth of the hub's CPU per request in the bench. Failures log at info (4xx) or warn (5xx,
// client gone). Keys and bodies are never logged.
func (r *relay) logLine(rec *billing.Record) {
	level := slog.LevelDebug
	switch {
	case rec.StatusCode >= 500 || rec.StatusCode == statusClientClosed || rec.ErrorMessage != "":
		level = slog.LevelWarn
	case rec.StatusCode >= 400:
		level = slog.LevelInfo
	}
	log := r.g.cfg.Log
	if !log.Enabled(ctxBackground, level) {
		return
	}
	log.LogAttrs(ctxBackground, level, "request",
		slog.String("request_id", rec.RequestID),
		slog.String("endpoint", rec.Endpoint),
		slog.Int("status", rec.StatusCode),
		slog.Int("user_id", rec.UserID),
		slog.Int("key_id", rec.KeyID),
		slog.Int("provider_id", rec.ProviderID),
		slog.String("model", rec.Model),
		slog.Bool("stream", rec.IsStream),
		slog.Int64("duration_ms", rec.DurationMs),
		slog.Int64("ttfb_ms", rec.TTFBMs),
		slog.Int64("input_tokens", rec.Usage.InputTokens),
		slog.Int64("output_tokens", rec.Usage.OutputTokens),
		slog.Int64("cost_nano", rec.CostNano),
		slog.Int("attempts", len(r.chain)),
		slog.String("error", rec.ErrorMessage),
	)
}

// sleepCtx waits d or until ctx ends; it reports whether the wait completed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
