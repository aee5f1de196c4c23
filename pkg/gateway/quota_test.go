package gateway

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudwego/hertz/pkg/app/server"

	"github.com/cchub/cchub/pkg/billing"
	"github.com/cchub/cchub/pkg/gateway/catalog"
	"github.com/cchub/cchub/pkg/jsonx"
	"github.com/cchub/cchub/pkg/money"
	"github.com/cchub/cchub/pkg/quota"
)

// newQuotaHarness is newHarness with a limiter: a gateway on 127.0.0.1:0 with one user and key.
func newQuotaHarness(t testing.TB, lim quota.Limiter, user *catalog.User, key *catalog.Key, providers ...*catalog.Provider) *harness {
	t.Helper()
	sink := newRecordSink()
	g, err := New(Config{Sink: sink, RetryDelay: time.Millisecond, Limiter: lim})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{g: g, sink: sink, user: user, key: key}
	h.setProviders(providers...)
	entries, err := billing.ParseLiteLLM(billing.DefaultPrices())
	if err != nil {
		t.Fatal(err)
	}
	g.SetPrices(billing.NewTable(entries))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.WithListener(ln), server.WithSenseClientDisconnection(true), server.WithDisablePrintRoute(true),
		server.WithExitWaitTime(50*time.Millisecond))
	g.Register(srv.Engine)
	go srv.Run()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	h.url = "http://" + ln.Addr().String()
	return h
}

func quotaUser() *catalog.User {
	return &catalog.User{ID: 1, Name: "alice", Enabled: true, ProviderGroup: "default"}
}

func quotaKey() *catalog.Key { return &catalog.Key{ID: 7, UserID: 1, Name: "k", Enabled: true} }

const messagesBody = `{"model":"claude-sonnet-4-5-20250929","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}`

// oneRequestCost is what the fake upstream's default usage costs on claude-sonnet-4-5:
// 25×$3 + 12×$15 + 100×$3.75 + 200×$0.30 per million tokens = $0.00069.
const oneRequestCost = 690_000

func decodeError(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var v map[string]any
	if err := jsonx.Unmarshal(body, &v); err != nil {
		t.Fatalf("error body is not JSON: %v: %s", err, body)
	}
	e, ok := v["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error object: %s", body)
	}
	return e
}

func TestQuotaSpendLimit402(t *testing.T) {
	up := startFake(t, defaultUsage())
	lim := quota.NewLocal(quota.LocalOptions{})
	key := quotaKey()
	key.Limits.LimitDaily = oneRequestCost
	h := newQuotaHarness(t, lim, quotaUser(), key, testProvider(1, catalog.TypeClaude, up.URL))
	if resp, body := post(t, h.url, "/v1/messages", messagesBody, apiKey); resp.StatusCode != 200 {
		t.Fatalf("first request: %d %s", resp.StatusCode, body)
	}
	h.sink.wait(t, 1)

	before := time.Now()
	resp, body := post(t, h.url, "/v1/messages", messagesBody, apiKey)
	if resp.StatusCode != 402 {
		t.Fatalf("over the daily limit: %d %s", resp.StatusCode, body)
	}
	var top map[string]any
	_ = jsonx.Unmarshal(body, &top)
	if top["type"] != "error" {
		t.Fatalf("not the Anthropic error shape: %s", body)
	}
	e := decodeError(t, body)
	nextMidnight := time.Now().UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	want := map[string]any{"type": "rate_limit_error", "code": "rate_limit_exceeded", "limit_type": "daily_quota",
		"scope": "key", "current": "0.00069", "limit": "0.00069", "reset_time": nextMidnight.Format("2006-01-02T15:04:05.000Z")}
	for k, v := range want {
		if e[k] != v {
			t.Errorf("error.%s = %v, want %v (%s)", k, e[k], v, body)
		}
	}
	if msg, _ := e["message"].(string); !strings.Contains(msg, "daily spend limit") {
		t.Errorf("message %q", msg)
	}
	hdr := resp.Header
	if hdr.Get("X-RateLimit-Limit") != "0.00069" || hdr.Get("X-RateLimit-Remaining") != "0.00" ||
		hdr.Get("X-RateLimit-Reset") != strconv.FormatInt(nextMidnight.Unix(), 10) {
		t.Errorf("headers %v", hdr)
	}
	ra, err := strconv.Atoi(hdr.Get("Retry-After"))
	if want := nextMidnight.Sub(before).Seconds(); err != nil || float64(ra) < want-2 || float64(ra) > want+2 {
		t.Errorf("Retry-After %q, want about %.0f", hdr.Get("Retry-After"), want)
	}
	rec := h.sink.wait(t, 2)
	if rec.StatusCode != 402 || rec.BlockedBy != "rate_limit" || rec.CostNano != 0 || rec.ProviderID != 0 || rec.KeyID != 7 {
		t.Fatalf("rejected request's log row %+v", rec)
	}

	// The OpenAI shape for an OpenAI route.
	resp, body = post(t, h.url, "/v1/chat/completions", `{"model":"gpt-5","messages":[]}`, apiKey)
	e = decodeError(t, body)
	if resp.StatusCode != 402 || e["limit_type"] != "daily_quota" || e["param"] != nil || strings.Contains(string(body), `"type":"error"`) {
		t.Fatalf("chat shape: %d %s", resp.StatusCode, body)
	}
}

func TestQuotaRPMAndSessions429(t *testing.T) {
	up := startFake(t, defaultUsage())
	lim := quota.NewLocal(quota.LocalOptions{})
	user := quotaUser()
	user.RPMLimit = 2
	h := newQuotaHarness(t, lim, user, quotaKey(), testProvider(1, catalog.TypeClaude, up.URL))
	for range 2 {
		if resp, _ := post(t, h.url, "/v1/messages", messagesBody, apiKey); resp.StatusCode != 200 {
			t.Fatal(resp.StatusCode)
		}
	}
	resp, body := post(t, h.url, "/v1/messages", messagesBody, apiKey)
	e := decodeError(t, body)
	if resp.StatusCode != 429 || e["limit_type"] != "rpm" || fmt.Sprint(e["current"]) != "2" || fmt.Sprint(e["limit"]) != "2" || e["scope"] != "user" {
		t.Fatalf("rpm: %d %s", resp.StatusCode, body)
	}
	if ra, _ := strconv.Atoi(resp.Header.Get("Retry-After")); ra < 1 || ra > 60 || resp.Header.Get("X-RateLimit-Reset") == "" ||
		resp.Header.Get("X-RateLimit-Remaining") != "0" || resp.Header.Get("X-RateLimit-Limit") != "2" {
		t.Fatalf("rpm headers %v", resp.Header)
	}

	// Concurrent sessions: a known session continues, a new one is refused; no reset known.
	lim2 := quota.NewLocal(quota.LocalOptions{})
	user2 := quotaUser()
	user2.Limits.ConcurrentSessions = 1
	h2 := newQuotaHarness(t, lim2, user2, quotaKey(), testProvider(1, catalog.TypeClaude, up.URL))
	sess := func(id string) map[string]string {
		return map[string]string{"x-api-key": testKey, "X-Claude-Code-Session-Id": id}
	}
	if resp, _ := post(t, h2.url, "/v1/messages", messagesBody, sess("a")); resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
	if resp, _ := post(t, h2.url, "/v1/messages", messagesBody, sess("a")); resp.StatusCode != 200 {
		t.Fatalf("same session: %d", resp.StatusCode)
	}
	resp, body = post(t, h2.url, "/v1/messages", messagesBody, sess("b"))
	e = decodeError(t, body)
	if resp.StatusCode != 429 || e["limit_type"] != "concurrent_sessions" || e["reset_time"] != nil ||
		resp.Header.Get("Retry-After") != "" || resp.Header.Get("X-RateLimit-Reset") != "" || resp.Header.Get("X-RateLimit-Limit") != "1" {
		t.Fatalf("sessions: %d %v %s", resp.StatusCode, resp.Header, body)
	}
}

// TestQuotaProviderOverLimitIsSkipped: a provider over its limit is left out of selection with
// the reason in the decision chain; only when none remains does the client get an error.
func TestQuotaProviderOverLimitIsSkipped(t *testing.T) {
	up1 := startFake(t, defaultUsage())
	up2 := startFake(t, defaultUsage())
	lim := quota.NewLocal(quota.LocalOptions{})
	p1 := testProvider(1, catalog.TypeClaude, up1.URL)
	p1.Limits.LimitTotal = oneRequestCost
	p1.Priority = 0
	p2 := testProvider(2, catalog.TypeClaude, up2.URL)
	p2.Priority = 1
	h := newQuotaHarness(t, lim, quotaUser(), quotaKey(), p1, p2)
	if resp, _ := post(t, h.url, "/v1/messages", messagesBody, apiKey); resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
	if rec := h.sink.wait(t, 1); rec.ProviderID != 1 {
		t.Fatalf("first request went to %d", rec.ProviderID)
	}
	if resp, body := post(t, h.url, "/v1/messages", messagesBody, apiKey); resp.StatusCode != 200 {
		t.Fatalf("second request: %d %s", resp.StatusCode, body)
	}
	rec := h.sink.wait(t, 2)
	if rec.ProviderID != 2 || !strings.Contains(string(rec.ProviderChain), `"reason":"usd_total_limit"`) {
		t.Fatalf("second request: provider %d chain %s", rec.ProviderID, rec.ProviderChain)
	}

	// With p1 the only provider, the client gets 503, not a spend error of the provider's.
	h.setProviders(p1)
	resp, body := post(t, h.url, "/v1/messages", messagesBody, apiKey)
	if resp.StatusCode != 503 || !strings.Contains(string(body), "no_available_providers") {
		t.Fatalf("only an exhausted provider: %d %s", resp.StatusCode, body)
	}
}

// TestQuotaProviderConcurrencyRefusalInChain: a provider at its session limit refuses a new
// session at admission; the refusal is in the chain and the request moves on.
func TestQuotaProviderConcurrencyRefusalInChain(t *testing.T) {
	up1 := startFake(t, defaultUsage())
	up2 := startFake(t, defaultUsage())
	lim := quota.NewLocal(quota.LocalOptions{})
	p1 := testProvider(1, catalog.TypeClaude, up1.URL)
	p1.Limits.ConcurrentSessions = 1
	p2 := testProvider(2, catalog.TypeClaude, up2.URL)
	p2.Priority = 1
	h := newQuotaHarness(t, lim, quotaUser(), quotaKey(), p1, p2)
	sess := func(id string) map[string]string {
		return map[string]string{"x-api-key": testKey, "X-Claude-Code-Session-Id": id}
	}
	if resp, _ := post(t, h.url, "/v1/messages", messagesBody, sess("a")); resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
	if resp, _ := post(t, h.url, "/v1/messages", messagesBody, sess("b")); resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
	rec := h.sink.wait(t, 2)
	if rec.ProviderID != 2 || !strings.Contains(string(rec.ProviderChain), "concurrent_sessions_limit") {
		t.Fatalf("session b: provider %d chain %s", rec.ProviderID, rec.ProviderChain)
	}
}

// TestQuotaStreamSettles: a streamed answer's cost reaches the limiter when the stream ends.
func TestQuotaStreamSettles(t *testing.T) {
	up := startFake(t, defaultUsage())
	lim := quota.NewLocal(quota.LocalOptions{})
	h := newQuotaHarness(t, lim, quotaUser(), quotaKey(), testProvider(1, catalog.TypeClaude, up.URL))
	body := `{"model":"claude-sonnet-4-5-20250929","stream":true,"max_tokens":64,"messages":[{"role":"user","content":"hi"}]}`
	if resp, _ := post(t, h.url, "/v1/messages", body, apiKey); resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
	h.sink.wait(t, 1)
	for _, e := range []quota.Entity{{Kind: quota.KindKey, ID: 7}, {Kind: quota.KindUser, ID: 1}, {Kind: quota.KindProvider, ID: 1}} {
		u, err := lim.Usage(context.Background(), e, &catalog.Limits{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if u.Windows[quota.WindowTotal].Used != oneRequestCost || u.Reserved != 0 || u.Sessions != 0 {
			t.Fatalf("%v after the stream: used %d reserved %d sessions %d", e, u.Windows[quota.WindowTotal].Used, u.Reserved, u.Sessions)
		}
	}
}

// TestQuotaConcurrentBudget (G2): 64 concurrent requests against a key whose budget pays for
// 10. Spend never passes the limit by more than one request's cost, and once a client has seen
// the limit reached no request is admitted.
func TestQuotaConcurrentBudget(t *testing.T) {
	opts := defaultUsage()
	opts.FirstByteDelay = 20 * time.Millisecond // keep the burst in flight together
	up := startFake(t, opts)
	lim := quota.NewLocal(quota.LocalOptions{})
	key := quotaKey()
	key.Limits.LimitDaily = 10 * oneRequestCost
	h := newQuotaHarness(t, lim, quotaUser(), key, testProvider(1, catalog.TypeClaude, up.URL))

	type result struct {
		status     int
		start, end time.Time
	}
	results := make([]result, 64)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			t0 := time.Now()
			resp, _ := post(t, h.url, "/v1/messages", messagesBody, apiKey)
			results[i] = result{resp.StatusCode, t0, time.Now()}
		}()
	}
	close(start)
	wg.Wait()
	admitted, held, exhausted := 0, 0, 0
	for _, r := range results {
		switch r.status {
		case 200:
			admitted++
		case 429:
			held++ // the budget was reserved by requests in flight
		case 402:
			exhausted++
		default:
			t.Fatalf("unexpected status %d", r.status)
		}
	}
	burst := admitted
	// Then one at a time until the limit is reported.
	var seenLimit time.Time
	for i := 0; i < 20 && seenLimit.IsZero(); i++ {
		resp, _ := post(t, h.url, "/v1/messages", messagesBody, apiKey)
		switch resp.StatusCode {
		case 200:
			admitted++
		case 402:
			seenLimit = time.Now()
		default:
			t.Fatalf("sequential request: %d", resp.StatusCode)
		}
	}
	if seenLimit.IsZero() {
		t.Fatal("the limit was never reported")
	}
	for range 3 {
		if resp, _ := post(t, h.url, "/v1/messages", messagesBody, apiKey); resp.StatusCode != 402 {
			t.Fatalf("admitted after the limit was observed: %d", resp.StatusCode)
		}
	}
	for _, r := range results {
		if r.status == 402 {
			for _, o := range results {
				if o.status == 200 && o.start.After(r.end) {
					t.Fatal("a request that started after a client saw 402 was admitted")
				}
			}
		}
	}
	u, err := lim.Usage(context.Background(), quota.Entity{Kind: quota.KindKey, ID: 7}, &key.Limits, 0)
	if err != nil {
		t.Fatal(err)
	}
	spent := u.Windows[quota.WindowDaily].Used
	if spent != int64(admitted)*oneRequestCost || spent > key.Limits.LimitDaily+oneRequestCost || u.Reserved != 0 {
		t.Fatalf("spent %s for %d admitted requests (limit %s), reserved %d", money.Format(spent), admitted,
			money.Format(key.Limits.LimitDaily), u.Reserved)
	}
	t.Logf("burst of 64: %d admitted, %d held back (429), %d refused (402); %d admitted in all; spent $%s of $%s",
		burst, held, exhausted, admitted, money.Format(spent), money.Format(key.Limits.LimitDaily))
}
