package quota

import (
	"context"
	"time"

	"github.com/cchub/cchub/pkg/gateway/catalog"
)

// Ledger reads spend history from the usage ledger, the billing record every window is rebuilt
// from (pkg/store implements it).
type Ledger interface {
	// History returns e's spend since from, summed per minute, and its total since totalSince
	// (totalSince <= from; zero means since the beginning).
	History(ctx context.Context, e Entity, from, totalSince time.Time) (History, error)
}

// Point is spend booked in one time bucket starting at At (Unix milliseconds).
type Point struct {
	At   int64
	Cost int64
}

// History is what the ledger knows about an entity's spend.
type History struct {
	// Points are per-minute sums at or after the requested from, ascending. A bucket's At is
	// its minute, or from itself for the minute that contains from, so no point is ever
	// before from.
	Points []Point
	// Total is the spend since the requested totalSince.
	Total int64
}

// LoadRange is the history an entity's windows need at now: points since the earliest
// window start (the month, the week, the fixed day or 24 h ago, whichever is first, clipped by
// CostResetAt), and the total since CostResetAt.
func LoadRange(l *catalog.Limits, now time.Time, loc *time.Location) (from, totalSince time.Time) {
	from = now.Add(-Day)
	for _, w := range [...]Window{WindowDaily, WindowWeekly, WindowMonthly} {
		if s := SpanOf(w, &catalog.Limits{DailyResetTime: l.DailyResetTime}, now, loc, time.Time{}); s.Start.Before(from) {
			from = s.Start
		}
	}
	if from.Before(l.CostResetAt) {
		from = l.CostResetAt
	}
	return from, l.CostResetAt
}

// Summary is an entity's spend state at one instant, derived from its history; both backends
// start from it.
type Summary struct {
	// Events are the points of the last 24 h (the rolling windows' raw data).
	Events []Point
	// Rolling5h and Rolling24h sum Events within 5 h and 24 h of now.
	Rolling5h, Rolling24h int64
	// Fixed windows: start (Unix ms, clipped by CostResetAt) and spend since.
	DailyStart, WeeklyStart, MonthlyStart int64
	Daily, Weekly, Monthly                int64
	// Fixed5hStart is the open fixed 5h window (0 = none) and Fixed5h its spend.
	Fixed5hStart, Fixed5h int64
	Total                 int64
}

// Summarize derives the spend state at now from h, which LoadRange(l, now, loc) bounds.
func Summarize(h History, l *catalog.Limits, now time.Time, loc *time.Location) Summary {
	ms := now.UnixMilli()
	s := Summary{
		Total:        h.Total,
		DailyStart:   fixedStart(WindowDaily, l, now, loc),
		WeeklyStart:  fixedStart(WindowWeekly, l, now, loc),
		MonthlyStart: fixedStart(WindowMonthly, l, now, loc),
	}
	c5, c24 := ms-FiveHours.Milliseconds(), ms-Day.Milliseconds()
	var f5 int64
	for _, p := range h.Points {
		if p.At >= c24 {
			s.Events = append(s.Events, p)
			s.Rolling24h += p.Cost
			if p.At >= c5 {
				s.Rolling5h += p.Cost
			}
		}
		if p.At >= s.DailyStart {
			s.Daily += p.Cost
		}
		if p.At >= s.WeeklyStart {
			s.Weekly += p.Cost
		}
		if p.At >= s.MonthlyStart {
			s.Monthly += p.Cost
		}
		if p.Cost > 0 {
			if next := nextFixed5h(f5, p.At); next != f5 {
				f5, s.Fixed5h = next, 0
			}
			s.Fixed5h += p.Cost
		}
	}
	if f5 != 0 && ms < f5+FiveHours.Milliseconds() {
		s.Fixed5hStart = f5
	} else {
		s.Fixed5h = 0
	}
	return s
}

// fixedStart is the clipped start of a fixed daily, weekly or monthly window in Unix ms. A
// rolling daily limit still keeps the fixed daily window (at its reset time) for display.
func fixedStart(w Window, l *catalog.Limits, now time.Time, loc *time.Location) int64 {
	fl := *l
	fl.DailyRolling = false
	return SpanOf(w, &fl, now, loc, time.Time{}).Start.UnixMilli()
}

// nextFixed5h is NextFixed5h in Unix ms: a charge at t opens a new window unless one that
// started at start is still open.
func nextFixed5h(start, t int64) int64 {
	if start == 0 || t >= start+FiveHours.Milliseconds() {
		return t
	}
	return start
}
