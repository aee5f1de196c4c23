package admin

import (
	"context"
	"time"

	"github.com/cchub/cchub/ent"
)

// defaultActivityTTL is the session activity window when neither the settings nor
// Config.ActivityTTL give one (SESSION_TTL's default).
const defaultActivityTTL = 5 * time.Minute

// readEnv is what the read-side endpoints (statistics, leaderboard, sessions, /me usage) work
// from: the clock, the hub's timezone and the session activity window, resolved from the
// settings row with the environment (TZ, SESSION_TTL) as the fallback.
type readEnv struct {
	now time.Time
	loc *time.Location
	ttl time.Duration
}

// readEnv loads the settings and resolves them. The row is one primary-key read.
func (a *API) readEnv(ctx context.Context) (readEnv, *ent.SystemSetting, error) {
	row, err := a.cfg.Store.Settings(ctx)
	if err != nil {
		return readEnv{}, nil, err
	}
	return readEnv{now: a.now(), loc: a.location(row), ttl: a.activityTTL(row)}, row, nil
}

// location is the settings' timezone, else TZ, else UTC. A stored name this build cannot load
// (it was validated when saved) falls back to TZ rather than failing every statistic.
func (a *API) location(row *ent.SystemSetting) *time.Location {
	if row != nil && row.Timezone != "" {
		if loc, err := time.LoadLocation(row.Timezone); err == nil {
			return loc
		}
	}
	if a.cfg.Location != nil {
		return a.cfg.Location
	}
	return time.UTC
}

// activityTTL is the settings' session TTL, else SESSION_TTL, else 5 minutes.
func (a *API) activityTTL(row *ent.SystemSetting) time.Duration {
	if row != nil && row.SessionTTLSeconds > 0 {
		return time.Duration(row.SessionTTLSeconds) * time.Second
	}
	if a.cfg.ActivityTTL > 0 {
		return a.cfg.ActivityTTL
	}
	return defaultActivityTTL
}

// Calendar boundaries in loc. time.Date normalises days and months that overflow, and picks an
// instant for a midnight that a DST change skips.

func dayStart(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// addDays returns the start of the day n days after the day that starts at start.
func addDays(start time.Time, n int, loc *time.Location) time.Time {
	y, m, d := start.In(loc).Date()
	return time.Date(y, m, d+n, 0, 0, 0, 0, loc)
}

// weekStart is the start of t's week; weeks begin on Monday, as quota windows do.
func weekStart(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	back := (int(l.Weekday()) + 6) % 7
	y, m, d := l.Date()
	return time.Date(y, m, d-back, 0, 0, 0, 0, loc)
}

func monthStart(t time.Time, loc *time.Location) time.Time {
	y, m, _ := t.In(loc).Date()
	return time.Date(y, m, 1, 0, 0, 0, 0, loc)
}
