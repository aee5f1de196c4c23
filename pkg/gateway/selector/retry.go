package selector

import (
	"context"
	"errors"
	"net"
	"os"
	"syscall"
)

// ErrKind says how an attempt ended when it did not end with an HTTP response.
type ErrKind uint8

// Attempt outcomes that are not an upstream status code.
const (
	// ErrNone: an upstream response arrived; its status decides.
	ErrNone ErrKind = iota
	// ErrConnect: dial, TLS or connection reset before any response, usually transient.
	ErrConnect
	// ErrTimeout: first-byte, stream-idle or total timeout of the provider.
	ErrTimeout
	// ErrUpstream: any other failure on the upstream side (malformed response, body read error).
	ErrUpstream
	// ErrClientAbort: the client went away; nothing is the provider's fault and nobody is waiting.
	ErrClientAbort
	// ErrLocal: the hub itself failed (building the request, translating); another provider
	// would fail the same way and the provider did nothing wrong.
	ErrLocal
)

// String names the kind for logs.
func (k ErrKind) String() string {
	switch k {
	case ErrNone:
		return "none"
	case ErrConnect:
		return "connect"
	case ErrTimeout:
		return "timeout"
	case ErrUpstream:
		return "upstream"
	case ErrClientAbort:
		return "client_abort"
	case ErrLocal:
		return "local"
	}
	return "unknown"
}

// Decision is what the attempt loop does after one attempt.
type Decision struct {
	// Retry: make another attempt (on the same provider while its MaxAttempts allow, unless
	// SwitchProvider). False means stop and answer the client with what we have.
	Retry bool
	// SwitchProvider: skip the remaining attempts on this provider and exclude it.
	SwitchProvider bool
	// CountsForBreaker: the attempt is evidence the provider is unhealthy. The attempt loop
	// reports one failure per provider once its attempts are used up, not one per attempt, so a
	// single flaky request cannot open the circuit by itself.
	CountsForBreaker bool
}

// StatusOverloaded is Anthropic's "overloaded" status.
const StatusOverloaded = 529

// Classify decides what happens after an attempt that ended with status (0 when there was no
// response) or kind. Once a byte has reached the client the response is committed, so nothing
// is retried, but a provider failure still counts against its circuit. Client errors (4xx other
// than 429) are the request's fault: another provider would refuse it too, and they say
// nothing about the provider's health.
func Classify(status int, kind ErrKind, sentToClient bool) Decision {
	// sameProvider: the failure is likely a blip worth one more try on the same provider.
	var sameProvider bool
	switch kind {
	case ErrClientAbort, ErrLocal:
		return Decision{}
	case ErrConnect:
		// A refused or reset connection is often momentary and a retry costs little.
		sameProvider = true
	case ErrTimeout, ErrUpstream:
		// The time is already spent; a second wait on the same provider would double it.
	default:
		switch {
		case status == 0:
			// No status and no error kind: a broken response, handled like ErrUpstream.
		case status == 429 || status == StatusOverloaded:
			// Rate-limited or overloaded upstreams stay so for a while; move on at once.
		case status >= 500:
			sameProvider = true
		default:
			return Decision{} // success, redirect or a client error: hand it to the client
		}
	}
	if sentToClient {
		return Decision{CountsForBreaker: true}
	}
	return Decision{Retry: true, SwitchProvider: !sameProvider, CountsForBreaker: true}
}

// KindOf maps the standard library's errors to an ErrKind; nil is ErrNone. The gateway maps its
// HTTP client's own error values first and falls back to this. Cancellation means the client
// left, because the upstream request's context derives from the client's; deadlines are the
// provider's timeouts.
func KindOf(err error) ErrKind {
	if err == nil {
		return ErrNone
	}
	if errors.Is(err, context.Canceled) {
		return ErrClientAbort
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return ErrTimeout
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return ErrTimeout
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "dial" {
		return ErrConnect
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return ErrConnect
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH) {
		return ErrConnect
	}
	return ErrUpstream
}
