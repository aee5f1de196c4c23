package gateway

import (
	"context"

	"github.com/cloudwego/hertz/pkg/app"

	"github.com/cchub/cchub/pkg/billing"
	"github.com/cchub/cchub/pkg/gateway/catalog"
	"github.com/cchub/cchub/pkg/quota"
)

// Decision-chain reasons for a provider the limiter refused at admission.
const (
	reasonConcurrentLimit = "concurrent_limit_failed"
	reasonSpendLimit      = "spend_limit_exceeded"
)

// blockedByRateLimit is the request log's blocked_by for a request a limit refused.
const blockedByRateLimit = "rate_limit"

// Quotas apply to relayed requests; the raw passthrough (count_tokens) is never billed and,
// as in the reference, never limited.
func (r *relay) limited() bool { return r.g.cfg.Limiter != nil && !r.ep.Passthrough }

// quotaEligible is the selection filter for provider spend and concurrency limits (nil when
// limits are off).
func (r *relay) quotaEligible() func(p *catalog.Provider) (bool, string) {
	if !r.limited() {
		return nil
	}
	lim, sid := r.g.cfg.Limiter, r.sessionID
	return func(p *catalog.Provider) (bool, string) { return lim.ProviderAvailable(p, sid) }
}

// quotaOutcome is what acquireQuota decided.
type quotaOutcome uint8

const (
	quotaOK       quotaOutcome = iota
	quotaSkip                  // the provider is over a limit: select another one
	quotaRejected              // a key or user limit refused the request; the client has its answer
)

// acquireQuota admits the request against its key's and user's limits (the first time) and
// provider p's, atomically, right before the first attempt on p. A provider that refuses is
// recorded in the decision chain and skipped; a key or user that refuses ends the request with
// a 402 or 429. p may be nil when no provider is left, to learn whether a limit, rather than
// the lack of providers, should be reported.
func (r *relay) acquireQuota(ctx context.Context, c *app.RequestContext, p *catalog.Provider, selection string) quotaOutcome {
	if !r.limited() {
		return quotaOK
	}
	if r.quota == nil {
		r.quota = &quota.Ticket{RequestID: r.requestID, Key: r.key, User: r.user, SessionID: r.sessionID,
			Hold: r.holdEstimate(c.Request.Body(), p)}
	}
	rej := r.g.cfg.Limiter.Acquire(ctx, r.quota, p)
	switch {
	case rej == nil:
		return quotaOK
	case rej.Provider:
		reason := reasonSpendLimit
		if rej.Type == quota.LimitSessions {
			reason = reasonConcurrentLimit
		}
		r.chain = append(r.chain, chainEntry{ProviderID: p.ID, ProviderName: p.Name, ProviderType: string(p.Type),
			Selection: selection, Reason: reason, Error: rej.Message(), StartedAt: r.g.cfg.Now(),
			Priority: p.Priority, Weight: p.Weight})
		return quotaSkip
	}
	r.fail(c, quotaError(rej, r.g.cfg.Now()), blockedByRateLimit)
	return quotaRejected
}

// settleQuota books the request's cost in the limiter's windows (Settle is idempotent and
// does not wait for I/O).
func (r *relay) settleQuota(rec *billing.Record) {
	if r.quota != nil {
		r.g.cfg.Limiter.Settle(r.quota, rec.CostNano)
	}
}
