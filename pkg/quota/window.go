package quota

import (
	"time"

	"github.com/cchub/cchub/pkg/gateway/catalog"
)

// Window is one of the USD spend windows every user, key and provider has.
type Window uint8

// The spend windows, in the order the reference checks them within one entity.
const (
	Window5h Window = iota
	WindowDaily
	WindowWeekly
	WindowMonthly
	WindowTotal
	numWindows
)

// Windows lists every window in check order.
var Windows = [numWindows]Window{Window5h, WindowDaily, WindowWeekly, WindowMonthly, WindowTotal}

// String names the window in the admin API.
func (w Window) String() string {
	switch w {
	case Window5h:
		return "5h"
	case WindowDaily:
		return "daily"
	case WindowWeekly:
		return "weekly"
	case WindowMonthly:
		return "monthly"
	case WindowTotal:
		return "total"
	}
	return "unknown"
}

// LimitType is the reference's limit_type for a rejection by this window.
func (w Window) LimitType() string {
	switch w {
	case Window5h:
		return LimitUSD5h
	case WindowDaily:
		return LimitDaily
	case WindowWeekly:
		return LimitWeekly
	case WindowMonthly:
		return LimitMonthly
	}
	return LimitTotal
}

// Limit returns the window's limit in l (0 = none).
func (w Window) Limit(l *catalog.Limits) int64 {
	switch w {
	case Window5h:
		return l.Limit5h
	case WindowDaily:
		return l.LimitDaily
	case WindowWeekly:
		return l.LimitWeekly
	case WindowMonthly:
		return l.LimitMonthly
	case WindowTotal:
		return l.LimitTotal
	}
	return 0
}

// Rolling and fixed-window lengths.
const (
	FiveHours = 5 * time.Hour
	Day       = 24 * time.Hour
	Minute    = time.Minute
)

// Span is a window's extent at one instant: usage at or after Start counts. Reset is when the
// window next starts afresh; it is zero for windows without a known reset (rolling windows,
// total, and a fixed 5h window that has not been opened by a charge).
type Span struct {
	Start   time.Time
	Reset   time.Time
	Rolling bool
}

// Clock is a daily reset time of day.
type Clock struct{ Hour, Minute int }

// ParseClock parses "HH:MM" (24 h). Anything else is midnight, the reference's default, so a
// malformed value never disables a limit.
func ParseClock(s string) Clock {
	if len(s) != 5 || s[2] != ':' {
		return Clock{}
	}
	h, ok1 := twoDigits(s[0], s[1])
	m, ok2 := twoDigits(s[3], s[4])
	if !ok1 || !ok2 || h > 23 || m > 59 {
		return Clock{}
	}
	return Clock{Hour: h, Minute: m}
}

func twoDigits(a, b byte) (int, bool) {
	if a < '0' || a > '9' || b < '0' || b > '9' {
		return 0, false
	}
	return int(a-'0')*10 + int(b-'0'), true
}

// FixedDay returns the fixed daily window containing now: it starts at the latest c (in loc)
// at or before now and resets at the next one. Across a DST change the window is 23 or 25 hours
// long; a reset time that does not exist on a spring-forward day falls where time.Date
// normalises it, and both bounds use the same rule, so consecutive windows always meet.
func FixedDay(now time.Time, loc *time.Location, c Clock) (start, reset time.Time) {
	d := now.In(loc)
	y, m, day := d.Date()
	start = time.Date(y, m, day, c.Hour, c.Minute, 0, 0, loc)
	if start.After(now) {
		start = time.Date(y, m, day-1, c.Hour, c.Minute, 0, 0, loc)
		return start, time.Date(y, m, day, c.Hour, c.Minute, 0, 0, loc)
	}
	return start, time.Date(y, m, day+1, c.Hour, c.Minute, 0, 0, loc)
}

// Week returns the natural week containing now: Monday 00:00 to the next Monday 00:00 in loc.
func Week(now time.Time, loc *time.Location) (start, reset time.Time) {
	d := now.In(loc)
	back := (int(d.Weekday()) + 6) % 7 // days since Monday
	y, m, day := d.Date()
	start = time.Date(y, m, day-back, 0, 0, 0, 0, loc)
	if start.After(now) { // midnight skipped by DST and normalised past now
		start = time.Date(y, m, day-back-7, 0, 0, 0, 0, loc)
		back += 7
	}
	return start, time.Date(y, m, day-back+7, 0, 0, 0, 0, loc)
}

// Month returns the calendar month containing now: the 1st 00:00 to the next 1st in loc.
func Month(now time.Time, loc *time.Location) (start, reset time.Time) {
	d := now.In(loc)
	y, m, _ := d.Date()
	start = time.Date(y, m, 1, 0, 0, 0, 0, loc)
	if start.After(now) {
		start = time.Date(y, m-1, 1, 0, 0, 0, 0, loc)
		return start, time.Date(y, m, 1, 0, 0, 0, 0, loc)
	}
	return start, time.Date(y, m+1, 1, 0, 0, 0, 0, loc)
}

// SpanOf is window w of an entity with limits l at now. fixed5h is the start of the entity's
// current fixed 5h window (zero when none is open); it only matters when l.Limit5hFixed.
// CostResetAt clips every window's start: usage before it never counts.
func SpanOf(w Window, l *catalog.Limits, now time.Time, loc *time.Location, fixed5h time.Time) Span {
	var s Span
	switch w {
	case Window5h:
		if l.Limit5hFixed {
			if !fixed5h.IsZero() && now.Before(fixed5h.Add(FiveHours)) {
				s.Start, s.Reset = fixed5h, fixed5h.Add(FiveHours)
			} else {
				// No open window: nothing counts until the next charge opens one.
				s.Start = now
			}
		} else {
			s.Start, s.Rolling = now.Add(-FiveHours), true
		}
	case WindowDaily:
		if l.DailyRolling {
			s.Start, s.Rolling = now.Add(-Day), true
		} else {
			s.Start, s.Reset = FixedDay(now, loc, ParseClock(l.DailyResetTime))
		}
	case WindowWeekly:
		s.Start, s.Reset = Week(now, loc)
	case WindowMonthly:
		s.Start, s.Reset = Month(now, loc)
	case WindowTotal:
		s.Start = l.CostResetAt
	}
	if s.Start.Before(l.CostResetAt) {
		s.Start = l.CostResetAt
	}
	return s
}
