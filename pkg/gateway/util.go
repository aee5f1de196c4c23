package gateway

import (
	"strconv"
)

func quote(s string) string { return strconv.Quote(s) }

// startsWithObject reports whether body's first non-space byte opens an object.
func startsWithObject(body []byte) bool {
	i := skipSpace(body, 0)
	return i < len(body) && body[i] == '{'
}
