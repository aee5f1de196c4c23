package admin

import (
	"time"

	"github.com/cchub/cchub/pkg/money"
)

// Output formatting shared by the resource views: money as decimal strings (never floats), times
// as RFC 3339 in UTC, unset values as null, empty lists as [] rather than null.

func usdOut(n *int64) *string {
	if n == nil {
		return nil
	}
	s := money.Format(*n)
	return &s
}

// timeOut formats t in UTC at microsecond precision, the precision Postgres keeps, so a value
// answered right after a write equals the one read back later on either database.
func timeOut(t time.Time) string {
	return t.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
}

func timeOutP(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := timeOut(*t)
	return &s
}

func listOut(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

func mapOut(v map[string]string) map[string]string {
	if v == nil {
		return map[string]string{}
	}
	return v
}
