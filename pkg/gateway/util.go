package gateway

import (
	"strconv"
	"strings"
)

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

func quote(s string) string { return strconv.Quote(s) }

// startsWithObject reports whether body's first non-space byte opens an object.
func startsWithObject(body []byte) bool {
	i := skipSpace(body, 0)
	return i < len(body) && body[i] == '{'
}
