package usage

import "strings"

// Key names for mayHaveKey: the name and its closing quote. The opening quote is checked
// separately because searching for a pattern that starts with '"' is slow in JSON, where every
// other byte run starts with one.
const (
	keyUsage         = `usage"`
	keyUsageMetadata = `usageMetadata"`
)

// mayHaveKey reports whether data might contain the key (as `"name"`) with a non-null value.
// It is the cheap test that lets content deltas, which are nearly every event of a stream,
// skip JSON parsing entirely, including OpenAI's chunks that carry `"usage":null` until the
// last one.
//
// It may say yes wrongly (the key nested elsewhere, or a string value followed by ':' inside
// a string), which only costs a real lookup. It must not say no wrongly for JSON whose keys
// are written without escapes: inside a JSON string the sequence `"usage"` is impossible (its
// quotes would be escaped), so any occurrence followed by ':' is a key. A key spelled with \u
// escapes is not recognised; no upstream does that. FuzzMayHaveKey pins this against sonic.
func mayHaveKey(data []byte, key string) bool {
	s := text(data)
	for {
		i := strings.Index(s, key)
		if i < 0 {
			return false
		}
		quoted := i > 0 && s[i-1] == '"'
		s = s[i+len(key):]
		if !quoted {
			continue
		}
		j := skipWS(s, 0)
		if j < len(s) && s[j] == ':' {
			if j = skipWS(s, j+1); j < len(s) && s[j] != 'n' {
				return true
			}
		}
	}
}
