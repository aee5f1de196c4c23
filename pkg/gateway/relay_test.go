package gateway

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bytedance/sonic"

	"github.com/cchub/cchub/pkg/gateway/catalog"
	"github.com/cchub/cchub/pkg/jsonx"
)

func post(t *testing.T, url, path string, body string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", url+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, b
}

var apiKey = map[string]string{"x-api-key": testKey}

func TestAnthropicStreamRelayAndBilling(t *testing.T) {
	up := startFake(t, defaultUsage())
	h := newHarness(t, testProvider(1, catalog.TypeClaude, up.URL))
	resp, body := post(t, h.url, "/v1/messages?beta=true",
		`{"model":"claude-sonnet-4-5-20250929","stream":true,"max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`,
		map[string]string{"x-api-key": testKey, "anthropic-version": "2023-06-01"})
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("status %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !bytes.Contains(body, []byte("event: message_stop")) || bytes.Count(body, []byte("text_delta")) != 4 {
		t.Fatalf("stream not relayed whole: %s", body)
	}
	rec := h.sink.wait(t, 1)
	u := rec.Usage
	if u.InputTokens != 25 || u.OutputTokens != 12 || u.CacheCreation5mTokens != 100 || u.CacheReadTokens != 200 {
		t.Fatalf("usage %+v", u)
	}
	if rec.StatusCode != 200 || rec.ProviderID != 1 || rec.KeyID != 7 || rec.UserID != 1 || !rec.IsStream ||
		rec.TTFBMs < 0 || rec.Endpoint != "/v1/messages" || !rec.Ledger {
		t.Fatalf("record %+v", rec)
	}
	// claude-sonnet-4-5: $3/M in, $15/M out, $3.75/M 5m write, $0.30/M read →
	// 25×3 + 12×15 + 100×3.75 + 200×0.3 = 690 µUSD per million → 690 nano-USD... ×1000 = 690000 nano.
	if rec.CostNano != 690_000 || rec.PriceMissing {
		t.Fatalf("cost %d (missing=%v)", rec.CostNano, rec.PriceMissing)
	}
	reqs := up.Requests()
	if len(reqs) != 1 || reqs[0].Query != "beta=true" || reqs[0].Header.Get("X-Api-Key") != "upstream-secret" ||
		reqs[0].Header.Get("Authorization") != "Bearer upstream-secret" || reqs[0].Header.Get("Anthropic-Version") != "2023-06-01" {
		t.Fatalf("upstream request %+v", reqs)
	}
}

func TestJSONAllFormats(t *testing.T) {
	up := startFake(t, defaultUsage())
	h := newHarness(t,
		testProvider(1, catalog.TypeClaudeAuth, up.URL),
		testProvider(2, catalog.TypeCodex, up.URL+"/v1"),
		testProvider(3, catalog.TypeOpenAI, up.URL+"/v1/chat/completions"))
	cases := []struct {
		path, body string
		provider   int
		in, read   int64
	}{
		{"/v1/messages", `{"model":"claude-sonnet-4-5","max_tokens":5,"messages":[]}`, 1, 25, 200},
		{"/v1/responses", `{"model":"gpt-5","input":"hi"}`, 2, 25, 200},
		{"/v1/chat/completions", `{"model":"gpt-4o","messages":[]}`, 3, 25, 200},
	}
	for i, c := range cases {
		resp, body := post(t, h.url, c.path, c.body, map[string]string{"Authorization": "Bearer " + testKey})
		if resp.StatusCode != 200 || !jsonx.Valid(body) {
			t.Fatalf("%s: %d %s", c.path, resp.StatusCode, body)
		}
		rec := h.sink.wait(t, i+1)
		if rec.ProviderID != c.provider || rec.Usage.InputTokens != c.in || rec.Usage.CacheReadTokens != c.read ||
			rec.Usage.OutputTokens != 12 || rec.IsStream || rec.CostNano <= 0 {
			t.Fatalf("%s: record %+v", c.path, rec)
		}
	}
	if got := up.Requests()[0].Header.Get("X-Api-Key"); got != "" {
		t.Fatalf("claude-auth must not send x-api-key, sent %q", got)
	}
	if got := up.Requests()[0].Header.Get("Authorization"); got != "Bearer upstream-secret" {
		t.Fatalf("claude-auth Authorization = %q", got)
	}
}

func TestResponsesAndChatStreams(t *testing.T) {
	up := startFake(t, defaultUsage())
	h := newHarness(t, testProvider(1, catalog.TypeCodex, up.URL), testProvider(2, catalog.TypeOpenAI, up.URL))
	resp, body := post(t, h.url, "/v1/responses", `{"model":"gpt-5","stream":true,"input":"hi"}`, apiKey)
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte("response.completed")) {
		t.Fatalf("responses: %d %s", resp.StatusCode, body)
	}
	if rec := h.sink.wait(t, 1); rec.Usage.InputTokens != 25 || rec.Usage.CacheReadTokens != 200 || rec.Usage.OutputTokens != 12 {
		t.Fatalf("responses usage %+v", rec.Usage)
	}
	resp, body = post(t, h.url, "/v1/chat/completions", `{"model":"gpt-4o","stream":true,"messages":[]}`, apiKey)
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte("[DONE]")) {
		t.Fatalf("chat: %d %s", resp.StatusCode, body)
	}
	if rec := h.sink.wait(t, 2); rec.Usage.InputTokens != 25 || rec.Usage.OutputTokens != 12 {
		t.Fatalf("chat usage %+v", rec.Usage)
	}
	sent := up.Requests()[1].Body
	if n, err := sonic.Get(sent, "stream_options", "include_usage"); err != nil {
		t.Fatalf("include_usage not injected: %s", sent)
	} else if v, _ := n.Bool(); !v {
		t.Fatalf("include_usage false: %s", sent)
	}
}

// TestPassthroughIsByteIdentical sends a real Claude Code body; without a redirect the upstream
// must receive exactly the client's bytes.
func TestPassthroughIsByteIdentical(t *testing.T) {
	up := startFake(t, defaultUsage())
	h := newHarness(t, testProvider(1, catalog.TypeClaude, up.URL))
	for _, name := range []string{"claude-code-tooluse.json", "claude-code-p-sayhi.json"} {
		body := clientFixtureBody(t, name, 0)
		resp, _ := post(t, h.url, "/v1/messages?beta=true", string(body), apiKey)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", name, resp.StatusCode)
		}
		reqs := up.Requests()
		if got := reqs[len(reqs)-1].Body; !bytes.Equal(got, body) {
			t.Fatalf("%s: upstream body differs from the client's (%d vs %d bytes)", name, len(got), len(body))
		}
	}
}

func TestModelRedirect(t *testing.T) {
	up := startFake(t, defaultUsage())
	p := testProvider(1, catalog.TypeClaude, up.URL)
	p.ModelRedirects = map[string]string{"claude-sonnet-4-5": "glm-4.6"}
	h := newHarness(t, p)
	in := `{"model":"claude-sonnet-4-5", "max_tokens":5,"messages":[{"role":"user","content":"x"}]}`
	resp, _ := post(t, h.url, "/v1/messages", in, apiKey)
	if resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
	want := strings.Replace(in, `"claude-sonnet-4-5"`, `"glm-4.6"`, 1)
	if got := string(up.Requests()[0].Body); got != want {
		t.Fatalf("upstream got %s\nwant %s", got, want)
	}
	rec := h.sink.wait(t, 1)
	if rec.Model != "glm-4.6" || rec.OriginalModel != "claude-sonnet-4-5" || !bytes.Contains(rec.ProviderChain, []byte(`"model_redirect"`)) {
		t.Fatalf("record %+v chain %s", rec, rec.ProviderChain)
	}
}

func chainOf(t *testing.T, raw []byte) []chainEntry {
	t.Helper()
	var c []chainEntry
	if err := jsonx.Unmarshal(raw, &c); err != nil {
		t.Fatalf("chain %s: %v", raw, err)
	}
	return c
}

func TestFailoverToSecondProvider(t *testing.T) {
	bad := startFake(t, defaultUsage())
	good := startFake(t, defaultUsage())
	bad.FailNext(10, 503)
	p1 := testProvider(1, catalog.TypeClaude, bad.URL)
	p2 := testProvider(2, catalog.TypeClaude, good.URL)
	p2.Priority = 1 // p1 is preferred
	h := newHarness(t, p1, p2)
	resp, _ := post(t, h.url, "/v1/messages", `{"model":"claude-sonnet-4-5","stream":true,"messages":[]}`, apiKey)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	rec := h.sink.wait(t, 1)
	chain := chainOf(t, rec.ProviderChain)
	if len(chain) != 3 || chain[0].ProviderID != 1 || chain[0].Reason != reasonRetryFailed || chain[0].StatusCode != 503 ||
		chain[1].ProviderID != 1 || chain[1].Selection != reasonRetry ||
		chain[2].ProviderID != 2 || chain[2].Reason != reasonRetrySuccess {
		t.Fatalf("chain %s", rec.ProviderChain)
	}
	if rec.ProviderID != 2 || len(bad.Requests()) != 2 || len(good.Requests()) != 1 {
		t.Fatalf("record provider %d, bad got %d, good got %d", rec.ProviderID, len(bad.Requests()), len(good.Requests()))
	}
}

func TestClientErrorIsNotRetried(t *testing.T) {
	up := startFake(t, defaultUsage())
	up.FailNext(1, 400)
	other := startFake(t, defaultUsage())
	h := newHarness(t, testProvider(1, catalog.TypeClaude, up.URL), func() *catalog.Provider {
		p := testProvider(2, catalog.TypeClaude, other.URL)
		p.Priority = 5
		return p
	}())
	resp, body := post(t, h.url, "/v1/messages", `{"model":"m","messages":[]}`, apiKey)
	if resp.StatusCode != 400 || !bytes.Contains(body, []byte("injected failure 400")) {
		t.Fatalf("want the upstream 400 passed through, got %d %s", resp.StatusCode, body)
	}
	if len(other.Requests()) != 0 || len(up.Requests()) != 1 {
		t.Fatal("a 400 must not be retried")
	}
}

func TestAllProvidersFailReturnsLastUpstreamError(t *testing.T) {
	up := startFake(t, defaultUsage())
	up.FailNext(100, 529)
	h := newHarness(t, testProvider(1, catalog.TypeClaude, up.URL))
	resp, body := post(t, h.url, "/v1/messages", `{"model":"m","messages":[]}`, apiKey)
	if resp.StatusCode != 529 || !bytes.Contains(body, []byte("injected failure 529")) {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	// 529 switches provider at once: one attempt, then no candidate is left.
	if n := len(up.Requests()); n != 1 {
		t.Fatalf("attempts = %d", n)
	}
}

func TestConnectErrorRetriesThenFails(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + ln.Addr().String()
	ln.Close()
	h := newHarness(t, testProvider(1, catalog.TypeCodex, dead))
	resp, body := post(t, h.url, "/v1/responses", `{"model":"gpt-5","input":"x"}`, apiKey)
	if resp.StatusCode != 502 || !bytes.Contains(body, []byte(`"error"`)) || bytes.Contains(body, []byte(`"type":"error"`)) {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	rec := h.sink.wait(t, 1)
	if chain := chainOf(t, rec.ProviderChain); len(chain) != 2 {
		t.Fatalf("connect errors retry on the same provider: %s", rec.ProviderChain)
	}
}

func TestAuthFailures(t *testing.T) {
	up := startFake(t, defaultUsage())
	h := newHarness(t, testProvider(1, catalog.TypeClaude, up.URL), testProvider(2, catalog.TypeCodex, up.URL))
	body := `{"model":"m","messages":[]}`
	cases := []struct {
		name, path string
		hdr        map[string]string
		setup      func()
		code       string
	}{
		{"missing", "/v1/messages", nil, nil, "invalid_api_key"},
		{"unknown", "/v1/messages", map[string]string{"x-api-key": "sk-nope"}, nil, "invalid_api_key"},
		{"conflict", "/v1/messages", map[string]string{"x-api-key": testKey, "Authorization": "Bearer sk-other"}, nil, "invalid_api_key"},
		{"disabled key", "/v1/messages", apiKey, func() { h.key.Enabled = false }, "key_disabled"},
		{"expired key", "/v1/messages", apiKey, func() { h.key.ExpiresAt = time.Now().Add(-time.Minute) }, "key_expired"},
		{"disabled user", "/v1/responses", apiKey, func() { h.user.Enabled = false }, "user_disabled"},
		{"expired user", "/v1/responses", apiKey, func() { h.user.ExpiresAt = time.Now().Add(-time.Minute) }, "user_expired"},
	}
	providers := h.g.Snapshot().Providers()
	for _, c := range cases {
		// Snapshots are immutable once installed: each case builds fresh entities and swaps
		// the snapshot, as the admin API's reload does.
		h.key = &catalog.Key{ID: 7, UserID: 1, Name: "k", Enabled: true}
		h.user = &catalog.User{ID: 1, Name: "alice", Enabled: true}
		if c.setup != nil {
			c.setup()
		}
		h.setProviders(providers...)
		resp, b := post(t, h.url, c.path, body, c.hdr)
		if resp.StatusCode != 401 {
			t.Errorf("%s: status %d", c.name, resp.StatusCode)
			continue
		}
		code, _ := sonic.Get(b, "error", "code")
		if s, _ := code.String(); s != c.code {
			t.Errorf("%s: code %q in %s", c.name, s, b)
		}
		typ, _ := sonic.Get(b, "type")
		isAnthropic := c.path == "/v1/messages"
		if s, _ := typ.String(); (s == "error") != isAnthropic {
			t.Errorf("%s: wrong error shape %s", c.name, b)
		}
	}
	if len(up.Requests()) != 0 {
		t.Fatal("unauthenticated requests reached the upstream")
	}
}

func TestNoProviderIs503AndLogged(t *testing.T) {
	up := startFake(t, defaultUsage())
	p := testProvider(1, catalog.TypeCodex, up.URL) // wrong format for /v1/messages
	h := newHarness(t, p)
	resp, body := post(t, h.url, "/v1/messages", `{"model":"claude-x","messages":[]}`, apiKey)
	if resp.StatusCode != 503 || !bytes.Contains(body, []byte("no_available_providers")) {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if rec := h.sink.wait(t, 1); rec.StatusCode != 503 || rec.ProviderID != 0 || rec.KeyID != 7 {
		t.Fatalf("record %+v", rec)
	}
}

func TestBadBody(t *testing.T) {
	up := startFake(t, defaultUsage())
	h := newHarness(t, testProvider(1, catalog.TypeClaude, up.URL))
	for _, b := range []string{``, `[]`, `{"model":5}`, `not json`} {
		if resp, body := post(t, h.url, "/v1/messages", b, apiKey); resp.StatusCode != 400 {
			t.Errorf("%q: %d %s", b, resp.StatusCode, body)
		}
	}
}

func TestSessionStickiness(t *testing.T) {
	a := startFake(t, defaultUsage())
	b := startFake(t, defaultUsage())
	h := newHarness(t, testProvider(1, catalog.TypeClaude, a.URL), testProvider(2, catalog.TypeClaude, b.URL))
	hdr := map[string]string{"x-api-key": testKey, "X-Claude-Code-Session-Id": "0b2f3d8e-7c1a-4a8e-9f55-3c1d2e4f5a6b"}
	for i := 0; i < 12; i++ {
		if resp, _ := post(t, h.url, "/v1/messages", `{"model":"m","messages":[]}`, hdr); resp.StatusCode != 200 {
			t.Fatal(resp.StatusCode)
		}
	}
	na, nb := len(a.Requests()), len(b.Requests())
	if na != 12 && nb != 12 {
		t.Fatalf("session split across providers: %d / %d", na, nb)
	}
	rec := h.sink.wait(t, 12)
	if chain := chainOf(t, rec.ProviderChain); chain[0].Selection != reasonSessionReuse || rec.SessionID == "" {
		t.Fatalf("later requests must reuse the session: %s", rec.ProviderChain)
	}
	// When the bound provider goes away the session moves instead of failing.
	bound := 1
	if nb == 12 {
		bound = 2
	}
	var others []*catalog.Provider
	for _, p := range []*catalog.Provider{testProvider(1, catalog.TypeClaude, a.URL), testProvider(2, catalog.TypeClaude, b.URL)} {
		if p.ID != bound {
			others = append(others, p)
		}
	}
	h.setProviders(others...)
	if resp, _ := post(t, h.url, "/v1/messages", `{"model":"m","messages":[]}`, hdr); resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
	if rec := h.sink.wait(t, 13); rec.ProviderID == bound {
		t.Fatal("request went to a removed provider")
	}
}

func TestCircuitOpensAndSkipsProvider(t *testing.T) {
	bad := startFake(t, defaultUsage())
	good := startFake(t, defaultUsage())
	bad.FailNext(1000, 500)
	p1 := testProvider(1, catalog.TypeClaude, bad.URL)
	p1.Breaker.FailureThreshold = 2
	p1.MaxAttempts = 1
	p2 := testProvider(2, catalog.TypeClaude, good.URL)
	p2.Priority = 1
	h := newHarness(t, p1, p2)
	for i := 0; i < 5; i++ {
		if resp, _ := post(t, h.url, "/v1/messages", `{"model":"m","messages":[]}`, apiKey); resp.StatusCode != 200 {
			t.Fatal(resp.StatusCode)
		}
	}
	if n := len(bad.Requests()); n != 2 {
		t.Fatalf("the open circuit must stop traffic after 2 failures, bad provider got %d", n)
	}
	rec := h.sink.wait(t, 5)
	if !bytes.Contains(rec.ProviderChain, []byte(`"circuit_open"`)) {
		t.Fatalf("chain should say why p1 was skipped: %s", rec.ProviderChain)
	}
}

func TestCountTokensPassthroughNotBilled(t *testing.T) {
	up := startFake(t, defaultUsage())
	h := newHarness(t, testProvider(1, catalog.TypeClaude, up.URL))
	resp, body := post(t, h.url, "/v1/messages/count_tokens", `{"model":"claude-sonnet-4-5","messages":[]}`, apiKey)
	if resp.StatusCode != 200 || string(body) != `{"input_tokens":42}` {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if rec := h.sink.wait(t, 1); rec.Ledger || rec.CostNano != 0 || rec.Endpoint != "/v1/messages/count_tokens" {
		t.Fatalf("record %+v", rec)
	}
}

// TestDisconnectCancelsUpstream: the client reads the first event and hangs up; the upstream
// must see its request cancelled within a second, and what was streamed is still billed.
func TestDisconnectCancelsUpstream(t *testing.T) {
	up := startFake(t, defaultUsage())
	up.Hang(true)
	h := newHarness(t, testProvider(1, catalog.TypeClaude, up.URL))
	conn, err := net.Dial("tcp", strings.TrimPrefix(h.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	body := `{"model":"claude-sonnet-4-5","stream":true,"messages":[]}`
	io.WriteString(conn, "POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nx-api-key: "+testKey+
		"\r\nContent-Length: "+itoa(len(body))+"\r\n\r\n"+body)
	br := bufio.NewReader(conn)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(line, "message_start") {
			break
		}
	}
	closedAt := time.Now()
	conn.Close()
	select {
	case <-up.CancelledCh():
	case <-time.After(time.Second):
		t.Fatal("upstream still running 1 s after the client left")
	}
	t.Logf("upstream cancelled %v after the client left", time.Since(closedAt))
	rec := h.sink.wait(t, 1)
	if rec.Usage.InputTokens != 25 || rec.ErrorMessage == "" {
		t.Fatalf("partial stream must be billed and marked: %+v", rec)
	}
}

func TestModelsAndPing(t *testing.T) {
	up := startFake(t, defaultUsage())
	p := testProvider(1, catalog.TypeClaude, up.URL)
	p.AllowedModels = []string{"claude-sonnet-4-5"}
	p.ModelRedirects = map[string]string{"claude-opus-4-1": "glm-4.6"}
	h := newHarness(t, p)
	req, _ := http.NewRequest("GET", h.url+"/v1/models", nil)
	req.Header.Set("x-api-key", testKey)
	req.Header.Set("anthropic-version", "2023-06-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(b, []byte(`"id":"claude-opus-4-1"`)) || !bytes.Contains(b, []byte(`"id":"claude-sonnet-4-5"`)) {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	hr, err := http.Head(h.url + "/api/hello")
	if err != nil || hr.StatusCode != 200 {
		t.Fatalf("HEAD /api/hello: %v %v", hr, err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestRequestIDsAreTimeOrderedAndUnique(t *testing.T) {
	seen := map[string]bool{}
	prev := ""
	for i := 0; i < 2000; i++ {
		id := newRequestID()
		if len(id) != 32 || seen[id] {
			t.Fatalf("bad or repeated id %q", id)
		}
		seen[id] = true
		// The millisecond prefix never goes backwards.
		if prev != "" && id[:12] < prev[:12] {
			t.Fatalf("id %s sorts before %s", id, prev)
		}
		prev = id
	}
}
