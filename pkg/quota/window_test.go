package quota

import (
	"testing"
	"time"

	"github.com/cchub/cchub/pkg/gateway/catalog"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

// at parses a local wall time in loc.
func at(t *testing.T, loc *time.Location, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestParseClock(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Clock
	}{
		{"00:00", Clock{}}, {"18:30", Clock{18, 30}}, {"23:59", Clock{23, 59}},
		{"24:00", Clock{}}, {"7:30", Clock{}}, {"", Clock{}}, {"ab:cd", Clock{}}, {"12:60", Clock{}},
	} {
		if got := ParseClock(tc.in); got != tc.want {
			t.Errorf("ParseClock(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestFixedDay(t *testing.T) {
	utc := time.UTC
	shanghai := mustLoc(t, "Asia/Shanghai") // UTC+8, no DST
	ny := mustLoc(t, "America/New_York")    // DST: 2026-03-08 02:00 → 03:00, 2026-11-01 02:00 → 01:00
	for _, tc := range []struct {
		name        string
		loc         *time.Location
		now, clock  string
		start, next string // local wall times
		hours       float64
	}{
		{"utc midnight", utc, "2026-05-06 13:00", "00:00", "2026-05-06 00:00", "2026-05-07 00:00", 24},
		{"utc before reset time", utc, "2026-05-06 13:00", "18:30", "2026-05-05 18:30", "2026-05-06 18:30", 24},
		{"utc exactly at reset", utc, "2026-05-06 18:30", "18:30", "2026-05-06 18:30", "2026-05-07 18:30", 24},
		{"shanghai local midnight", shanghai, "2026-05-06 00:10", "00:00", "2026-05-06 00:00", "2026-05-07 00:00", 24},
		{"shanghai across month end", shanghai, "2026-05-31 23:59", "08:00", "2026-05-31 08:00", "2026-06-01 08:00", 24},
		{"ny spring forward day is 23h", ny, "2026-03-08 12:00", "00:00", "2026-03-08 00:00", "2026-03-09 00:00", 23},
		{"ny fall back day is 25h", ny, "2026-11-01 12:00", "00:00", "2026-11-01 00:00", "2026-11-02 00:00", 25},
		// 02:30 does not exist on 2026-03-08; time.Date normalises it to 01:30 EST, for the
		// start of one window and the end of the other alike.
		{"ny reset inside the spring gap", ny, "2026-03-08 12:00", "02:30", "2026-03-08 01:30", "2026-03-09 02:30", 24},
		{"ny before a gap reset", ny, "2026-03-08 01:00", "02:30", "2026-03-07 02:30", "2026-03-08 01:30", 23},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := at(t, tc.loc, tc.now)
			start, reset := FixedDay(now, tc.loc, ParseClock(tc.clock))
			if want := at(t, tc.loc, tc.start); !start.Equal(want) {
				t.Errorf("start = %v, want %v", start.In(tc.loc), want)
			}
			if want := at(t, tc.loc, tc.next); !reset.Equal(want) {
				t.Errorf("reset = %v, want %v", reset.In(tc.loc), want)
			}
			if now.Before(start) || !now.Before(reset) {
				t.Errorf("now %v not in [%v, %v)", now, start, reset)
			}
			if h := reset.Sub(start).Hours(); h != tc.hours {
				t.Errorf("window is %vh, want %vh", h, tc.hours)
			}
		})
	}
}

// TestFixedDayWindowsMeet walks a year in a DST zone minute by minute around each transition
// and hour by hour elsewhere: windows must tile time with no gap and no overlap.
func TestFixedDayWindowsMeet(t *testing.T) {
	for _, name := range []string{"UTC", "Asia/Kolkata", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe"} {
		loc := mustLoc(t, name)
		for _, clock := range []Clock{{}, {2, 30}, {23, 45}} {
			now := time.Date(2026, 1, 1, 0, 0, 0, 0, loc)
			prevStart, prevReset := FixedDay(now, loc, clock)
			for i := 0; i < 366*24*4; i++ {
				now = now.Add(15 * time.Minute)
				start, reset := FixedDay(now, loc, clock)
				if now.Before(start) || !now.Before(reset) {
					t.Fatalf("%s %v: now %v not in [%v, %v)", name, clock, now, start, reset)
				}
				if !start.Equal(prevStart) && !start.Equal(prevReset) {
					t.Fatalf("%s %v: window [%v,%v) does not follow [%v,%v)", name, clock, start, reset, prevStart, prevReset)
				}
				prevStart, prevReset = start, reset
			}
		}
	}
}

func TestWeek(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin") // DST 2026-03-29 02:00 → 03:00
	for _, tc := range []struct {
		name       string
		loc        *time.Location
		now, start string
		hours      float64
	}{
		{"monday itself", time.UTC, "2026-05-04 00:00", "2026-05-04 00:00", 168},
		{"sunday night belongs to the week before", time.UTC, "2026-05-10 23:59", "2026-05-04 00:00", 168},
		{"wednesday", time.UTC, "2026-05-06 13:00", "2026-05-04 00:00", 168},
		{"week across a year end", time.UTC, "2027-01-01 10:00", "2026-12-28 00:00", 168},
		{"berlin week with spring forward", berlin, "2026-03-29 12:00", "2026-03-23 00:00", 167},
		{"berlin local monday differs from utc", berlin, "2026-05-04 00:30", "2026-05-04 00:00", 168},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := at(t, tc.loc, tc.now)
			start, reset := Week(now, tc.loc)
			if want := at(t, tc.loc, tc.start); !start.Equal(want) {
				t.Errorf("start = %v, want %v", start.In(tc.loc), want)
			}
			if start.In(tc.loc).Weekday() != time.Monday || reset.In(tc.loc).Weekday() != time.Monday {
				t.Errorf("week %v–%v does not run Monday to Monday", start, reset)
			}
			if h := reset.Sub(start).Hours(); h != tc.hours {
				t.Errorf("week is %vh, want %vh", h, tc.hours)
			}
		})
	}
}

func TestMonth(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	for _, tc := range []struct {
		name              string
		loc               *time.Location
		now, start, reset string
	}{
		{"mid month", time.UTC, "2026-05-15 12:00", "2026-05-01 00:00", "2026-06-01 00:00"},
		{"last minute of january", time.UTC, "2026-01-31 23:59", "2026-01-01 00:00", "2026-02-01 00:00"},
		{"february of a leap year", time.UTC, "2028-02-29 10:00", "2028-02-01 00:00", "2028-03-01 00:00"},
		{"december rolls the year", time.UTC, "2026-12-31 23:00", "2026-12-01 00:00", "2027-01-01 00:00"},
		{"first instant of the month", time.UTC, "2026-03-01 00:00", "2026-03-01 00:00", "2026-04-01 00:00"},
		{"ny month with a dst change", ny, "2026-03-20 10:00", "2026-03-01 00:00", "2026-04-01 00:00"},
		{"ny local month differs from utc", ny, "2026-04-30 22:00", "2026-04-01 00:00", "2026-05-01 00:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := at(t, tc.loc, tc.now)
			start, reset := Month(now, tc.loc)
			if want := at(t, tc.loc, tc.start); !start.Equal(want) {
				t.Errorf("start = %v, want %v", start.In(tc.loc), want)
			}
			if want := at(t, tc.loc, tc.reset); !reset.Equal(want) {
				t.Errorf("reset = %v, want %v", reset.In(tc.loc), want)
			}
		})
	}
}

func TestSpanOf(t *testing.T) {
	now := time.Date(2026, 5, 6, 13, 0, 0, 0, time.UTC) // a Wednesday
	opened := now.Add(-2 * time.Hour)
	for _, tc := range []struct {
		name    string
		w       Window
		l       catalog.Limits
		fixed5h time.Time
		want    Span
	}{
		{"5h rolling", Window5h, catalog.Limits{}, time.Time{}, Span{Start: now.Add(-5 * time.Hour), Rolling: true}},
		{"5h fixed open", Window5h, catalog.Limits{Limit5hFixed: true}, opened, Span{Start: opened, Reset: opened.Add(5 * time.Hour)}},
		{"5h fixed expired", Window5h, catalog.Limits{Limit5hFixed: true}, now.Add(-5 * time.Hour), Span{Start: now}},
		{"5h fixed never opened", Window5h, catalog.Limits{Limit5hFixed: true}, time.Time{}, Span{Start: now}},
		{"daily rolling", WindowDaily, catalog.Limits{DailyRolling: true}, time.Time{}, Span{Start: now.Add(-24 * time.Hour), Rolling: true}},
		{"daily fixed 18:00", WindowDaily, catalog.Limits{DailyResetTime: "18:00"}, time.Time{},
			Span{Start: time.Date(2026, 5, 5, 18, 0, 0, 0, time.UTC), Reset: time.Date(2026, 5, 6, 18, 0, 0, 0, time.UTC)}},
		{"weekly", WindowWeekly, catalog.Limits{}, time.Time{},
			Span{Start: time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC), Reset: time.Date(2026, 5, 11, 0, 0, 0, 0, time.UTC)}},
		{"monthly", WindowMonthly, catalog.Limits{}, time.Time{},
			Span{Start: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), Reset: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}},
		{"total", WindowTotal, catalog.Limits{}, time.Time{}, Span{}},
		{"cost reset clips the week", WindowWeekly, catalog.Limits{CostResetAt: now.Add(-time.Hour)}, time.Time{},
			Span{Start: now.Add(-time.Hour), Reset: time.Date(2026, 5, 11, 0, 0, 0, 0, time.UTC)}},
		{"cost reset clips rolling 5h", Window5h, catalog.Limits{CostResetAt: now.Add(-time.Hour)}, time.Time{},
			Span{Start: now.Add(-time.Hour), Rolling: true}},
		{"cost reset older than the window changes nothing", WindowDaily, catalog.Limits{CostResetAt: now.Add(-48 * time.Hour)}, time.Time{},
			Span{Start: time.Date(2026, 5, 6, 0, 0, 0, 0, time.UTC), Reset: time.Date(2026, 5, 7, 0, 0, 0, 0, time.UTC)}},
		{"cost reset starts total", WindowTotal, catalog.Limits{CostResetAt: now.Add(-48 * time.Hour)}, time.Time{},
			Span{Start: now.Add(-48 * time.Hour)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := SpanOf(tc.w, &tc.l, now, time.UTC, tc.fixed5h)
			if !got.Start.Equal(tc.want.Start) || !got.Reset.Equal(tc.want.Reset) || got.Rolling != tc.want.Rolling {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	now := time.Date(2026, 5, 6, 13, 0, 0, 0, time.UTC) // Wednesday
	ms := func(d time.Duration) int64 { return now.Add(-d).UnixMilli() }
	h := History{
		Points: []Point{
			{ms(6 * 24 * time.Hour), 1},     // April 30: only the week before → not weekly, not monthly
			{ms(3 * 24 * time.Hour), 10},    // Sunday May 3: monthly only
			{ms(30 * time.Hour), 100},       // Tuesday 07:00: weekly, monthly
			{ms(20 * time.Hour), 1000},      // Tuesday 17:00: rolling 24h, weekly
			{ms(6 * time.Hour), 10000},      // today 07:00: daily
			{ms(4 * time.Hour), 100000},     // 09:00: rolling 5h
			{ms(30 * time.Minute), 1000000}, // 12:30
		},
		Total: 5_000_000,
	}
	l := catalog.Limits{}
	from, _ := LoadRange(&l, now, time.UTC)
	if want := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC); !from.Equal(want) {
		t.Fatalf("LoadRange from = %v, want %v (the month starts before the week)", from, want)
	}
	s := Summarize(h, &l, now, time.UTC)
	check := func(name string, got, want int64) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %d, want %d", name, got, want)
		}
	}
	check("rolling 5h", s.Rolling5h, 1100000)
	check("rolling 24h", s.Rolling24h, 1111000)
	check("daily", s.Daily, 1110000)
	check("weekly", s.Weekly, 1111100)
	check("monthly", s.Monthly, 1111110)
	check("total", s.Total, 5_000_000)
	// Fixed 5h windows replayed: one opens with the first charge; at 09:00 (4h before now)
	// the window opened at 07:00 is still open, and 12:30 is 5h30 after 07:00, so it opened a
	// new window at 12:30.
	check("fixed 5h start", s.Fixed5hStart, ms(30*time.Minute))
	check("fixed 5h", s.Fixed5h, 1000000)
	if len(s.Events) != 4 {
		t.Errorf("events of the last 24h = %d, want 4", len(s.Events))
	}
}
