package gateway

import (
	"github.com/bytedance/sonic"

	"github.com/cchub/cchub/pkg/billing"
	"github.com/cchub/cchub/pkg/gateway/catalog"
)

// Hold estimate: what a request may cost, reserved against its spend windows while it is in
// flight so that concurrent requests cannot overrun a budget together (reference G2). It is an
// upper-bound estimate, not a price: input is the body at 3 bytes per token (JSON, English and
// code run at 3.5–4.5), output is the request's own output cap, or defaultHoldOutputTokens when
// it sets none.
const (
	holdBytesPerToken       = 3
	defaultHoldOutputTokens = 4096
)

// holdEstimate is the reservation for this request on provider p (nil: before one is chosen).
// A model without a price reserves nothing: its cost is unknown until it is priced.
func (r *relay) holdEstimate(body []byte, p *catalog.Provider) int64 {
	table := r.g.prices.Load()
	price, ok := table.Lookup(r.model)
	if !ok && p != nil {
		if to := p.ModelRedirects[r.model]; to != "" {
			price, ok = table.Lookup(to)
		}
	}
	if !ok {
		return 0
	}
	mult := 1.0
	if p != nil && p.CostMultiplier > 0 {
		mult = p.CostMultiplier
	}
	u := billing.Usage{InputTokens: int64(len(body) / holdBytesPerToken), OutputTokens: maxOutputTokens(body)}
	return billing.Cost(u, price, mult)
}

// maxOutputTokens reads the output cap of any inbound format: max_tokens (Messages, Chat),
// max_output_tokens (Responses), max_completion_tokens (Chat, newer models).
func maxOutputTokens(body []byte) int64 {
	for _, f := range [...]string{"max_tokens", "max_output_tokens", "max_completion_tokens"} {
		if n, err := sonic.Get(body, f); err == nil {
			if v, err := n.Int64(); err == nil && v > 0 {
				return v
			}
		}
	}
	return defaultHoldOutputTokens
}
