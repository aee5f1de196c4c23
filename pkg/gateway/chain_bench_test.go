package gateway

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cchub/cchub/pkg/jsonx"
)

func sampleChain() []chainEntry {
	now := time.Date(2026, 11, 25, 20, 0, 0, 123456789, time.UTC)
	return []chainEntry{
		{ProviderID: 1, ProviderName: "anthropic \"main\"", ProviderType: "claude", Selection: reasonInitial, Reason: reasonRetryFailed,
			Attempt: 1, StatusCode: 503, Error: "upstream said:\n{\"error\":\"overloaded\"}\t\x01", StartedAt: now, DurationMs: 12, Priority: 0, Weight: 3,
			Candidates: 2, Filtered: []filtered{{ID: 3, Name: "codex", Reason: "circuit_open"}}},
		{ProviderID: 2, ProviderName: "backup", ProviderType: "claude-auth", Selection: reasonInitial, Reason: reasonRetrySuccess,
			Attempt: 1, StartedAt: now.Add(time.Second), DurationMs: 340, Priority: 1, Weight: 1, Candidates: 1,
			Redirect: &redirect{From: "claude-sonnet-4-5", To: "glm-4.6"}},
	}
}

func BenchmarkEncodeChain(b *testing.B) {
	c := sampleChain()
	b.ReportAllocs()
	for b.Loop() {
		_ = encodeChain(c)
	}
}

// TestEncodeChainMatchesEncoder: the hand-written encoder produces what the JSON encoder would,
// including escapes and invalid UTF-8.
func TestEncodeChainMatchesEncoder(t *testing.T) {
	c := sampleChain()
	c[0].Error += " bad utf8: \xff\xfe and \u2028 ok 中文"
	got := encodeChain(c)
	if !jsonx.Valid(got) {
		t.Fatalf("invalid JSON: %s", got)
	}
	var back []chainEntry
	if err := jsonx.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	want, _ := jsonx.Marshal(c)
	var wantBack []chainEntry
	if err := jsonx.Unmarshal(want, &wantBack); err != nil {
		t.Fatal(err)
	}
	// Each invalid byte becomes U+FFFD, as encoding/json does.
	wantBack[0].Error = strings.Replace(c[0].Error, "\xff\xfe", "\ufffd\ufffd", 1)
	if !reflect.DeepEqual(back, wantBack) {
		t.Fatalf("hand-encoded chain decodes to\n%+v\nwant\n%+v", back, wantBack)
	}
	if string(encodeChain(nil)) != "[]" {
		t.Fatal("empty chain")
	}
}
