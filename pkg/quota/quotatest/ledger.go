// Package quotatest is the test suite every quota.Limiter backend runs, with the fake clock and
// in-memory usage ledger it needs.
package quotatest

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/cchub/cchub/pkg/quota"
)

// Ledger is an in-memory usage ledger: what the billing writer would have written.
type Ledger struct {
	mu   sync.Mutex
	rows []row
	// Err, when set, fails every read.
	Err error
	// Reads counts History calls.
	Reads int
}

type row struct {
	e    quota.Entity
	at   time.Time
	cost int64
}

var _ quota.Ledger = (*Ledger)(nil)

// Add books cost for each entity at instant at.
func (l *Ledger) Add(at time.Time, cost int64, es ...quota.Entity) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range es {
		l.rows = append(l.rows, row{e, at, cost})
	}
}

// History implements quota.Ledger with per-minute points, as pkg/store does.
func (l *Ledger) History(ctx context.Context, e quota.Entity, from, totalSince time.Time) (quota.History, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.Reads++
	if l.Err != nil {
		return quota.History{}, l.Err
	}
	var h quota.History
	buckets := map[int64]int64{}
	for _, r := range l.rows {
		if r.e != e {
			continue
		}
		if !r.at.Before(totalSince) {
			h.Total += r.cost
		}
		if r.at.Before(from) {
			continue
		}
		b := r.at.Truncate(time.Minute)
		if b.Before(from) {
			b = from
		}
		buckets[b.UnixMilli()] += r.cost
	}
	for at, c := range buckets {
		h.Points = append(h.Points, quota.Point{At: at, Cost: c})
	}
	sort.Slice(h.Points, func(i, j int) bool { return h.Points[i].At < h.Points[j].At })
	return h, nil
}

// Clock is a settable clock, safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock starts a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now reads the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}
