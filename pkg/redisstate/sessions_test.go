package redisstate

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cchub/cchub/pkg/gateway/session"
	"github.com/cchub/cchub/pkg/gateway/session/sessiontest"
)

// TestSessionsSuite runs the shared Store suite against Redis.
func TestSessionsSuite(t *testing.T) {
	rdb := testClient(t)
	sessiontest.Run(t, func(t *testing.T, ttl time.Duration) (session.Store, func(time.Duration)) {
		s := NewSessions(rdb, SessionOptions{Prefix: testPrefix(t, rdb), TTL: ttl, OnError: failOnError(t)})
		return s, func(d time.Duration) { advanceTTLs(t, rdb, s.KeyPattern(), d) }
	})
}

func failOnError(t *testing.T) func(string, error) {
	return func(op string, err error) { t.Errorf("redis %s: %v", op, err) }
}

// TestSessionsRealTTL checks what the suite's simulated clock cannot: the TTL Redis itself holds
// is set by Bind and renewed by Get.
func TestSessionsRealTTL(t *testing.T) {
	rdb := testClient(t)
	ctx := context.Background()
	prefix := testPrefix(t, rdb)
	s := NewSessions(rdb, SessionOptions{Prefix: prefix, TTL: 90 * time.Second, OnError: failOnError(t)})
	key := "cchub:" + prefix + ":session:sid-1"

	s.Bind(ctx, "sid-1", 12)
	if v, err := rdb.Get(ctx, key).Result(); err != nil || v != "12" {
		t.Fatalf("key %s = %q, %v; want \"12\"", key, v, err)
	}
	if left := rdb.PTTL(ctx, key).Val(); left <= 80*time.Second || left > 90*time.Second {
		t.Fatalf("TTL after Bind = %v, want about 90s", left)
	}
	if err := rdb.PExpire(ctx, key, 2*time.Second).Err(); err != nil {
		t.Fatal(err)
	}
	if p, ok := s.Get(ctx, "sid-1"); !ok || p != 12 {
		t.Fatalf("Get = %d, %v", p, ok)
	}
	if left := rdb.PTTL(ctx, key).Val(); left <= 80*time.Second {
		t.Fatalf("TTL after Get = %v, want renewed to about 90s", left)
	}
}

func TestSessionsCorruptValue(t *testing.T) {
	rdb := testClient(t)
	ctx := context.Background()
	prefix := testPrefix(t, rdb)
	var mu sync.Mutex
	var errs []string
	s := NewSessions(rdb, SessionOptions{Prefix: prefix, OnError: func(op string, err error) {
		mu.Lock()
		defer mu.Unlock()
		errs = append(errs, op+": "+err.Error())
	}})
	if err := rdb.Set(ctx, "cchub:"+prefix+":session:bad", "not-a-number", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	if p, ok := s.Get(ctx, "bad"); ok {
		t.Fatalf("corrupt binding read as provider %d", p)
	}
	if len(errs) != 1 {
		t.Fatalf("errors reported: %q, want one", errs)
	}
}

// TestSessionsUnreachable needs no server: a Redis that is down reads as "not bound", never as
// a failed request, and every failure reaches OnError.
func TestSessionsUnreachable(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{
		Addr: "127.0.0.1:1", DialTimeout: time.Second, MaxRetries: -1, DialerRetries: 1,
	})
	defer rdb.Close()
	var ops []string
	s := NewSessions(rdb, SessionOptions{Prefix: "unused", OnError: func(op string, err error) {
		if err == nil || errors.Is(err, redis.Nil) {
			t.Errorf("%s reported %v", op, err)
		}
		ops = append(ops, op)
	}})
	ctx := context.Background()
	s.Bind(ctx, "a", 1)
	if _, ok := s.Get(ctx, "a"); ok {
		t.Fatal("Get succeeded without a server")
	}
	s.Forget(ctx, "a")
	if len(ops) != 3 || ops[0] != "bind" || ops[1] != "get" || ops[2] != "forget" {
		t.Fatalf("reported ops %q, want bind, get, forget", ops)
	}
	// A missing OnError just drops the errors.
	NewSessions(rdb, SessionOptions{}).Bind(ctx, "a", 1)
}

func TestSessionsKeys(t *testing.T) {
	for _, tc := range []struct{ prefix, want string }{
		{"", "cchub:session:abc"},
		{"prod", "cchub:prod:session:abc"},
	} {
		s := NewSessions(nil, SessionOptions{Prefix: tc.prefix})
		if got := s.key("abc"); got != tc.want {
			t.Errorf("prefix %q: key %q, want %q", tc.prefix, got, tc.want)
		}
		if got := s.KeyPattern(); got != tc.want[:len(tc.want)-3]+"*" {
			t.Errorf("prefix %q: pattern %q", tc.prefix, got)
		}
		if s.ttl != session.DefaultTTL {
			t.Errorf("default TTL %v, want %v", s.ttl, session.DefaultTTL)
		}
	}
	// Empty ids never reach Redis (the nil client would panic if they did).
	s := NewSessions(nil, SessionOptions{})
	s.Bind(context.Background(), "", 1)
	s.Forget(context.Background(), "")
	if _, ok := s.Get(context.Background(), ""); ok {
		t.Fatal("empty id bound")
	}
}
