package usage

import (
	"bytes"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/cchub/cchub/pkg/billing"
	"github.com/cchub/cchub/pkg/gateway/catalog"
	"github.com/cchub/cchub/pkg/gateway/sse"
	"github.com/cchub/cchub/pkg/jsonx"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var streamFixtures = []struct {
	file   string
	format catalog.Format
	want   billing.Usage
	model  string
}{
	{"anthropic_stream.sse", catalog.FormatAnthropic, billing.Usage{
		InputTokens: 3, OutputTokens: 412, CacheCreationTokens: 2830,
		CacheCreation5mTokens: 830, CacheCreation1hTokens: 2000, CacheReadTokens: 19877,
	}, "claude-sonnet-4-5-20250929"},
	// A relay that strips event: lines, uses CRLF, reports zeros in message_start and the real
	// counts (with a flat 1h cache field) only in message_delta.
	{"anthropic_relay_stream.sse", catalog.FormatAnthropic, billing.Usage{
		InputTokens: 1520, OutputTokens: 77, CacheCreationTokens: 600, CacheCreation1hTokens: 600,
	}, "claude-opus-4-1-20250805"},
	// input_tokens 5210 includes 4992 cached; reasoning tokens are inside output_tokens.
	{"responses_stream.sse", catalog.FormatResponses, billing.Usage{
		InputTokens: 218, OutputTokens: 145, CacheReadTokens: 4992,
	}, "gpt-5-codex"},
	{"chat_stream.sse", catalog.FormatChat, billing.Usage{
		InputTokens: 128, OutputTokens: 37, CacheReadTokens: 1920,
	}, "gpt-4o-2024-08-06"},
	// Last chunk: prompt 1200 with 1024 cached, 85 candidates + 244 thoughts.
	{"gemini_stream.sse", catalog.FormatGemini, billing.Usage{
		InputTokens: 176, OutputTokens: 329, CacheReadTokens: 1024,
	}, "gemini-2.5-pro"},
	{"gemini_codeassist_stream.sse", catalog.FormatGemini, billing.Usage{
		InputTokens: 50, OutputTokens: 7,
	}, "gemini-2.5-pro"},
}

// chunkReader hands out data in the given read sizes, then the rest at once.
type chunkReader struct {
	data  []byte
	sizes []int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := len(r.data)
	if len(r.sizes) > 0 {
		n, r.sizes = min(r.sizes[0], n), r.sizes[1:]
	}
	n = copy(p, r.data[:n])
	r.data = r.data[n:]
	return n, nil
}

// relayThrough runs in through a tap split into the given reads and returns what the client
// would have received and the stream's findings.
func relayThrough(t testing.TB, format catalog.Format, in []byte, sizes []int) ([]byte, *Stream) {
	t.Helper()
	st := NewStream(format)
	tap := sse.NewTap(&chunkReader{data: in, sizes: sizes}, st)
	out, err := io.ReadAll(tap)
	if err != nil {
		t.Fatal(err)
	}
	tap.Close()
	return out, st
}

func TestStreamFixtures(t *testing.T) {
	for _, fx := range streamFixtures {
		t.Run(fx.file, func(t *testing.T) {
			in := fixture(t, fx.file)
			check := func(how string, sizes []int) {
				t.Helper()
				out, st := relayThrough(t, fx.format, in, sizes)
				if !bytes.Equal(out, in) {
					t.Fatalf("%s: relayed bytes differ from upstream", how)
				}
				if got := st.Usage(); got != fx.want || !st.Seen() {
					t.Fatalf("%s: usage %+v (seen %v), want %+v", how, got, st.Seen(), fx.want)
				}
				if got := st.Model(); got != fx.model {
					t.Fatalf("%s: model %q, want %q", how, got, fx.model)
				}
			}
			check("one read", nil)
			for i := 1; i < len(in); i++ {
				check("split at "+strconv.Itoa(i), []int{i})
			}
			ones := make([]int, len(in))
			for i := range ones {
				ones[i] = 1
			}
			check("1-byte reads", ones)
			rng := rand.New(rand.NewPCG(uint64(len(in)), 7))
			for range 200 {
				var sizes []int
				for left := len(in); left > 0; {
					n := 1 + rng.IntN(min(left, 300))
					sizes, left = append(sizes, n), left-n
				}
				check("random reads", sizes)
			}
		})
	}
}

// TestFixturesAreValidJSON keeps the fixtures honest: every data payload but [DONE] parses.
func TestFixturesAreValidJSON(t *testing.T) {
	for _, fx := range streamFixtures {
		n := 0
		sc := sse.NewScanner(sse.HandlerFunc(func(_, data []byte) {
			n++
			if string(data) != "[DONE]" && !jsonx.Valid(data) {
				t.Errorf("%s: invalid JSON event %q", fx.file, data)
			}
		}))
		sc.Feed(fixture(t, fx.file))
		sc.Flush()
		if n < 2 {
			t.Errorf("%s: only %d events", fx.file, n)
		}
	}
}

func TestStreamAnthropicAbortedBeforeDelta(t *testing.T) {
	// The client left after message_start: input and cache are known, output is the
	// placeholder, and Seen says something was found.
	in := fixture(t, "anthropic_stream.sse")
	cut := bytes.Index(in, []byte("event: content_block_start"))
	_, st := relayThrough(t, catalog.FormatAnthropic, in[:cut], nil)
	want := billing.Usage{InputTokens: 3, OutputTokens: 1, CacheCreationTokens: 2830,
		CacheCreation5mTokens: 830, CacheCreation1hTokens: 2000, CacheReadTokens: 19877}
	if got := st.Usage(); got != want || !st.Seen() {
		t.Fatalf("usage %+v, want %+v", got, want)
	}
}

func TestStreamMergeRules(t *testing.T) {
	type ev struct{ event, data string }
	cases := []struct {
		name   string
		format catalog.Format
		events []ev
		want   billing.Usage
	}{
		{"anthropic delta output wins, zeros do not erase", catalog.FormatAnthropic, []ev{
			{"message_start", `{"type":"message_start","message":{"usage":{"input_tokens":10,"cache_read_input_tokens":5,"output_tokens":1}}}`},
			{"message_delta", `{"type":"message_delta","usage":{"input_tokens":0,"output_tokens":20}}`},
			{"message_delta", `{"type":"message_delta","usage":{"output_tokens":33}}`},
		}, billing.Usage{InputTokens: 10, OutputTokens: 33, CacheReadTokens: 5}},
		{"anthropic unsplit cache write goes to 5m", catalog.FormatAnthropic, []ev{
			{"message_start", `{"type":"message_start","message":{"usage":{"input_tokens":1,"cache_creation_input_tokens":700}}}`},
		}, billing.Usage{InputTokens: 1, CacheCreationTokens: 700, CacheCreation5mTokens: 700}},
		{"anthropic partial split keeps the rest in 5m", catalog.FormatAnthropic, []ev{
			{"message_start", `{"type":"message_start","message":{"usage":{"cache_creation_input_tokens":700,"cache_creation":{"ephemeral_1h_input_tokens":200}}}}`},
		}, billing.Usage{CacheCreationTokens: 700, CacheCreation5mTokens: 500, CacheCreation1hTokens: 200}},
		{"anthropic relay claude_cache_creation fields", catalog.FormatAnthropic, []ev{
			{"message_delta", `{"type":"message_delta","usage":{"output_tokens":4,"claude_cache_creation_5_m_tokens":3,"claude_cache_creation_1_h_tokens":9}}`},
		}, billing.Usage{OutputTokens: 4, CacheCreationTokens: 12, CacheCreation5mTokens: 3, CacheCreation1hTokens: 9}},
		{"anthropic ignores other events that mention usage", catalog.FormatAnthropic, []ev{
			{"content_block_delta", `{"type":"content_block_delta","usage":{"input_tokens":999}}`},
			{"", `{"type":"content_block_delta","usage":{"input_tokens":999}}`},
		}, billing.Usage{}},
		{"anthropic floats truncate, negatives read as 0, strings are not counts", catalog.FormatAnthropic, []ev{
			{"message_start", `{"type":"message_start","message":{"usage":{"output_tokens":1}}}`},
			{"message_delta", `{"type":"message_delta","usage":{"input_tokens":12.9,"output_tokens":"7","cache_read_input_tokens":-5}}`},
		}, billing.Usage{InputTokens: 12, OutputTokens: 1}},
		{"chat usage in every chunk: last wins", catalog.FormatChat, []ev{
			{"", `{"model":"m","choices":[{"delta":{"content":"a"}}],"usage":{"prompt_tokens":10,"completion_tokens":1}}`},
			{"", `{"model":"m","choices":[{"delta":{"content":"b"}}],"usage":{"prompt_tokens":10,"completion_tokens":2}}`},
			{"", `[DONE]`},
		}, billing.Usage{InputTokens: 10, OutputTokens: 2}},
		{"chat null usage ignored", catalog.FormatChat, []ev{
			{"", `{"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":3}}`},
			{"", `{"choices":[{"delta":{}}],"usage" : null}`},
		}, billing.Usage{InputTokens: 10, OutputTokens: 3}},
		{"chat relay with anthropic cache fields (subset of prompt)", catalog.FormatChat, []ev{
			{"", `{"choices":[],"usage":{"prompt_tokens":1000,"completion_tokens":5,"cache_read_input_tokens":600,"cache_creation_input_tokens":300}}`},
		}, billing.Usage{InputTokens: 100, OutputTokens: 5, CacheReadTokens: 600, CacheCreationTokens: 300, CacheCreation5mTokens: 300}},
		{"chat relay reporting disjoint counts is not driven negative", catalog.FormatChat, []ev{
			{"", `{"choices":[],"usage":{"prompt_tokens":40,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":600}}}`},
		}, billing.Usage{InputTokens: 40, OutputTokens: 5, CacheReadTokens: 600}},
		{"responses without event lines", catalog.FormatResponses, []ev{
			{"", `{"type":"response.created","response":{"usage":null}}`},
			{"", `{"type":"response.completed","response":{"model":"gpt-5","usage":{"input_tokens":100,"input_tokens_details":{"cached_tokens":40},"output_tokens":9}}}`},
		}, billing.Usage{InputTokens: 60, OutputTokens: 9, CacheReadTokens: 40}},
		{"responses incomplete counts", catalog.FormatResponses, []ev{
			{"response.incomplete", `{"type":"response.incomplete","response":{"usage":{"input_tokens":7,"output_tokens":3}}}`},
		}, billing.Usage{InputTokens: 7, OutputTokens: 3}},
		{"responses other events ignored even with usage", catalog.FormatResponses, []ev{
			{"response.in_progress", `{"type":"response.in_progress","response":{"usage":{"input_tokens":7}}}`},
		}, billing.Usage{}},
		{"gemini last wins", catalog.FormatGemini, []ev{
			{"", `{"usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":50}}`},
			{"", `{"usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":3}}`},
			{"", `{"candidates":[]}`},
		}, billing.Usage{InputTokens: 10, OutputTokens: 3}},
		{"malformed payloads are ignored", catalog.FormatChat, []ev{
			{"", `{"usage":{"prompt_tokens":5,"completion_tokens":1}}`},
			{"", `{"usage":{"prompt_tokens":9,`},
			{"", `{"usage":[1,2]}`},
		}, billing.Usage{InputTokens: 5, OutputTokens: 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := NewStream(tc.format)
			for _, e := range tc.events {
				st.OnEvent([]byte(e.event), []byte(e.data))
			}
			if got := st.Usage(); got != tc.want {
				t.Fatalf("usage %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestStreamDoesNotAliasPayload(t *testing.T) {
	st := NewStream(catalog.FormatAnthropic)
	data := []byte(`{"type":"message_start","message":{"model":"claude-x","usage":{"input_tokens":4}}}`)
	st.OnEvent([]byte("message_start"), data)
	for i := range data {
		data[i] = 'X'
	}
	if st.Model() != "claude-x" || st.Usage().InputTokens != 4 {
		t.Fatalf("model %q usage %+v after the payload was overwritten", st.Model(), st.Usage())
	}
}

func TestStreamReset(t *testing.T) {
	st := NewStream(catalog.FormatChat)
	st.OnEvent(nil, []byte(`{"model":"a","usage":{"prompt_tokens":5}}`))
	st.Reset(catalog.FormatGemini)
	if st.Seen() || !st.Usage().IsZero() || st.Model() != "" {
		t.Fatalf("after Reset: seen %v usage %+v model %q", st.Seen(), st.Usage(), st.Model())
	}
	st.OnEvent(nil, []byte(`{"usageMetadata":{"promptTokenCount":2},"modelVersion":"g"}`))
	if st.Usage().InputTokens != 2 || st.Model() != "g" {
		t.Fatalf("after reuse: usage %+v model %q", st.Usage(), st.Model())
	}
}
