package gateway

import (
	"strconv"
	"time"

	"github.com/cchub/cchub/pkg/money"
	"github.com/cchub/cchub/pkg/quota"
)

// heldRetryAfter is the Retry-After of a request refused because requests in flight hold the
// remaining budget: they finish within seconds, after which it may pass.
const heldRetryAfter = 2

// quotaError renders a limiter rejection as Claude Code Hub does (reference §4.6): 402 for an
// exhausted spend window, 429 for RPM and concurrent sessions, an error object naming
// limit_type, current, limit and reset_time (money as decimal USD strings), and the
// X-RateLimit-* headers, with X-RateLimit-Reset and Retry-After only where the window has a
// known reset.
func quotaError(rej *quota.Rejection, now time.Time) *Error {
	var current, limit any = rej.Current, rej.Limit
	remaining := strconv.FormatInt(max(rej.Limit-rej.Current, 0), 10)
	limitHeader := strconv.FormatInt(rej.Limit, 10)
	if rej.Money() {
		current, limit = money.Format(rej.Current), money.Format(rej.Limit)
		remaining = money.Format(max(rej.Limit-rej.Current, 0))
		limitHeader = money.Format(rej.Limit)
	}
	var reset any
	if !rej.Reset.IsZero() {
		reset = rej.Reset.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	e := &Error{
		Status:  rej.Status(),
		Code:    "rate_limit_exceeded",
		Message: rej.Message(),
		Extra: map[string]any{
			// The reference answers every limit with type rate_limit_error, 402 included.
			"type":       "rate_limit_error",
			"limit_type": rej.Type,
			"scope":      rej.Scope.String(),
			"current":    current,
			"limit":      limit,
			"reset_time": reset,
		},
		Headers: [][2]string{{"X-RateLimit-Limit", limitHeader}, {"X-RateLimit-Remaining", remaining}},
	}
	switch {
	case !rej.Reset.IsZero() && !rej.Reset.Equal(quota.TotalReset):
		secs := int(rej.Reset.Sub(now).Seconds() + 0.999)
		e.Headers = append(e.Headers, [2]string{"X-RateLimit-Reset", strconv.FormatInt(rej.Reset.Unix(), 10)},
			retryAfter(max(secs, 1)))
		if rej.Held() {
			e.Headers[len(e.Headers)-1] = retryAfter(heldRetryAfter)
		}
	case rej.Held():
		e.Headers = append(e.Headers, retryAfter(heldRetryAfter))
	}
	return e
}
