package gateway

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/cchub/cchub/pkg/fakeupstream"
	"github.com/cchub/cchub/pkg/gateway/catalog"
)

func TestFirstByteTimeoutFailsOver(t *testing.T) {
	slow := startFake(t, fakeupstream.Options{FirstByteDelay: 3 * time.Second, InputTokens: 1, OutputTokens: 1})
	fast := startFake(t, defaultUsage())
	p1 := testProvider(1, catalog.TypeClaude, slow.URL)
	p1.FirstByteTimeout = 200 * time.Millisecond
	p2 := testProvider(2, catalog.TypeClaude, fast.URL)
	p2.Priority = 1
	h := newHarness(t, p1, p2)
	start := time.Now()
	resp, body := post(t, h.url, "/v1/messages", `{"model":"m","stream":true,"messages":[]}`, apiKey)
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte("message_stop")) {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("failover took %v; the first-byte timeout is 200 ms", d)
	}
	rec := h.sink.wait(t, 1)
	chain := chainOf(t, rec.ProviderChain)
	if rec.ProviderID != 2 || len(chain) != 2 || chain[0].ProviderID != 1 || !strings.Contains(strings.ToLower(chain[0].Error), "timeout") {
		t.Fatalf("chain %s", rec.ProviderChain)
	}
}

// TestLongStreamOutlivesFirstByteTimeout: the first-byte timeout bounds only the wait for the
// first byte, never the stream that follows.
func TestLongStreamOutlivesFirstByteTimeout(t *testing.T) {
	up := startFake(t, fakeupstream.Options{Chunks: 8, Delay: 100 * time.Millisecond, InputTokens: 5, OutputTokens: 6})
	p := testProvider(1, catalog.TypeClaude, up.URL)
	p.FirstByteTimeout = 300 * time.Millisecond
	p.StreamIdleTimeout = 2 * time.Second
	h := newHarness(t, p)
	resp, body := post(t, h.url, "/v1/messages", `{"model":"m","stream":true,"messages":[]}`, apiKey)
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte("message_stop")) {
		t.Fatalf("stream cut: %d %s", resp.StatusCode, body)
	}
	if rec := h.sink.wait(t, 1); rec.ErrorMessage != "" || rec.Usage.OutputTokens != 6 {
		t.Fatalf("record %+v", rec)
	}
}

func TestStreamIdleTimeoutEndsStreamAndCountsFailure(t *testing.T) {
	up := startFake(t, defaultUsage())
	up.Hang(true)
	p := testProvider(1, catalog.TypeClaude, up.URL)
	p.StreamIdleTimeout = 200 * time.Millisecond
	p.Breaker.FailureThreshold = 1
	h := newHarness(t, p)
	resp, body := post(t, h.url, "/v1/messages", `{"model":"m","stream":true,"messages":[]}`, apiKey)
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte("message_start")) || bytes.Contains(body, []byte("message_stop")) {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	rec := h.sink.wait(t, 1)
	if rec.ErrorMessage != "stream idle timeout" || rec.Usage.InputTokens != 25 {
		t.Fatalf("record %+v", rec)
	}
	if !strings.Contains(string(rec.ProviderChain), reasonSystemError) {
		t.Fatalf("chain %s", rec.ProviderChain)
	}
	if st, _, _ := h.g.Breakers().State(1); st.String() != "open" {
		t.Fatalf("an idle-timed-out stream must count against the circuit; state %v", st)
	}
}
