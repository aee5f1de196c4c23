package quota

import (
	"time"

	"github.com/cchub/cchub/pkg/gateway/catalog"
)

// Granularity of the in-process rolling windows. Spend is kept in 10 s buckets, so a key that
// sends 100 requests a second still holds at most 9,360 buckets for 26 h, and a rolling window
// slides in 10 s steps (the reference's own Redis ZSETs are exact but unbounded).
const (
	bucketMs = int64(10_000)
	// horizonMs is how far back buckets are kept: a fixed day is up to 25 h long across DST, and
	// its start must be recomputable when the reset time changes.
	horizonMs = int64(26 * time.Hour / time.Millisecond)
	fiveHMs   = int64(FiveHours / time.Millisecond)
	dayMs     = int64(Day / time.Millisecond)
)

// fixedMemo is a fixed window's clipped start and the spend since it.
type fixedMemo struct {
	start, sum int64
}

// spend is one entity's spend state: every window's sum, kept incrementally so a check is a few
// comparisons. It is not safe for concurrent use (the entity's mutex guards it).
type spend struct {
	// ev holds the buckets of the last 26 h, ascending; ev[head:] are live, ev[h24:] within
	// 24 h, ev[h5:] within 5 h of the last advance.
	ev            []Point
	head, h24, h5 int
	s24, s5       int64
	// fixed are the daily (at the reset time), weekly and monthly windows.
	fixed        [3]fixedMemo
	f5Start, f5s int64
	total        int64
	// cra is the CostResetAt (Unix ms) this state was built for.
	cra int64
	// periods caches the unclipped fixed periods around the last instant asked for.
	periods periodCache
}

// reset replaces the state with sum, built for cost-reset instant cra.
func (s *spend) reset(sum Summary, cra int64) {
	s.ev = append(s.ev[:0], sum.Events...)
	s.head, s.h24, s.h5 = 0, 0, 0
	s.s24, s.s5 = 0, 0
	for _, p := range s.ev {
		s.s24 += p.Cost
		s.s5 += p.Cost
	}
	s.fixed = [3]fixedMemo{{sum.DailyStart, sum.Daily}, {sum.WeeklyStart, sum.Weekly}, {sum.MonthlyStart, sum.Monthly}}
	s.f5Start, s.f5s = sum.Fixed5hStart, sum.Fixed5h
	s.total = sum.Total
	s.cra = cra
	// The sums above include everything; advance drops what is older than each window.
	s.h24, s.h5 = 0, 0
}

// advance slides the rolling windows to now.
func (s *spend) advance(now int64) {
	c5, c24, ch := now-fiveHMs, now-dayMs, now-horizonMs
	for s.h5 < len(s.ev) && s.ev[s.h5].At < c5 {
		s.s5 -= s.ev[s.h5].Cost
		s.h5++
	}
	if s.h24 > s.h5 {
		s.h24 = s.h5 // never happens with a sane clock; keeps the indexes ordered
	}
	for s.h24 < len(s.ev) && s.ev[s.h24].At < c24 {
		s.s24 -= s.ev[s.h24].Cost
		s.h24++
	}
	for s.head < s.h24 && s.ev[s.head].At < ch {
		s.head++
	}
	// Compact once the dead prefix is most of the slice: amortised O(1) per bucket.
	if s.head > 64 && s.head*2 > len(s.ev) {
		n := copy(s.ev, s.ev[s.head:])
		s.ev = s.ev[:n]
		s.h24 -= s.head
		s.h5 -= s.head
		s.head = 0
	}
}

// add books cost at instant ts (Unix ms), after advance(now). Buckets are 10 s; a charge that
// arrives late (a long request settles after shorter ones) is inserted in order.
func (s *spend) add(ts, cost int64, now int64, l *catalog.Limits, loc *time.Location) {
	if cost == 0 || ts < s.cra {
		return
	}
	s.total += cost
	if cost > 0 {
		if next := nextFixed5h(s.f5Start, ts); next != s.f5Start {
			s.f5Start, s.f5s = next, 0
		}
		s.f5s += cost
	}
	for i := range s.fixed {
		st := max(s.periods.start(i, ts, l, loc), s.cra)
		switch {
		case st == s.fixed[i].start:
			s.fixed[i].sum += cost
		case st > s.fixed[i].start:
			// The first charge of a new period: any earlier one would have rolled it already.
			s.fixed[i] = fixedMemo{st, cost}
		}
		// st < start: the charge belongs to a period that is already over.
	}
	b := max(ts-ts%bucketMs, s.cra)
	if b < now-horizonMs {
		return
	}
	if b >= now-dayMs {
		s.s24 += cost
	}
	if b >= now-fiveHMs {
		s.s5 += cost
	}
	n := len(s.ev)
	if n > s.head && s.ev[n-1].At == b {
		s.ev[n-1].Cost += cost
		return
	}
	i := n
	for i > s.head && s.ev[i-1].At > b {
		i--
	}
	if i < n && s.ev[i].At == b {
		s.ev[i].Cost += cost
		return
	}
	s.ev = append(s.ev, Point{})
	copy(s.ev[i+1:], s.ev[i:])
	s.ev[i] = Point{At: b, Cost: cost}
	// Keep the window indexes on the same buckets.
	if i < s.h24 || (i == s.h24 && b < now-dayMs) {
		s.h24++
	}
	if i < s.h5 || (i == s.h5 && b < now-fiveHMs) {
		s.h5++
	}
}

// since sums the live buckets at or after start.
func (s *spend) since(start int64) int64 {
	var t int64
	for i := len(s.ev) - 1; i >= s.head && s.ev[i].At >= start; i-- {
		t += s.ev[i].Cost
	}
	return t
}

// fixedUsed is the spend in fixed window i (0 daily, 1 weekly, 2 monthly) whose clipped start
// is start, after advance(now).
func (s *spend) fixedUsed(i int, start int64) int64 {
	m := &s.fixed[i]
	if m.start != start {
		// A new period with no charge yet, or a changed reset time: every charge since start
		// is in the buckets (the window is never older than the 26 h horizon, or it would have
		// been rolled by a charge).
		m.start, m.sum = start, s.since(start)
	}
	return m.sum
}

// used is the spend in window w of an entity with limits l at now, after advance(now), with
// the window's span.
func (s *spend) used(w Window, l *catalog.Limits, now int64, loc *time.Location) (int64, Span) {
	t := time.UnixMilli(now)
	switch w {
	case Window5h:
		if l.Limit5hFixed {
			var f5 time.Time
			if s.f5Start != 0 {
				f5 = time.UnixMilli(s.f5Start)
			}
			sp := SpanOf(w, l, t, loc, f5)
			if sp.Reset.IsZero() {
				return 0, sp
			}
			return s.f5s, sp
		}
		return s.s5, SpanOf(w, l, t, loc, time.Time{})
	case WindowDaily:
		if l.DailyRolling {
			return s.s24, SpanOf(w, l, t, loc, time.Time{})
		}
		return s.fixedWindow(0, l, now, loc)
	case WindowWeekly:
		return s.fixedWindow(1, l, now, loc)
	case WindowMonthly:
		return s.fixedWindow(2, l, now, loc)
	}
	return s.total, SpanOf(w, l, t, loc, time.Time{})
}

func (s *spend) fixedWindow(i int, l *catalog.Limits, now int64, loc *time.Location) (int64, Span) {
	st, reset := s.periods.period(i, now, l, loc)
	st = max(st, s.cra)
	return s.fixedUsed(i, st), Span{Start: time.UnixMilli(st), Reset: time.UnixMilli(reset)}
}

// periodCache remembers each fixed window's unclipped period [start, reset) for the last
// instant it was asked about, so the common case costs two comparisons instead of calendar
// arithmetic in the time zone.
type periodCache struct {
	p     [3]struct{ start, reset int64 }
	clock string // daily reset time the daily period was computed for
}

func (c *periodCache) period(i int, ts int64, l *catalog.Limits, loc *time.Location) (start, reset int64) {
	p := &c.p[i]
	if i == 0 && c.clock != l.DailyResetTime {
		c.clock = l.DailyResetTime
		p.reset = 0
	}
	if ts >= p.start && ts < p.reset {
		return p.start, p.reset
	}
	t := time.UnixMilli(ts)
	var s, r time.Time
	switch i {
	case 0:
		s, r = FixedDay(t, loc, ParseClock(l.DailyResetTime))
	case 1:
		s, r = Week(t, loc)
	default:
		s, r = Month(t, loc)
	}
	p.start, p.reset = s.UnixMilli(), r.UnixMilli()
	return p.start, p.reset
}

func (c *periodCache) start(i int, ts int64, l *catalog.Limits, loc *time.Location) int64 {
	s, _ := c.period(i, ts, l, loc)
	return s
}
