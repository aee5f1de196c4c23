// Package redisstate keeps the gateway's shared per-request state in Redis, so several cchub
// instances behind one load balancer agree on it. It implements interfaces declared by
// pkg/gateway/..., which must not import go-redis themselves.
package redisstate

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cchub/cchub/pkg/gateway/session"
)

// SessionOptions configures Sessions.
type SessionOptions struct {
	// Prefix namespaces the keys: cchub:{Prefix}:session:{sid}, or cchub:session:{sid} when
	// empty. Installations sharing a Redis, and tests, each use their own.
	Prefix string
	// TTL is the sliding lifetime of a binding; 0 means session.DefaultTTL.
	TTL time.Duration
	// OnError is told about every Redis failure (op is "get", "bind" or "forget"); nil ignores
	// them. The Store contract swallows errors because stickiness must not fail a request, so
	// this is where they become logs and metrics.
	OnError func(op string, err error)
}

// Sessions is the Redis session.Store. A binding is one string key holding the provider id in
// decimal, with a PX expiry that Get renews in the same round trip (GETEX).
type Sessions struct {
	rdb     redis.UniversalClient
	prefix  string // "cchub:{Prefix}:session:"
	ttl     time.Duration
	onError func(op string, err error)
}

var _ session.Store = (*Sessions)(nil)

// NewSessions returns a store over rdb, which the caller owns and closes. GETEX needs Redis 6.2.
func NewSessions(rdb redis.UniversalClient, o SessionOptions) *Sessions {
	s := &Sessions{rdb: rdb, ttl: o.TTL, onError: o.OnError}
	if s.ttl <= 0 {
		s.ttl = session.DefaultTTL
	}
	s.prefix = keyPrefix(o.Prefix, "session")
	return s
}

// keyPrefix builds "cchub:{prefix}:{kind}:", leaving out an empty prefix.
func keyPrefix(prefix, kind string) string {
	if prefix == "" {
		return "cchub:" + kind + ":"
	}
	return "cchub:" + prefix + ":" + kind + ":"
}

// KeyPattern is the SCAN pattern matching every binding of this store (for admin tooling and
// test cleanup).
func (s *Sessions) KeyPattern() string { return s.prefix + "*" }

func (s *Sessions) key(sid string) string { return s.prefix + sid }

// Get implements session.Store: GETEX renews the TTL in the same round trip as the read.
func (s *Sessions) Get(ctx context.Context, sid string) (int, bool) {
	if sid == "" {
		return 0, false
	}
	v, err := s.rdb.GetEx(ctx, s.key(sid), s.ttl).Result()
	if err != nil {
		if !errors.Is(err, redis.Nil) {
			s.report("get", err)
		}
		return 0, false
	}
	id, err := strconv.Atoi(v)
	if err != nil {
		// Not ours or corrupted: treat as unbound rather than route to a made-up provider.
		s.report("get", errors.New("redisstate: session binding is not an integer: "+strconv.Quote(v)))
		return 0, false
	}
	return id, true
}

// Bind implements session.Store.
func (s *Sessions) Bind(ctx context.Context, sid string, providerID int) {
	if sid == "" {
		return
	}
	if err := s.rdb.Set(ctx, s.key(sid), strconv.Itoa(providerID), s.ttl).Err(); err != nil {
		s.report("bind", err)
	}
}

// Forget implements session.Store.
func (s *Sessions) Forget(ctx context.Context, sid string) {
	if sid == "" {
		return
	}
	if err := s.rdb.Del(ctx, s.key(sid)).Err(); err != nil {
		s.report("forget", err)
	}
}

func (s *Sessions) report(op string, err error) {
	if s.onError != nil {
		s.onError(op, err)
	}
}
