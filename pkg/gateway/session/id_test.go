package session

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cchub/cchub/pkg/gateway/catalog"
	"github.com/cchub/cchub/pkg/jsonx"
)

// hdr is a Headers over a Go header map, case-insensitive like hertz's Peek.
type hdr map[string][]string

func (h hdr) Peek(name string) []byte {
	for k, v := range h {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return []byte(v[0])
		}
	}
	return nil
}

func TestExtractIDClaude(t *testing.T) {
	const sid = "94e3d0a2-95a8-4cae-bf86-9d060e1f5a09"
	tests := []struct {
		name string
		h    hdr
		body string
		want string
	}{
		{"header", hdr{"x-claude-code-session-id": {sid}}, `{}`, sid},
		{"header wins over body", hdr{"X-Claude-Code-Session-Id": {sid}},
			`{"metadata":{"user_id":"user_abc_account__session_other"}}`, sid},
		{"invalid header falls back to body", hdr{"X-Claude-Code-Session-Id": {"bad id"}},
			`{"metadata":{"user_id":"user_abc_account__session_` + sid + `"}}`, sid},
		{"json user_id (Claude Code >= 2.1.78)", nil,
			`{"model":"m","metadata":{"user_id":"{\"device_id\":\"d3v\",\"account_uuid\":\"\",\"session_id\":\"` + sid + `\"}"}}`, sid},
		{"json user_id with spaces", nil,
			`{"metadata":{"user_id":" {\"session_id\": \"` + sid + `\", \"device_id\": \"x\"}"}}`, sid},
		{"json user_id without session_id", nil,
			`{"metadata":{"user_id":"{\"device_id\":\"d\"}","session_id":"fallback-1"}}`, "fallback-1"},
		{"broken json user_id", nil, `{"metadata":{"user_id":"{\"session_id\":"}}`, ""},
		{"legacy user_id, empty account", nil,
			`{"metadata":{"user_id":"user_0f1e2d3c4b5a_account__session_` + sid + `"}}`, sid},
		{"legacy user_id with account", nil,
			`{"metadata":{"user_id":"user_0f1e_account_7c2d9e1a-1111-2222-3333-444455556666_session_` + sid + `"}}`, sid},
		{"user_id that is neither form", nil, `{"metadata":{"user_id":"alice"}}`, ""},
		{"legacy marker without the user_ prefix", nil, `{"metadata":{"user_id":"x_session_abc"}}`, ""},
		{"metadata.session_id", nil, `{"metadata":{"session_id":"s-42"}}`, "s-42"},
		{"non-string session_id", nil, `{"metadata":{"session_id":42}}`, ""},
		{"codex header is not read for claude", hdr{"session_id": {sid}}, `{}`, ""},
		{"no body", nil, ``, ""},
		{"not json", nil, `not json`, ""},
		{"body is an array", nil, `[1,2]`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ExtractID(catalog.FormatAnthropic, tc.h, []byte(tc.body)); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestExtractIDCodex(t *testing.T) {
	const sid = "01a21411-ab46-76d0-a62a-927a68b9b73b"
	tests := []struct {
		name   string
		format catalog.Format
		h      hdr
		body   string
		want   string
	}{
		{"session_id header", catalog.FormatResponses, hdr{"session_id": {sid}}, `{}`, sid},
		{"Session-Id header", catalog.FormatResponses, hdr{"Session-Id": {sid}}, `{}`, sid},
		{"x-session-id header", catalog.FormatResponses, hdr{"x-session-id": {sid}}, `{}`, sid},
		{"session_id before Session-Id", catalog.FormatResponses,
			hdr{"Session-Id": {"second"}, "session_id": {"first"}}, `{}`, "first"},
		{"header before body", catalog.FormatResponses, hdr{"x-session-id": {"h"}},
			`{"prompt_cache_key":"b"}`, "h"},
		{"prompt_cache_key", catalog.FormatResponses, nil, `{"prompt_cache_key":"` + sid + `"}`, sid},
		{"metadata.session_id", catalog.FormatResponses, nil, `{"metadata":{"session_id":"m-1"}}`, "m-1"},
		{"prompt_cache_key before metadata", catalog.FormatResponses, nil,
			`{"metadata":{"session_id":"m-1"},"prompt_cache_key":"p-1"}`, "p-1"},
		{"invalid prompt_cache_key falls through", catalog.FormatResponses, nil,
			`{"prompt_cache_key":"has space","metadata":{"session_id":"m-1"}}`, "m-1"},
		{"previous_response_id", catalog.FormatResponses, nil,
			`{"previous_response_id":"resp_abc123"}`, "codex_prev_resp_abc123"},
		{"previous_response_id too long with the prefix", catalog.FormatResponses, nil,
			`{"previous_response_id":"` + strings.Repeat("r", MaxIDLen-len(codexPrevPrefix)+1) + `"}`, ""},
		{"previous_response_id is Responses only", catalog.FormatChat, nil,
			`{"previous_response_id":"resp_abc123"}`, ""},
		{"chat prompt_cache_key", catalog.FormatChat, nil, `{"prompt_cache_key":"k-1"}`, "k-1"},
		{"chat header", catalog.FormatChat, hdr{"x-session-id": {"h-1"}}, `{}`, "h-1"},
		{"gemini header", catalog.FormatGemini, hdr{"session_id": {"g-1"}}, `{}`, "g-1"},
		{"claude header is not read for codex", catalog.FormatResponses,
			hdr{"X-Claude-Code-Session-Id": {sid}}, `{}`, ""},
		{"nothing", catalog.FormatResponses, nil, `{"model":"gpt-5"}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ExtractID(tc.format, tc.h, []byte(tc.body)); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestValidID(t *testing.T) {
	tests := []struct {
		id string
		ok bool
	}{
		{"a", true},
		{"A-z_0.9:x", true},
		{strings.Repeat("x", MaxIDLen), true},
		{strings.Repeat("x", MaxIDLen+1), false},
		{"", false},
		{"has space", false},
		{"slash/", false},
		{"quote\"", false},
		{"newline\n", false},
		{"ünicode", false},
		{"{json}", false},
	}
	for _, tc := range tests {
		if got := valid(tc.id) != ""; got != tc.ok {
			t.Errorf("valid(%q) = %v, want %v", tc.id, got, tc.ok)
		}
		if got := validBytes([]byte(tc.id)); got != tc.ok {
			t.Errorf("validBytes(%q) = %v, want %v", tc.id, got, tc.ok)
		}
	}
}

// TestExtractIDDoesNotAlias checks the returned id survives the caller reusing its buffers, as
// hertz does with request headers and bodies once the handler returns.
func TestExtractIDDoesNotAlias(t *testing.T) {
	h := hdrBuf{b: []byte("abc-123")}
	id := ExtractID(catalog.FormatAnthropic, &h, nil)
	copy(h.b, "XXXXXXX")
	body := []byte(`{"prompt_cache_key":"key-456"}`)
	id2 := ExtractID(catalog.FormatResponses, nil, body)
	copy(body, bytes.Repeat([]byte("#"), len(body)))
	if id != "abc-123" || id2 != "key-456" {
		t.Fatalf("ids changed with their buffers: %q %q", id, id2)
	}
}

type hdrBuf struct{ b []byte }

func (h *hdrBuf) Peek(name string) []byte {
	if strings.EqualFold(name, "X-Claude-Code-Session-Id") {
		return h.b
	}
	return nil
}

// capture is one request recorded from a real client (testdata/clients, copied from the
// project's shared fixtures; long texts were cut when they were captured).
type capture struct {
	Seq     int                 `json:"seq"`
	Path    string              `json:"path"`
	Headers map[string][]string `json:"headers"`
	Body    jsonx.RawMessage    `json:"body"`
}

func loadCaptures(t testing.TB, name string) []capture {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", "clients", name))
	if err != nil {
		t.Fatal(err)
	}
	var out []capture
	if bytes.HasPrefix(bytes.TrimSpace(data), []byte("[")) {
		err = jsonx.Unmarshal(data, &out)
	} else {
		var one capture
		err = jsonx.Unmarshal(data, &one)
		out = append(out, one)
	}
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return out
}

func formatOf(path string) catalog.Format {
	switch {
	case strings.HasPrefix(path, "/v1/messages"):
		return catalog.FormatAnthropic
	case path == "/v1/responses":
		return catalog.FormatResponses
	case path == "/v1/chat/completions":
		return catalog.FormatChat
	}
	return 0
}

// TestExtractIDFixtures runs ExtractID on what Claude Code, Codex CLI and the SDKs really send.
// "bodyOnly" is the id left when the headers are stripped (a proxy in front that drops them):
// Codex still has prompt_cache_key; the Claude captures' metadata.user_id was cut when recorded
// (it reads "<150 chars of client text omitted>"), so nothing valid is left, and nothing must be
// made up from it.
func TestExtractIDFixtures(t *testing.T) {
	tests := []struct {
		file     string
		seq      int
		want     string
		bodyOnly string
	}{
		{"claude-code-p-sayhi.json", 2, "94e3d0a2-95a8-4cae-bf86-9d060e1f5a09", ""},
		{"claude-code-tooluse.json", 1, "fb24e8ea-60f2-4e7a-988a-b99e0c2300af", ""},
		{"claude-code-tooluse.json", 2, "fb24e8ea-60f2-4e7a-988a-b99e0c2300af", ""},
		{"codex-exec-sayhi.json", 3, "01a21411-ab46-76d0-a62a-927a68b9b73b", "01a21411-ab46-76d0-a62a-927a68b9b73b"},
		{"sdk-requests.json", 5, "", ""},  // @anthropic-ai/sdk stream
		{"sdk-requests.json", 6, "", ""},  // @anthropic-ai/sdk
		{"sdk-requests.json", 7, "", ""},  // count_tokens
		{"sdk-requests.json", 8, "", ""},  // openai responses stream
		{"sdk-requests.json", 9, "", ""},  // openai responses
		{"sdk-requests.json", 10, "", ""}, // openai chat
	}
	seen := 0
	for _, tc := range tests {
		for _, c := range loadCaptures(t, tc.file) {
			if c.Seq != tc.seq {
				continue
			}
			seen++
			f := formatOf(c.Path)
			if f == 0 {
				t.Fatalf("%s #%d: unknown path %q", tc.file, c.Seq, c.Path)
			}
			if got := ExtractID(f, hdr(c.Headers), c.Body); got != tc.want {
				t.Errorf("%s #%d: got %q, want %q", tc.file, c.Seq, got, tc.want)
			}
			if got := ExtractID(f, nil, c.Body); got != tc.bodyOnly {
				t.Errorf("%s #%d without headers: got %q, want %q", tc.file, c.Seq, got, tc.bodyOnly)
			}
		}
	}
	if seen != len(tests) {
		t.Fatalf("matched %d captures, want %d: fixtures changed?", seen, len(tests))
	}
}

func BenchmarkExtractIDClaudeHeader(b *testing.B) {
	h := hdr{"X-Claude-Code-Session-Id": {"94e3d0a2-95a8-4cae-bf86-9d060e1f5a09"}}
	body := []byte(`{"model":"claude-sonnet-4-5","messages":[]}`)
	b.ReportAllocs()
	for b.Loop() {
		ExtractID(catalog.FormatAnthropic, h, body)
	}
}

func BenchmarkExtractIDCodexBody(b *testing.B) {
	caps := loadCaptures(b, "codex-exec-sayhi.json")
	body := caps[0].Body
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if ExtractID(catalog.FormatResponses, nil, body) == "" {
			b.Fatal("no id")
		}
	}
}
