package admin

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cloudwego/hertz/pkg/app"

	"github.com/cchub/cchub/ent/predicate"
	"github.com/cchub/cchub/ent/requestlog"
)

// readLogFilter turns the query parameters of GET /api/v1/logs into predicates: exact matches on
// user_id, key_id, provider_id, status_code, model, session_id and endpoint, and the time range
// from (inclusive) to to (exclusive), both RFC 3339. An empty parameter counts as absent, as HTML
// forms send them; a bad value is a 400 naming the parameter.
func readLogFilter(c *app.RequestContext) ([]predicate.RequestLog, *apiError) {
	var preds []predicate.RequestLog
	// Ids are matched as given, 0 included: provider_id 0 selects requests that never reached a
	// provider, user_id/key_id 0 those rejected before authentication.
	ints := []struct {
		name string
		max  int
		pred func(int) predicate.RequestLog
	}{
		{"user_id", math.MaxInt32, requestlog.UserID},
		{"key_id", math.MaxInt32, requestlog.KeyID},
		{"provider_id", math.MaxInt32, requestlog.ProviderID},
		{"status_code", 999, requestlog.StatusCode},
	}
	for _, f := range ints {
		s := c.Query(f.name)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > f.max {
			return nil, badField(f.name, "must be an integer between 0 and "+strconv.Itoa(f.max))
		}
		preds = append(preds, f.pred(n))
	}
	strs := []struct {
		name string
		max  int
		pred func(string) predicate.RequestLog
	}{
		{"model", 256, requestlog.Model},
		{"session_id", 128, requestlog.SessionID},
		{"endpoint", 128, requestlog.Endpoint},
	}
	for _, f := range strs {
		s := c.Query(f.name)
		if s == "" {
			continue
		}
		if len(s) > f.max {
			return nil, badField(f.name, "must be at most "+strconv.Itoa(f.max)+" bytes")
		}
		preds = append(preds, f.pred(s))
	}
	from, aerr := queryTime(c, "from")
	if aerr != nil {
		return nil, aerr
	}
	to, aerr := queryTime(c, "to")
	if aerr != nil {
		return nil, aerr
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return nil, badField("to", "must not be before from")
	}
	if !from.IsZero() {
		preds = append(preds, requestlog.CreatedAtGTE(from))
	}
	if !to.IsZero() {
		preds = append(preds, requestlog.CreatedAtLT(to))
	}
	return preds, nil
}

// queryTime parses an RFC 3339 query parameter (zero when absent) into the form stored times
// have: UTC, since SQLite compares them as text, and whole microseconds, rounded up so that
// >= and < on the stored microsecond values mean the same as on the exact instant.
func queryTime(c *app.RequestContext, name string) (time.Time, *apiError) {
	s := c.Query(name)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil && strings.Contains(s, " ") {
		// An unencoded "+01:00" offset arrives as " 01:00" after form decoding.
		t, err = time.Parse(time.RFC3339Nano, strings.ReplaceAll(s, " ", "+"))
	}
	if err != nil {
		return time.Time{}, badField(name, "must be an RFC 3339 time such as 2026-01-02T15:04:05Z")
	}
	t = t.UTC()
	if r := t.Truncate(time.Microsecond); !r.Equal(t) {
		t = r.Add(time.Microsecond)
	}
	return t, nil
}
