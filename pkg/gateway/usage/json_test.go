package usage

import (
	"testing"

	"github.com/cchub/cchub/pkg/billing"
	"github.com/cchub/cchub/pkg/gateway/catalog"
)

func TestFromJSONFixtures(t *testing.T) {
	for _, tc := range []struct {
		file   string
		format catalog.Format
		want   billing.Usage
	}{
		{"anthropic.json", catalog.FormatAnthropic, billing.Usage{InputTokens: 25, OutputTokens: 120,
			CacheCreationTokens: 1500, CacheCreation5mTokens: 500, CacheCreation1hTokens: 1000, CacheReadTokens: 3000}},
		{"responses.json", catalog.FormatResponses, billing.Usage{InputTokens: 808, OutputTokens: 300, CacheReadTokens: 8192}},
		{"chat.json", catalog.FormatChat, billing.Usage{InputTokens: 488, OutputTokens: 50, CacheReadTokens: 512}},
		{"gemini.json", catalog.FormatGemini, billing.Usage{InputTokens: 800, OutputTokens: 100}},
		{"gemini_array.json", catalog.FormatGemini, billing.Usage{InputTokens: 154, OutputTokens: 73, CacheReadTokens: 256}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got, ok := FromJSON(tc.format, fixture(t, tc.file))
			if !ok || got != tc.want {
				t.Fatalf("got %+v (ok %v), want %+v", got, ok, tc.want)
			}
		})
	}
}

func TestFromJSONShapes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		format catalog.Format
		body   string
		want   billing.Usage
		ok     bool
	}{
		{"responses envelope", catalog.FormatResponses,
			`{"type":"response.completed","response":{"usage":{"input_tokens":10,"output_tokens":2}}}`,
			billing.Usage{InputTokens: 10, OutputTokens: 2}, true},
		{"chat does not look inside response", catalog.FormatChat,
			`{"response":{"usage":{"prompt_tokens":10}}}`, billing.Usage{}, false},
		{"gemini code assist envelope", catalog.FormatGemini,
			`{"response":{"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":1}}}`,
			billing.Usage{InputTokens: 9, OutputTokens: 1}, true},
		{"gemini array without usage", catalog.FormatGemini, ` [{"candidates":[]}, 3, "x"]`, billing.Usage{}, false},
		{"null usage", catalog.FormatAnthropic, `{"usage":null}`, billing.Usage{}, false},
		{"empty usage is found", catalog.FormatAnthropic, `{"usage":{}}`, billing.Usage{}, true},
		{"not json", catalog.FormatChat, `<html>502 Bad Gateway</html>`, billing.Usage{}, false},
		{"truncated", catalog.FormatAnthropic, `{"usage":{"input_tokens":5`, billing.Usage{}, false},
		{"empty body", catalog.FormatGemini, ``, billing.Usage{}, false},
		{"unknown format", 0, `{"usage":{"input_tokens":5}}`, billing.Usage{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := FromJSON(tc.format, []byte(tc.body))
			if ok != tc.ok || got != tc.want {
				t.Fatalf("got %+v (ok %v), want %+v (ok %v)", got, ok, tc.want, tc.ok)
			}
		})
	}
}
