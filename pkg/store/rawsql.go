package store

import (
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect"
)

// Aggregate queries (statistics, sessions, retention) are plain SQL: ent's builders cannot
// express GROUP BY over a dimension chosen at run time without losing the column types. They
// are written with ? placeholders and rebound for Postgres.

// rebind rewrites the ? placeholders of q into Postgres' $1, $2, … when the store is Postgres.
// The queries it is used on contain no ? inside string literals.
func (s *Store) rebind(q string) string {
	if s.Dialect != dialect.Postgres {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// readDB is the pool for read-only queries (SQLite's reader connections; Postgres' one pool).
func (s *Store) readDB() *sql.DB { return s.readerDB }

// dbTime is a time argument as stored: UTC (SQLite compares the text form) at microseconds.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// sqliteTimeLayouts are the text forms SQLite may hand back for a time that went through an
// expression (MIN, MAX), which loses the column's DATETIME type and with it the driver's
// conversion: the driver's own format first, then ISO forms.
var sqliteTimeLayouts = []string{
	"2006-01-02 15:04:05.999999999 -0700 MST", // time.Time.String, what the driver writes
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999Z07:00",
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
}

// scanTime converts a scanned time value (time.Time, or text from SQLite) to UTC.
func scanTime(v any) (time.Time, error) {
	switch t := v.(type) {
	case time.Time:
		return t.UTC(), nil
	case string:
		return parseDBTime(t)
	case []byte:
		return parseDBTime(string(t))
	case nil:
		return time.Time{}, nil
	}
	return time.Time{}, fmt.Errorf("unexpected time value %T", v)
}

func parseDBTime(s string) (time.Time, error) {
	// The driver may append Go's monotonic-clock or zone-name suffix in some versions.
	if i := strings.Index(s, " m="); i >= 0 {
		s = s[:i]
	}
	for _, l := range sqliteTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unparseable time %q", s)
}
