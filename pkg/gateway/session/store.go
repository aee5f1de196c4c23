package session

import (
	"context"
	"time"
)

// DefaultTTL is SESSION_TTL's default: how long a session keeps its provider after its last
// request. Anthropic's prompt cache lives five minutes, so a longer binding buys nothing.
const DefaultTTL = 300 * time.Second

// Store remembers which provider a session is bound to, with a sliding TTL.
//
// Stickiness is an optimisation, never a reason to fail a request, so the methods return no
// errors: an unreachable backend reads as "not bound" and the request is routed afresh.
// Implementations report backend errors through their own hooks (logs, metrics).
type Store interface {
	// Get returns the provider sid is bound to and restarts its TTL.
	Get(ctx context.Context, sid string) (providerID int, ok bool)
	// Bind binds sid to providerID (replacing any binding) for a full TTL. The gateway calls
	// it only after a successful response, so a failing provider never captures a session.
	Bind(ctx context.Context, sid string, providerID int)
	// Forget drops sid's binding, e.g. when its provider no longer serves the session's model.
	Forget(ctx context.Context, sid string)
}
