package usage

import (
	"bytes"
	"testing"

	"github.com/cchub/cchub/pkg/jsonx"
)

var prefilterCases = []struct {
	data string
	key  string
	want bool
}{
	{`{"usage":{"input_tokens":1}}`, keyUsage, true},
	{`{"usage" :  {"input_tokens":1}}`, keyUsage, true},
	{`{"usage":null}`, keyUsage, false},
	{`{"usage": null,"x":1}`, keyUsage, false},
	{`{"choices":[{"delta":{"content":"usage"}}],"usage":null}`, keyUsage, false},
	{`{"delta":{"text":"\"usage\": {\"input_tokens\": 1}"}}`, keyUsage, false},
	{`{"a":{"usage":5}}`, keyUsage, true}, // nested: a harmless false positive
	{`{"usageMetadata":{"promptTokenCount":1}}`, keyUsage, false},
	{`{"usageMetadata":{"promptTokenCount":1}}`, keyUsageMetadata, true},
	{`{"usage":null,"usage":{}}`, keyUsage, true},
	{`{"myusage":{}}`, keyUsage, false},
	{`usage"`, keyUsage, false},
	{`"usage"`, keyUsage, false},
	{`"usage":`, keyUsage, false},
	{``, keyUsage, false},
}

func TestMayHaveKey(t *testing.T) {
	for _, tc := range prefilterCases {
		if got := mayHaveKey([]byte(tc.data), tc.key); got != tc.want {
			t.Errorf("mayHaveKey(%s, %s) = %v", tc.data, tc.key, got)
		}
	}
}

// hasNonNullKey walks decoded JSON for an object member named key whose value is not null.
func hasNonNullKey(v any, key string) bool {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if (k == key && x != nil) || hasNonNullKey(x, key) {
				return true
			}
		}
	case []any:
		for _, x := range v {
			if hasNonNullKey(x, key) {
				return true
			}
		}
	}
	return false
}

// FuzzMayHaveKey: the prefilter may only err towards yes. Whenever a real JSON decode finds a
// non-null "usage" or "usageMetadata" anywhere, the prefilter must have said yes.
func FuzzMayHaveKey(f *testing.F) {
	for _, tc := range prefilterCases {
		f.Add([]byte(tc.data))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if bytes.IndexByte(data, '\\') >= 0 || !jsonx.Valid(data) {
			return
		}
		var v any
		if jsonx.Unmarshal(data, &v) != nil {
			return
		}
		for _, key := range []string{"usage", "usageMetadata"} {
			if hasNonNullKey(v, key) && !mayHaveKey(data, key+`"`) {
				t.Fatalf("prefilter missed %q in %s", key, data)
			}
		}
	})
}

func BenchmarkMayHaveKey(b *testing.B) {
	data := pick(b, "chat_stream.sse", `"content":"Sure"`).data
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		mayHaveKey(data, keyUsage)
	}
}
