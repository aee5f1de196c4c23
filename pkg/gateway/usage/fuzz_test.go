package usage

import (
	"testing"

	"github.com/cchub/cchub/pkg/billing"
	"github.com/cchub/cchub/pkg/gateway/catalog"
)

func checkUsage(t *testing.T, u billing.Usage) {
	t.Helper()
	if u.InputTokens < 0 || u.OutputTokens < 0 || u.CacheReadTokens < 0 ||
		u.CacheCreation5mTokens < 0 || u.CacheCreation1hTokens < 0 {
		t.Fatalf("negative usage %+v", u)
	}
	if u.CacheCreationTokens != u.CacheCreation5mTokens+u.CacheCreation1hTokens {
		t.Fatalf("cache buckets do not add up: %+v", u)
	}
}

// FuzzUsage feeds arbitrary payloads, under arbitrary event names, to every format's stream
// parser and to FromJSON: nothing may panic, and what comes out must be a sane Usage.
func FuzzUsage(f *testing.F) {
	for _, fx := range streamFixtures {
		for _, e := range fixtureEvents(f, fx.file) {
			f.Add(string(e.event), e.data)
		}
	}
	for _, name := range []string{"anthropic.json", "responses.json", "chat.json", "gemini.json", "gemini_array.json"} {
		f.Add("", fixture(f, name))
	}
	f.Fuzz(func(t *testing.T, event string, data []byte) {
		for fm := catalog.FormatAnthropic; fm <= catalog.FormatGemini; fm++ {
			st := NewStream(fm)
			st.OnEvent([]byte(event), data)
			st.OnEvent(nil, data)
			checkUsage(t, st.Usage())
			u, _ := FromJSON(fm, data)
			checkUsage(t, u)
		}
	})
}
