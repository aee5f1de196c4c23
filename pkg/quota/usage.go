package quota

import (
	"context"
	"time"

	"github.com/cchub/cchub/pkg/gateway/catalog"
)

// WindowUsage is one window of an entity as the admin API shows it.
type WindowUsage struct {
	Window Window
	// Rolling is true for a sliding window (5h rolling, daily rolling).
	Rolling bool
	// Used is the spend in the window, Limit its limit (0 = none), both nano-USD.
	Used, Limit int64
	// Start is the earliest instant that counts; Reset the next reset (zero when unknown).
	Start, Reset time.Time
}

// EntityUsage is an entity's standing against all its limits.
type EntityUsage struct {
	Windows [numWindows]WindowUsage
	// Reserved is the budget held by requests in flight.
	Reserved int64
	// Sessions is the number of active sessions, SessionLimit the limit (0 = none).
	Sessions, SessionLimit int
	// RPM is the number of requests in the last minute (users), RPMLimit the limit.
	RPM, RPMLimit int
}

// window fills one window's usage.
func windowUsage(w Window, l *catalog.Limits, used int64, sp Span) WindowUsage {
	return WindowUsage{Window: w, Rolling: sp.Rolling, Used: used, Limit: w.Limit(l), Start: sp.Start, Reset: sp.Reset}
}

// LedgerUsage computes an entity's windows straight from the ledger, for when no limiter runs
// (ENABLE_RATE_LIMIT=false): sessions, RPM and reservations are then unknown and reported as 0.
func LedgerUsage(ctx context.Context, ledger Ledger, e Entity, l *catalog.Limits, rpmLimit int, now time.Time, loc *time.Location) (EntityUsage, error) {
	from, since := LoadRange(l, now, loc)
	h, err := ledger.History(ctx, e, from, since)
	if err != nil {
		return EntityUsage{}, err
	}
	var s spend
	s.reset(Summarize(h, l, now, loc), unixMilliOrZero(l.CostResetAt))
	ms := now.UnixMilli()
	s.advance(ms)
	u := EntityUsage{SessionLimit: l.ConcurrentSessions, RPMLimit: rpmLimit}
	for _, w := range Windows {
		used, sp := s.used(w, l, ms, loc)
		u.Windows[w] = windowUsage(w, l, used, sp)
	}
	return u, nil
}

func unixMilliOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// LedgerReader answers Usage straight from the ledger (the admin API's view when no limiter
// runs).
type LedgerReader struct {
	Ledger   Ledger
	Location *time.Location
	Now      func() time.Time
}

// Usage reports e's windows from the ledger; sessions, RPM and reservations are unknown (0).
func (r LedgerReader) Usage(ctx context.Context, e Entity, l *catalog.Limits, rpmLimit int) (EntityUsage, error) {
	now, loc := time.Now, r.Location
	if r.Now != nil {
		now = r.Now
	}
	if loc == nil {
		loc = time.UTC
	}
	return LedgerUsage(ctx, r.Ledger, e, l, rpmLimit, now(), loc)
}
