// Package sessiontest is the behaviour every session.Store must have, as one suite that each
// implementation's tests run against a fresh store. Keeping it in one place is what makes the
// in-process store a faithful stand-in for Redis in single-node installs.
package sessiontest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cchub/cchub/pkg/gateway/session"
)

// TTL is the binding lifetime the suite opens stores with. It is long so that wall-clock time
// passing during a test against a real server is negligible next to the advances.
const TTL = time.Hour

// Factory opens an empty store whose bindings last ttl and returns advance, which moves the
// store's notion of time forward by d: a fake clock for the in-process store, shortened key
// TTLs for Redis. Cleanup goes through t.Cleanup.
type Factory func(t *testing.T, ttl time.Duration) (s session.Store, advance func(d time.Duration))

// Run runs the suite; each subtest opens its own store.
func Run(t *testing.T, open Factory) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s session.Store, advance func(time.Duration))
	}{
		{"Unbound", testUnbound},
		{"BindGet", testBindGet},
		{"Rebind", testRebind},
		{"Forget", testForget},
		{"Independent", testIndependent},
		{"Expires", testExpires},
		{"GetSlides", testGetSlides},
		{"BindSlides", testBindSlides},
		{"IDShapes", testIDShapes},
		{"Concurrent", testConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, advance := open(t, TTL)
			tc.fn(t, s, advance)
		})
	}
}

func want(t *testing.T, s session.Store, sid string, provider int, bound bool) {
	t.Helper()
	got, ok := s.Get(context.Background(), sid)
	if ok != bound || (bound && got != provider) {
		t.Fatalf("Get(%q) = %d, %v; want %d, %v", sid, got, ok, provider, bound)
	}
}

func testUnbound(t *testing.T, s session.Store, _ func(time.Duration)) {
	want(t, s, "never-bound", 0, false)
	want(t, s, "", 0, false)
	s.Bind(context.Background(), "", 3) // ignored, must not panic
	want(t, s, "", 0, false)
	s.Forget(context.Background(), "never-bound")
}

func testBindGet(t *testing.T, s session.Store, _ func(time.Duration)) {
	ctx := context.Background()
	s.Bind(ctx, "sess-1", 7)
	want(t, s, "sess-1", 7, true)
	want(t, s, "sess-1", 7, true) // Get does not consume
}

func testRebind(t *testing.T, s session.Store, _ func(time.Duration)) {
	ctx := context.Background()
	s.Bind(ctx, "sess-1", 7)
	s.Bind(ctx, "sess-1", 9)
	want(t, s, "sess-1", 9, true)
}

func testForget(t *testing.T, s session.Store, _ func(time.Duration)) {
	ctx := context.Background()
	s.Bind(ctx, "sess-1", 7)
	s.Forget(ctx, "sess-1")
	want(t, s, "sess-1", 0, false)
	s.Bind(ctx, "sess-1", 8)
	want(t, s, "sess-1", 8, true)
}

func testIndependent(t *testing.T, s session.Store, _ func(time.Duration)) {
	ctx := context.Background()
	s.Bind(ctx, "a", 1)
	s.Bind(ctx, "b", 2)
	s.Forget(ctx, "a")
	want(t, s, "a", 0, false)
	want(t, s, "b", 2, true)
}

func testExpires(t *testing.T, s session.Store, advance func(time.Duration)) {
	ctx := context.Background()
	s.Bind(ctx, "short", 4)
	advance(TTL - TTL/10)
	s.Bind(ctx, "fresh", 5)
	advance(TTL / 5) // "short" is now past its TTL, "fresh" is not
	want(t, s, "short", 0, false)
	want(t, s, "fresh", 5, true)
	advance(TTL + time.Minute)
	want(t, s, "fresh", 0, false)
}

func testGetSlides(t *testing.T, s session.Store, advance func(time.Duration)) {
	s.Bind(context.Background(), "sliding", 6)
	// Each Get restarts the TTL: three steps of 0.6 TTL add up to well past one TTL.
	for range 3 {
		advance(TTL * 6 / 10)
		want(t, s, "sliding", 6, true)
	}
	advance(TTL + time.Minute)
	want(t, s, "sliding", 0, false)
}

func testBindSlides(t *testing.T, s session.Store, advance func(time.Duration)) {
	ctx := context.Background()
	s.Bind(ctx, "rebound", 6)
	advance(TTL * 6 / 10)
	s.Bind(ctx, "rebound", 6)
	advance(TTL * 6 / 10)
	want(t, s, "rebound", 6, true)
}

func testIDShapes(t *testing.T, s session.Store, _ func(time.Duration)) {
	ctx := context.Background()
	ids := map[string]int{
		strings.Repeat("x", session.MaxIDLen):    1,
		"codex_prev_resp_0123":                   2,
		"01a21411-ab46-76d0-a62a-927a68b9b73b":   3,
		"a.b:c_d-e":                              4,
		"upper-CASE-and-lower-case-are-distinct": 5,
		"UPPER-CASE-AND-LOWER-CASE-ARE-DISTINCT": 6,
		"zero-provider":                          0,
		"large-provider":                         1 << 40,
	}
	for sid, p := range ids {
		s.Bind(ctx, sid, p)
	}
	for sid, p := range ids {
		want(t, s, sid, p, true)
	}
}

func testConcurrent(t *testing.T, s session.Store, _ func(time.Duration)) {
	ctx := context.Background()
	const workers, perWorker = 8, 50
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				sid := fmt.Sprintf("w%d-s%d", w, i)
				s.Bind(ctx, sid, w*1000+i)
				if got, ok := s.Get(ctx, sid); !ok || got != w*1000+i {
					t.Errorf("Get(%q) = %d, %v right after Bind", sid, got, ok)
					return
				}
				// Everyone also reads and rewrites one shared session.
				s.Bind(ctx, "shared", w)
				s.Get(ctx, "shared")
			}
		}()
	}
	wg.Wait()
	for w := range workers {
		for i := range perWorker {
			want(t, s, fmt.Sprintf("w%d-s%d", w, i), w*1000+i, true)
		}
	}
	if got, ok := s.Get(ctx, "shared"); !ok || got < 0 || got >= workers {
		t.Fatalf("shared session bound to %d, %v", got, ok)
	}
}
