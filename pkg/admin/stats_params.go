package admin

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/cloudwego/hertz/pkg/app"

	"github.com/cchub/cchub/pkg/store"
)

// Query parameters of the read-side endpoints. As in the logs filter, an empty parameter counts
// as absent and a bad one is a 400 naming it.

// queryEnum reads a parameter that must be one of values; def when absent.
func queryEnum(c *app.RequestContext, name, def string, values ...string) (string, *apiError) {
	s := c.Query(name)
	if s == "" {
		return def, nil
	}
	if !slices.Contains(values, s) {
		return "", badField(name, "must be one of "+strings.Join(values, ", "))
	}
	return s, nil
}

// queryInt reads an integer parameter in [lo, hi]; def when absent.
func queryInt(c *app.RequestContext, name string, def, lo, hi int) (int, *apiError) {
	s := c.Query(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, badField(name, "must be an integer between "+strconv.Itoa(lo)+" and "+strconv.Itoa(hi))
	}
	return n, nil
}

// readUsageFilter reads user_id, key_id, provider_id (positive ids) and model.
func readUsageFilter(c *app.RequestContext) (store.UsageFilter, *apiError) {
	var f store.UsageFilter
	var aerr *apiError
	for _, p := range []struct {
		name string
		dst  *int
	}{{"user_id", &f.UserID}, {"key_id", &f.KeyID}, {"provider_id", &f.ProviderID}} {
		if *p.dst, aerr = queryInt(c, p.name, 0, 1, math.MaxInt32); aerr != nil {
			return f, aerr
		}
	}
	f.Model = c.Query("model")
	if len(f.Model) > 256 {
		return f, badField("model", "must be at most 256 bytes")
	}
	return f, nil
}

// dims maps the split and scope parameter values to usage dimensions.
var dims = map[string]store.UsageDim{
	"user": store.DimUser, "key": store.DimKey, "provider": store.DimProvider, "model": store.DimModel,
}

// readOffsetPage reads limit (1–500, default 50) and cursor for lists that are aggregates
// rather than rows: the cursor is the offset of the next page (next_cursor of the previous one).
func readOffsetPage(c *app.RequestContext) (limit, offset int, aerr *apiError) {
	if limit, aerr = queryInt(c, "limit", defaultPageSize, 1, maxPageSize); aerr != nil {
		return 0, 0, aerr
	}
	if offset, aerr = queryInt(c, "cursor", 0, 0, math.MaxInt32); aerr != nil {
		return 0, 0, badField("cursor", "must be the next_cursor of a previous page")
	}
	return limit, offset, nil
}

func nextOffset(offset, limit int, more bool) *int {
	if !more {
		return nil
	}
	n := offset + limit
	return &n
}
