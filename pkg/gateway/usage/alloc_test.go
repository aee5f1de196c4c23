package usage

import (
	"bytes"
	"testing"

	"github.com/cchub/cchub/pkg/gateway/catalog"
	"github.com/cchub/cchub/pkg/gateway/sse"
)

type rawEvent struct{ event, data []byte }

// fixtureEvents returns a fixture's events, copied out of the scanner.
func fixtureEvents(t testing.TB, file string) []rawEvent {
	var evs []rawEvent
	sc := sse.NewScanner(sse.HandlerFunc(func(ev, data []byte) {
		evs = append(evs, rawEvent{bytes.Clone(ev), bytes.Clone(data)})
	}))
	sc.Feed(fixture(t, file))
	sc.Flush()
	return evs
}

// pick returns the first event of file whose payload contains marker.
func pick(t testing.TB, file, marker string) rawEvent {
	for _, e := range fixtureEvents(t, file) {
		if bytes.Contains(e.data, []byte(marker)) {
			return e
		}
	}
	t.Fatalf("%s: no event containing %q", file, marker)
	return rawEvent{}
}

// TestStreamAllocs holds every event kind to a budget of zero allocations once the Stream has
// seen one event (the model name is copied into a buffer the Stream keeps).
func TestStreamAllocs(t *testing.T) {
	unnamed := func(e rawEvent) rawEvent { return rawEvent{nil, e.data} }
	for _, tc := range []struct {
		name   string
		format catalog.Format
		ev     rawEvent
	}{
		{"anthropic text delta", catalog.FormatAnthropic, pick(t, "anthropic_stream.sse", "text_delta")},
		{"anthropic delta without event line", catalog.FormatAnthropic, unnamed(pick(t, "anthropic_stream.sse", "text_delta"))},
		{"anthropic message_start", catalog.FormatAnthropic, pick(t, "anthropic_stream.sse", "message_start")},
		{"anthropic message_delta", catalog.FormatAnthropic, pick(t, "anthropic_stream.sse", `"message_delta"`)},
		{"anthropic message_delta without event line", catalog.FormatAnthropic, unnamed(pick(t, "anthropic_stream.sse", `"message_delta"`))},
		{"responses text delta", catalog.FormatResponses, pick(t, "responses_stream.sse", "output_text.delta")},
		{"responses created (usage null), unnamed", catalog.FormatResponses, unnamed(pick(t, "responses_stream.sse", "response.created"))},
		{"responses completed", catalog.FormatResponses, pick(t, "responses_stream.sse", "response.completed")},
		{"chat delta with usage null", catalog.FormatChat, pick(t, "chat_stream.sse", `"content":"Sure"`)},
		{"chat usage chunk", catalog.FormatChat, pick(t, "chat_stream.sse", `"prompt_tokens"`)},
		{"chat done", catalog.FormatChat, pick(t, "chat_stream.sse", "[DONE]")},
		{"gemini chunk (always carries usage)", catalog.FormatGemini, pick(t, "gemini_stream.sse", "STOP")},
	} {
		st := NewStream(tc.format)
		st.OnEvent(tc.ev.event, tc.ev.data)
		a := testing.AllocsPerRun(200, func() { st.OnEvent(tc.ev.event, tc.ev.data) })
		t.Logf("%-45s %v allocs/event", tc.name, a)
		if a != 0 && !raceEnabled {
			t.Errorf("%s: %v allocs per event, want 0", tc.name, a)
		}
	}
}

// TestTapWithStreamAllocs: a whole stream relayed through a reused Tap and Stream, in 4 KiB
// reads, allocates nothing, usage events and model included.
func TestTapWithStreamAllocs(t *testing.T) {
	for _, fx := range streamFixtures {
		in := fixture(t, fx.file)
		src := bytes.NewReader(in)
		st := NewStream(fx.format)
		var tap sse.Tap
		buf := make([]byte, 4096)
		run := func() {
			src.Reset(in)
			st.Reset(fx.format)
			tap.Reset(src, st)
			for {
				if _, err := tap.Read(buf); err != nil {
					break
				}
			}
		}
		run()
		a := testing.AllocsPerRun(50, run)
		t.Logf("%-30s %v allocs/stream", fx.file, a)
		if a != 0 && !raceEnabled {
			t.Errorf("%s: %v allocs per stream, want 0", fx.file, a)
		}
		if st.Usage() != fx.want {
			t.Errorf("%s: usage %+v", fx.file, st.Usage())
		}
	}
}
