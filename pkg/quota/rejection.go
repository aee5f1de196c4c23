package quota

import (
	"strconv"
	"time"

	"github.com/cchub/cchub/pkg/money"
)

// limit_type values, as Claude Code Hub names them in rejections.
const (
	LimitRPM      = "rpm"
	LimitSessions = "concurrent_sessions"
	LimitUSD5h    = "usd_5h"
	LimitDaily    = "daily_quota"
	LimitWeekly   = "usd_weekly"
	LimitMonthly  = "usd_monthly"
	LimitTotal    = "usd_total"
)

// TotalReset is the reset_time the reference reports for total limits, which never reset.
var TotalReset = time.Date(9999, 12, 31, 23, 59, 59, 999_000_000, time.UTC)

// Rejection says which limit refused a request.
type Rejection struct {
	// Type is the limit_type (LimitRPM, LimitSessions, LimitUSD5h, …).
	Type  string
	Scope Kind
	// ID is the entity's id.
	ID int
	// Current and Limit are nano-USD for spend limits, counts for RPM and sessions.
	Current, Limit int64
	// Reserved is the budget held by requests in flight. A spend rejection with
	// Current < Limit was refused because of it and may succeed once they settle.
	Reserved int64
	// Reset is when the window next resets; zero when it has no known reset.
	Reset time.Time
	// Provider is true when the refusal is the provider's (select another one).
	Provider bool
}

// Money reports whether the limit is a USD spend window.
func (r *Rejection) Money() bool { return r.Type != LimitRPM && r.Type != LimitSessions }

// Held reports whether spend alone is under the limit and reservations of requests in flight
// made the difference: the request may pass once they settle, so it is a 429, not a 402.
func (r *Rejection) Held() bool { return r.Money() && r.Current < r.Limit }

// Status is the HTTP status of the rejection: 402 for an exhausted spend window, 429 for RPM,
// concurrent sessions and budget held by requests in flight.
func (r *Rejection) Status() int {
	if r.Money() && !r.Held() {
		return 402
	}
	return 429
}

// Reason is the rejection in the decision chain and selection filters ("usd_5h_limit", …).
func (r *Rejection) Reason() string { return r.Type + "_limit" }

// Message is a client-safe sentence describing the rejection.
func (r *Rejection) Message() string {
	var s string
	switch r.Type {
	case LimitRPM:
		s = "request rate limit reached for " + r.Scope.String() + ": " + strconv.FormatInt(r.Current, 10) +
			" of " + strconv.FormatInt(r.Limit, 10) + " requests per minute"
	case LimitSessions:
		s = "concurrent session limit reached for " + r.Scope.String() + ": " + strconv.FormatInt(r.Current, 10) +
			" of " + strconv.FormatInt(r.Limit, 10) + " sessions active"
	default:
		s = windowName(r.Type) + " spend limit reached for " + r.Scope.String() + ": $" + money.Format(r.Current) +
			" of $" + money.Format(r.Limit) + " used"
		if r.Held() {
			s += " or reserved by requests in flight ($" + money.Format(r.Reserved) + "); retry when they finish"
		}
	}
	if !r.Reset.IsZero() && !r.Reset.Equal(TotalReset) {
		s += "; resets at " + r.Reset.UTC().Format(time.RFC3339)
	}
	return s
}

func windowName(t string) string {
	switch t {
	case LimitUSD5h:
		return "5-hour"
	case LimitDaily:
		return "daily"
	case LimitWeekly:
		return "weekly"
	case LimitMonthly:
		return "monthly"
	}
	return "total"
}
