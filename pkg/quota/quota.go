// Package quota enforces the hub's limits: user RPM, USD spend windows (5h, daily, weekly,
// monthly, total) on users, keys and providers, and concurrent sessions, with the semantics of
// Claude Code Hub (reference §4). The window arithmetic is pure (window.go); Local is the
// in-process backend and pkg/quota/redisquota the shared one. Both rebuild their state from
// the usage ledger, so a restart or a Redis flush never resets anyone's spend.
//
// Under concurrency a request reserves its estimated cost (Ticket.Hold) against every window
// while it is in flight; a request is admitted only while spend plus reservations is below the
// limit, so overspend is bounded by the estimate error of the requests in flight rather than by
// their number.
package quota

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/cchub/cchub/pkg/gateway/catalog"
)

// Kind is the kind of entity a limit belongs to.
type Kind uint8

// Entity kinds.
const (
	KindKey Kind = iota + 1
	KindUser
	KindProvider
)

// String names the kind in rejections and Redis keys.
func (k Kind) String() string {
	switch k {
	case KindKey:
		return "key"
	case KindUser:
		return "user"
	case KindProvider:
		return "provider"
	}
	return "unknown"
}

// Entity names one user, key or provider.
type Entity struct {
	Kind Kind
	ID   int
}

// Limiter is what the gateway asks about limits. Implementations: *Local and
// redisquota.Limiter.
type Limiter interface {
	// Acquire checks t against its key's and user's limits in the reference order (the first
	// time only) and against provider p's (when p is not nil), and when everything passes,
	// tracks the request atomically: the user's RPM window, the concurrent sessions of key,
	// user and p, and t.Hold reserved against every window. A refusal by p has Provider set:
	// the caller selects another provider and calls Acquire again with it, which moves the
	// provider's share of the request to the new one.
	Acquire(ctx context.Context, t *Ticket, p *catalog.Provider) *Rejection
	// ProviderAvailable is a selection filter that does no I/O: false (with a reason for the
	// decision chain) when p is known to be over one of its limits for a request in session
	// sid.
	ProviderAvailable(p *catalog.Provider, sid string) (ok bool, reason string)
	// Settle adds cost to every window of t's key, user and provider and releases what Acquire
	// holds for the duration of a request (reservation, a session-less request's slot). Only
	// the first call for a request counts; a ticket never admitted is ignored. It does not
	// wait for I/O.
	Settle(t *Ticket, cost int64)
	// Usage reports an entity's windows, sessions and RPM for the admin API.
	Usage(ctx context.Context, e Entity, l *catalog.Limits, rpmLimit int) (EntityUsage, error)
}

// Ticket is one request's standing with a limiter, from its first Acquire to Settle. The
// caller fills the exported fields before the first Acquire; a ticket serves one request and
// is not shared between goroutines while Acquire runs.
type Ticket struct {
	RequestID string
	Key       *catalog.Key
	User      *catalog.User
	// SessionID groups requests into a concurrent session; "" makes the request a session of
	// its own for as long as it is in flight.
	SessionID string
	// Hold is the request's estimated cost in nano-USD, reserved against every window of the
	// key, user and provider until Settle.
	Hold int64

	st      TicketState
	settled atomic.Bool
}

// TicketState is what a limiter keeps on a ticket between Acquire and Settle. It is exported
// for the backends (pkg/quota/redisquota); callers read it through the Ticket's methods.
type TicketState struct {
	Admitted bool
	Start    time.Time
	Provider *catalog.Provider
	// ProviderNew is true when Acquire added the session to the provider, so moving the
	// request to another provider takes it off again.
	ProviderNew bool
	// Remote is true when the shared backend tracked the key/user part, ProviderRemote the
	// provider part; false means the local limiter did.
	Remote, ProviderRemote bool
}

// State is the limiter's state on the ticket (for backends).
func (t *Ticket) State() *TicketState { return &t.st }

// ClaimSettle reports whether this is the first settlement of t (for backends).
func (t *Ticket) ClaimSettle() bool { return t.settled.CompareAndSwap(false, true) }

// Admitted reports whether the key and user admitted the request.
func (t *Ticket) Admitted() bool { return t.st.Admitted }

// Provider is the provider the request is tracked against, or nil.
func (t *Ticket) Provider() *catalog.Provider { return t.st.Provider }

// Start is when the request was admitted; its spend is booked at this instant, as the usage
// ledger books it at the request's start.
func (t *Ticket) Start() time.Time { return t.st.Start }

// SessionMember is the id a request is tracked under in session sets: its session, or for a
// session-less request an id of its own that Settle removes.
func (t *Ticket) SessionMember() string {
	if t.SessionID != "" {
		return t.SessionID
	}
	return "r:" + t.RequestID
}

// EffectiveSessions is a key's concurrent-session limit: its own, or its user's when unset.
func EffectiveSessions(k *catalog.Key, u *catalog.User) int {
	if k.Limits.ConcurrentSessions > 0 {
		return k.Limits.ConcurrentSessions
	}
	return u.Limits.ConcurrentSessions
}
