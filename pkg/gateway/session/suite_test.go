package session_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/cchub/cchub/pkg/gateway/session"
	"github.com/cchub/cchub/pkg/gateway/session/sessiontest"
)

// TestMemoryStore runs the shared Store suite against the in-process store; the fake clock is
// what "advance" moves.
func TestMemoryStore(t *testing.T) {
	sessiontest.Run(t, func(t *testing.T, ttl time.Duration) (session.Store, func(time.Duration)) {
		var ns atomic.Int64
		ns.Store(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano())
		m := session.NewMemory(session.MemoryOptions{
			TTL: ttl, Now: func() time.Time { return time.Unix(0, ns.Load()) }, SweepInterval: -1,
		})
		t.Cleanup(func() { m.Close() })
		return m, func(d time.Duration) { ns.Add(int64(d)) }
	})
}
