package gateway

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cchub/cchub/pkg/gateway/catalog"
	"github.com/cchub/cchub/pkg/gateway/selector"
	"github.com/cchub/cchub/pkg/jsonx"
)

// probeRequestBody decodes a recorded test request's body.
func probeRequestBody(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := jsonx.Unmarshal(b, &m); err != nil {
		t.Fatalf("request body %s: %v", b, err)
	}
	return m
}

// assertUntouched checks that no breaker saw a test and nothing was billed.
func assertUntouched(t *testing.T, h *harness, id int) {
	t.Helper()
	if st, failures, _ := h.g.Breakers().State(id); st != selector.StateClosed || failures != 0 {
		t.Fatalf("breaker %v with %d failures after tests", st, failures)
	}
	if len(h.g.Breakers().Snapshot()) != 0 {
		t.Fatalf("a breaker was created: %+v", h.g.Breakers().Snapshot())
	}
	h.sink.mu.Lock()
	n := len(h.sink.recs)
	h.sink.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d billing records written", n)
	}
}

func TestProbeOK(t *testing.T) {
	up := startFake(t, defaultUsage())
	claude := testProvider(1, catalog.TypeClaude, up.URL)
	auth := testProvider(2, catalog.TypeClaudeAuth, up.URL+"/v1")
	codex := testProvider(3, catalog.TypeCodex, up.URL+"/v1/responses")
	openai := testProvider(4, catalog.TypeOpenAI, up.URL+"/v1")
	// The first allowed model is tested, after the provider's redirect.
	openai.AllowedModels = []string{"gpt-4.1", "gpt-4o"}
	openai.ModelRedirects = map[string]string{"gpt-4.1": "gpt-4.1-2025-04-14"}
	h := newHarness(t, claude, auth, codex, openai)

	ping := []any{map[string]any{"role": "user", "content": "ping"}}
	cases := []struct {
		p          *catalog.Provider
		path       string
		model      string
		body       map[string]any
		apiKey     string // x-api-key
		authHeader string
	}{
		{claude, "/v1/messages", "claude-haiku-4-5",
			map[string]any{"model": "claude-haiku-4-5", "max_tokens": int64(1), "messages": ping},
			"upstream-secret", "Bearer upstream-secret"},
		{auth, "/v1/messages", "claude-haiku-4-5",
			map[string]any{"model": "claude-haiku-4-5", "max_tokens": int64(1), "messages": ping},
			"", "Bearer upstream-secret"},
		{codex, "/v1/responses", "gpt-5-mini",
			map[string]any{"model": "gpt-5-mini", "input": "ping", "max_output_tokens": int64(16)},
			"", "Bearer upstream-secret"},
		{openai, "/v1/chat/completions", "gpt-4.1-2025-04-14",
			map[string]any{"model": "gpt-4.1-2025-04-14", "max_tokens": int64(1), "messages": ping},
			"", "Bearer upstream-secret"},
	}
	for i, c := range cases {
		res, err := h.g.TestProvider(context.Background(), c.p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !res.OK || res.StatusCode != 200 || res.Message != "ok" || res.Model != c.model || res.Latency <= 0 {
			t.Fatalf("%s: %+v", c.p.Type, res)
		}
		reqs := up.Requests()
		if len(reqs) != i+1 {
			t.Fatalf("%d upstream requests", len(reqs))
		}
		r := reqs[i]
		if r.Method != "POST" || r.Path != c.path || r.Query != "" {
			t.Fatalf("%s: %s %s?%s", c.p.Type, r.Method, r.Path, r.Query)
		}
		if got := probeRequestBody(t, r.Body); !reflect.DeepEqual(got, c.body) {
			t.Fatalf("%s: body %s", c.p.Type, r.Body)
		}
		if r.Header.Get("X-Api-Key") != c.apiKey || r.Header.Get("Authorization") != c.authHeader ||
			r.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("%s: headers %v", c.p.Type, r.Header)
		}
		wantVersion := ""
		if c.p.Type.Format() == catalog.FormatAnthropic {
			wantVersion = "2023-06-01"
		}
		if r.Header.Get("Anthropic-Version") != wantVersion {
			t.Fatalf("%s: anthropic-version %q", c.p.Type, r.Header.Get("Anthropic-Version"))
		}
	}
	assertUntouched(t, h, 1)
}

func TestProbeUpstreamFailure(t *testing.T) {
	up := startFake(t, defaultUsage())
	p := testProvider(1, catalog.TypeClaude, up.URL)
	h := newHarness(t, p)

	// More failures than the breaker's threshold: a test never counts against the circuit.
	up.FailNext(p.Breaker.FailureThreshold+1, 529)
	for range p.Breaker.FailureThreshold + 1 {
		res, err := h.g.TestProvider(context.Background(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if res.OK || res.StatusCode != 529 || res.Message != "injected failure 529" || res.Model != "claude-haiku-4-5" {
			t.Fatalf("failed test %+v", res)
		}
	}
	up.FailNext(1, 401)
	if res, _ := h.g.TestProvider(context.Background(), p.ID); res.OK || res.StatusCode != 401 || res.Message != "injected failure 401" {
		t.Fatalf("401 %+v", res)
	}
	// The upstream recovered.
	if res, _ := h.g.TestProvider(context.Background(), p.ID); !res.OK || res.StatusCode != 200 {
		t.Fatalf("after recovery %+v", res)
	}
	assertUntouched(t, h, p.ID)

	// An open circuit does not stop a test, and a test does not close or probe it.
	p2 := testProvider(2, catalog.TypeClaude, up.URL)
	p2.Breaker.FailureThreshold = 1
	h.setProviders(p, p2)
	tk, _ := h.g.Breakers().Allow(p2)
	h.g.Breakers().Report(tk, false)
	if st, _, _ := h.g.CircuitStatus(p2.ID); st != "open" {
		t.Fatalf("setup: circuit %s", st)
	}
	if res, _ := h.g.TestProvider(context.Background(), p2.ID); !res.OK {
		t.Fatalf("test of an open provider %+v", res)
	}
	if st, failures, _ := h.g.CircuitStatus(p2.ID); st != "open" || failures != 1 {
		t.Fatalf("after test: %s %d", st, failures)
	}
}

func TestProbeUnreachableAndUnknown(t *testing.T) {
	// A port nothing listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p := testProvider(1, catalog.TypeOpenAI, "http://"+addr)
	gem := testProvider(2, catalog.TypeGemini, "http://"+addr)
	h := newHarness(t, p, gem)

	res, err := h.g.TestProvider(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.OK || res.StatusCode != 0 || res.Message == "" || res.Model != "gpt-4o-mini" {
		t.Fatalf("unreachable %+v", res)
	}
	if res, err := h.g.TestProvider(context.Background(), gem.ID); err != nil || res.OK || !strings.Contains(res.Message, "not supported") {
		t.Fatalf("gemini %+v %v", res, err)
	}
	_, err = h.g.TestProvider(context.Background(), 99)
	var nf interface{ NotFound() bool }
	if !errors.Is(err, ErrUnknownProvider) || !errors.As(err, &nf) || !nf.NotFound() {
		t.Fatalf("unknown provider: %v", err)
	}
	assertUntouched(t, h, p.ID)
}

// TestProbeAnswers covers answers the fake upstream does not give: an error that echoes the key,
// errors inside a 200, a web page, and an upstream that never answers.
func TestProbeAnswers(t *testing.T) {
	const key = "sk-live-SECRET-0123456789abcdef"
	var mu sync.Mutex
	answer := func(w http.ResponseWriter, r *http.Request) {}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		a := answer
		mu.Unlock()
		a(w, r)
	}))
	t.Cleanup(srv.Close)
	set := func(f func(w http.ResponseWriter, r *http.Request)) {
		mu.Lock()
		answer = f
		mu.Unlock()
	}
	p := testProvider(1, catalog.TypeClaude, srv.URL)
	p.APIKey = key
	h := newHarness(t, p)
	probe := func() ProbeResult {
		t.Helper()
		res, err := h.g.TestProvider(context.Background(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(res.Message, key) {
			t.Fatalf("message leaks the key: %q", res.Message)
		}
		return res
	}

	set(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(401)
		io.WriteString(w, `{"error":{"type":"authentication_error","message":"invalid x-api-key `+r.Header.Get("X-Api-Key")+`"}}`)
	})
	if res := probe(); res.OK || res.StatusCode != 401 || res.Message != "invalid x-api-key [redacted]" {
		t.Fatalf("echoed key %+v", res)
	}
	// A long plain-text error is cut, on one line.
	set(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(502)
		io.WriteString(w, "bad gateway\n"+strings.Repeat("é", 400))
	})
	if res := probe(); res.OK || res.StatusCode != 502 || !strings.HasPrefix(res.Message, "bad gateway éé") ||
		len(res.Message) > maxProbeMessage+len("…") || !strings.HasSuffix(res.Message, "…") {
		t.Fatalf("long error %+v", res)
	}
	set(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) })
	if res := probe(); res.OK || res.Message != "upstream answered HTTP 503" {
		t.Fatalf("empty error %+v", res)
	}
	// Relays that report errors with 200.
	set(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"error":{"message":"quota exhausted"}}`)
	})
	if res := probe(); res.OK || res.StatusCode != 200 || res.Message != "quota exhausted" {
		t.Fatalf("error in a 200 %+v", res)
	}
	set(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html>welcome</html>")
	})
	if res := probe(); res.OK || res.StatusCode != 200 || !strings.Contains(res.Message, "not with JSON") {
		t.Fatalf("web page %+v", res)
	}
	set(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"msg_1","type":"message","content":[],"error":null}`)
	})
	if res := probe(); !res.OK || res.Message != "ok" {
		t.Fatalf("success with error:null %+v", res)
	}

	// The caller giving up ends the test at once (the 15 s timeout is the upper bound).
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	set(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	res, err := h.g.TestProvider(ctx, p.ID)
	if err != nil || res.OK || res.StatusCode != 0 || res.Message != "test cancelled" || time.Since(start) > 5*time.Second {
		t.Fatalf("cancelled %+v %v after %v", res, err, time.Since(start))
	}
	assertUntouched(t, h, p.ID)
}

func TestCircuitStatus(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	g, err := New(Config{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	p := testProvider(1, catalog.TypeClaude, "http://127.0.0.1:1")
	p.Breaker = catalog.BreakerConfig{FailureThreshold: 2, OpenDuration: time.Minute, SuccessThreshold: 1}
	g.SetCatalog(catalog.NewSnapshot(nil, nil, []*catalog.Provider{p}))
	b := g.Breakers()
	fail := func() {
		tk, ok := b.Allow(p)
		if !ok {
			t.Fatal("refused")
		}
		b.Report(tk, false)
	}

	if st, n, until := g.CircuitStatus(p.ID); st != "closed" || n != 0 || !until.IsZero() {
		t.Fatalf("fresh: %s %d %v", st, n, until)
	}
	fail()
	if st, n, until := g.CircuitStatus(p.ID); st != "closed" || n != 1 || !until.IsZero() {
		t.Fatalf("one failure: %s %d %v", st, n, until)
	}
	fail()
	if st, n, until := g.CircuitStatus(p.ID); st != "open" || n != 2 || !until.Equal(now.Add(time.Minute)) {
		t.Fatalf("open: %s %d %v", st, n, until)
	}
	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	if st, _, until := g.CircuitStatus(p.ID); st != "half_open" || !until.IsZero() {
		t.Fatalf("after the open period: %s %v", st, until)
	}
	b.Reset(p.ID)
	if st, n, _ := g.CircuitStatus(p.ID); st != "closed" || n != 0 {
		t.Fatalf("after reset: %s %d", st, n)
	}
	if st, n, _ := g.CircuitStatus(42); st != "closed" || n != 0 {
		t.Fatalf("unknown provider: %s %d", st, n)
	}
}
