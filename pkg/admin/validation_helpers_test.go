package admin

import (
	"maps"
	"testing"
)

// absent removes a member from the base body in a validation case.
type absent struct{}

// badInput is one invalid request: set field to value (or remove it) and expect a 400 naming
// wantField (field itself when empty).
type badInput struct {
	field     string
	value     any
	wantField string
}

// expectBadInputs sends each case as base+change and checks the 400 names the field.
func expectBadInputs(t *testing.T, h *harness, method, path string, base map[string]any, cases []badInput) {
	t.Helper()
	for _, c := range cases {
		body := maps.Clone(base)
		if _, ok := c.value.(absent); ok {
			delete(body, c.field)
		} else {
			body[c.field] = c.value
		}
		want := c.wantField
		if want == "" {
			want = c.field
		}
		r := h.admin(method, path, body)
		if r.Status != 400 {
			t.Errorf("%s=%v: status %d, want 400 (%s)", c.field, c.value, r.Status, r.Body)
			continue
		}
		var e errorBody
		r.decode(&e)
		if e.Error.Field != want || e.Error.Message == "" {
			t.Errorf("%s=%v: error %+v, want field %q", c.field, c.value, e.Error, want)
		}
	}
}

func repeat(s string, n int) string {
	b := make([]byte, 0, len(s)*n)
	for range n {
		b = append(b, s...)
	}
	return string(b)
}
