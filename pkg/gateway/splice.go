package gateway

import (
	"bytes"
	"errors"
)

var errNotObject = errors.New("request body is not a JSON object")

// topLevelValue finds the byte range [start,end) of the value of key in the top-level JSON
// object, scanning once without decoding. Splicing at that range changes nothing else in the
// body, not even whitespace, which keeps upstream prompt caches warm.
func topLevelValue(body []byte, key string) (start, end int, found bool, err error) {
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return 0, 0, false, errNotObject
	}
	i++
	for {
		i = skipSpace(body, i)
		if i >= len(body) {
			return 0, 0, false, errNotObject
		}
		if body[i] == '}' {
			return 0, 0, false, nil
		}
		if body[i] == ',' {
			i++
			continue
		}
		if body[i] != '"' {
			return 0, 0, false, errNotObject
		}
		ks := i
		i = skipString(body, i)
		if i < 0 {
			return 0, 0, false, errNotObject
		}
		isKey := i-ks == len(key)+2 && string(body[ks+1:i-1]) == key
		i = skipSpace(body, i)
		if i >= len(body) || body[i] != ':' {
			return 0, 0, false, errNotObject
		}
		i = skipSpace(body, i+1)
		vs := i
		i = skipValue(body, i)
		if i < 0 {
			return 0, 0, false, errNotObject
		}
		if isKey {
			return vs, i, true, nil
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// skipString returns the index just past the string starting at b[i] == '"', or -1.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

// skipValue returns the index just past the JSON value starting at b[i], or -1.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				if i = skipString(b, i); i < 0 {
					return -1
				}
				i--
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return -1
	default:
		for ; i < len(b); i++ {
			switch b[i] {
			case ',', '}', ']', ' ', '\n', '\r', '\t':
				return i
			}
		}
		return i
	}
}

// spliceTopLevel replaces (or adds, when absent) a top-level field's raw JSON value.
func spliceTopLevel(body []byte, key string, rawValue []byte) ([]byte, error) {
	s, e, found, err := topLevelValue(body, key)
	if err != nil {
		return nil, err
	}
	if found {
		out := make([]byte, 0, len(body)-(e-s)+len(rawValue))
		out = append(out, body[:s]...)
		out = append(out, rawValue...)
		return append(out, body[e:]...), nil
	}
	// Absent: insert right after the opening brace.
	open := bytes.IndexByte(body, '{')
	rest := body[open+1:]
	out := make([]byte, 0, len(body)+len(key)+len(rawValue)+4)
	out = append(out, body[:open+1]...)
	out = append(out, '"')
	out = append(out, key...)
	out = append(out, '"', ':')
	out = append(out, rawValue...)
	if len(bytes.TrimSpace(rest)) > 0 && bytes.TrimSpace(rest)[0] != '}' {
		out = append(out, ',')
	}
	return append(out, rest...), nil
}
