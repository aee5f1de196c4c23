package admin

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cloudwego/hertz/pkg/app"

	"github.com/cchub/cchub/pkg/jsonx"
	"github.com/cchub/cchub/pkg/money"
)

// opt is one member of a request body after decoding: Set when the member was present, Null when
// it was an explicit null. PATCH needs all three states: absent keeps, null clears, a value sets.
type opt[T any] struct {
	Set  bool
	Null bool
	V    T
}

// has reports whether the member carries a value (present and not null).
func (o opt[T]) has() bool { return o.Set && !o.Null }

// input is a JSON object body split into raw members. Decoding member by member (instead of into
// a struct) lets handlers tell absent from null and name the exact field that is wrong; readers
// record the first error and become no-ops after it, so a handler reads every field and checks
// err once.
type input struct {
	raw map[string]jsonx.RawMessage
	err *apiError
}

// readInput decodes the request body as a JSON object whose members all appear in allowed.
func readInput(c *app.RequestContext, allowed []string) (*input, *apiError) {
	body := bytes.TrimSpace(c.Request.Body())
	if len(body) == 0 || !jsonx.Valid(body) {
		return nil, badRequest("malformed JSON body")
	}
	if body[0] != '{' {
		return nil, badRequest("body must be a JSON object")
	}
	var raw map[string]jsonx.RawMessage
	if err := jsonx.Unmarshal(body, &raw); err != nil {
		return nil, badRequest("malformed JSON body")
	}
	names := make([]string, 0, len(raw))
	for name := range raw {
		names = append(names, name)
	}
	slices.Sort(names) // report the same unknown field every time
	for _, name := range names {
		if !slices.Contains(allowed, name) {
			return nil, badField(name, "unknown field")
		}
	}
	return &input{raw: raw}, nil
}

// member returns the raw value of name: ok=false when absent or after an earlier error.
func (in *input) member(name string) (raw []byte, null, ok bool) {
	if in.err != nil {
		return nil, false, false
	}
	r, present := in.raw[name]
	if !present {
		return nil, false, false
	}
	raw = bytes.TrimSpace(r)
	return raw, string(raw) == "null", true
}

func (in *input) fail(name, msg string) {
	if in.err == nil {
		in.err = badField(name, msg)
	}
}

// str reads a string member. check, when set, validates the value and returns a message.
func (in *input) str(name string, check func(string) string) opt[string] {
	raw, null, ok := in.member(name)
	if !ok {
		return opt[string]{}
	}
	var v string
	if null || len(raw) == 0 || raw[0] != '"' || jsonx.Unmarshal(raw, &v) != nil {
		in.fail(name, "must be a string")
		return opt[string]{}
	}
	if check != nil {
		if msg := check(v); msg != "" {
			in.fail(name, msg)
			return opt[string]{}
		}
	}
	return opt[string]{Set: true, V: v}
}

// enum reads a string member that must be one of values.
func (in *input) enum(name string, values ...string) opt[string] {
	return in.str(name, func(s string) string {
		if slices.Contains(values, s) {
			return ""
		}
		return "must be one of " + strings.Join(values, ", ")
	})
}

func (in *input) boolean(name string) opt[bool] {
	raw, _, ok := in.member(name)
	if !ok {
		return opt[bool]{}
	}
	switch string(raw) {
	case "true":
		return opt[bool]{Set: true, V: true}
	case "false":
		return opt[bool]{Set: true, V: false}
	}
	in.fail(name, "must be true or false")
	return opt[bool]{}
}

// integer reads an integer member within [lo, hi]. nullable allows null (clearing the value).
func (in *input) integer(name string, lo, hi int64, nullable bool) opt[int64] {
	raw, null, ok := in.member(name)
	if !ok {
		return opt[int64]{}
	}
	if null {
		if !nullable {
			in.fail(name, "must not be null")
			return opt[int64]{}
		}
		return opt[int64]{Set: true, Null: true}
	}
	v, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		in.fail(name, "must be an integer")
		return opt[int64]{}
	}
	if v < lo || v > hi {
		in.fail(name, "must be between "+strconv.FormatInt(lo, 10)+" and "+strconv.FormatInt(hi, 10))
		return opt[int64]{}
	}
	return opt[int64]{Set: true, V: v}
}

// number reads a non-negative number member, given as a JSON number or a decimal string.
func (in *input) number(name string, lo float64) opt[float64] {
	raw, null, ok := in.member(name)
	if !ok {
		return opt[float64]{}
	}
	text := string(raw)
	if !null && len(raw) > 0 && raw[0] == '"' {
		if jsonx.Unmarshal(raw, &text) != nil {
			text = ""
		}
		text = strings.TrimSpace(text)
	}
	v, err := strconv.ParseFloat(text, 64)
	if null || err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		in.fail(name, "must be a number")
		return opt[float64]{}
	}
	if v < lo {
		in.fail(name, "must be at least "+strconv.FormatFloat(lo, 'f', -1, 64))
		return opt[float64]{}
	}
	return opt[float64]{Set: true, V: v}
}

// usd reads a money member: a JSON number or a decimal string of USD, stored as nano-USD; null
// clears the limit. A number is parsed from its literal text, not through float64, so "0.1"
// is exactly 100,000,000 nano-USD.
func (in *input) usd(name string) opt[int64] {
	raw, null, ok := in.member(name)
	if !ok {
		return opt[int64]{}
	}
	if null {
		return opt[int64]{Set: true, Null: true}
	}
	text := string(raw)
	if raw[0] == '"' {
		if jsonx.Unmarshal(raw, &text) != nil {
			in.fail(name, "must be a decimal amount of USD")
			return opt[int64]{}
		}
	}
	v, err := money.Parse(text)
	if err != nil && raw[0] != '"' && strings.ContainsAny(text, "eE") {
		// An exponent form such as 1e3 from a JSON encoder: go through float64 once.
		if f, ferr := strconv.ParseFloat(text, 64); ferr == nil {
			v, err = money.FromFloat(f)
		}
	}
	if err != nil {
		in.fail(name, money.ErrInvalid.Error())
		return opt[int64]{}
	}
	return opt[int64]{Set: true, V: v}
}

// timestamp reads an RFC 3339 time member (any offset); null clears it.
func (in *input) timestamp(name string) opt[time.Time] {
	raw, null, ok := in.member(name)
	if !ok {
		return opt[time.Time]{}
	}
	if null {
		return opt[time.Time]{Set: true, Null: true}
	}
	var s string
	if raw[0] != '"' || jsonx.Unmarshal(raw, &s) != nil {
		in.fail(name, "must be an RFC 3339 time string")
		return opt[time.Time]{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		in.fail(name, "must be an RFC 3339 time such as 2026-01-02T15:04:05Z")
		return opt[time.Time]{}
	}
	// Stored in UTC (see API.now) at the microsecond precision both databases keep.
	return opt[time.Time]{Set: true, V: t.UTC().Truncate(time.Microsecond)}
}

// stringList reads an array of strings; null clears it. check validates each element.
func (in *input) stringList(name string, check func(string) string) opt[[]string] {
	raw, null, ok := in.member(name)
	if !ok {
		return opt[[]string]{}
	}
	if null {
		return opt[[]string]{Set: true, Null: true}
	}
	var v []string
	if raw[0] != '[' || jsonx.Unmarshal(raw, &v) != nil {
		in.fail(name, "must be an array of strings")
		return opt[[]string]{}
	}
	for _, s := range v {
		if check != nil {
			if msg := check(s); msg != "" {
				in.fail(name, msg)
				return opt[[]string]{}
			}
		}
	}
	return opt[[]string]{Set: true, V: v}
}

// stringMap reads an object of string to string; null clears it.
func (in *input) stringMap(name string, check func(k, v string) string) opt[map[string]string] {
	raw, null, ok := in.member(name)
	if !ok {
		return opt[map[string]string]{}
	}
	if null {
		return opt[map[string]string]{Set: true, Null: true}
	}
	var v map[string]string
	if raw[0] != '{' || jsonx.Unmarshal(raw, &v) != nil {
		in.fail(name, "must be an object mapping strings to strings")
		return opt[map[string]string]{}
	}
	for k, s := range v {
		if check != nil {
			if msg := check(k, s); msg != "" {
				in.fail(name, msg)
				return opt[map[string]string]{}
			}
		}
	}
	return opt[map[string]string]{Set: true, V: v}
}

// require records an error when a create request lacks a mandatory member.
func (in *input) require(name string, present bool) {
	if !present {
		in.fail(name, "is required")
	}
}
