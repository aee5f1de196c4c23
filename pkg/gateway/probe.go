package gateway

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bytedance/sonic"
	"github.com/bytedance/sonic/ast"

	"github.com/cchub/cchub/pkg/gateway/catalog"
	"github.com/cchub/cchub/pkg/gateway/selector"
	"github.com/cchub/cchub/pkg/jsonx"
)

// Provider test ("probe"): one tiny real request sent to a provider on the admin's demand, with
// the relay's transport, URL building and auth headers, so a success means the relay would
// reach the provider too. It is not routing: it never asks or tells the circuit breaker, and it
// writes no billing record or metric.

// ProbeTimeout bounds a provider test from sending the request to reading the answer.
const ProbeTimeout = 15 * time.Second

// Probe limits: the answer read (a one-token reply is far smaller) and the message shown.
const (
	maxProbeBody    = 64 << 10
	maxProbeMessage = 300
)

// probeUserAgent identifies test requests in upstream logs.
const probeUserAgent = "cchub-provider-test"

// ProbeResult is how a provider test went. An upstream that refused or failed is a result with
// OK false, not an error.
type ProbeResult struct {
	OK         bool          // the upstream answered 2xx with a JSON body that is not an error
	StatusCode int           // 0 when no HTTP answer arrived
	Latency    time.Duration // from sending the request to the end of the answer
	Message    string        // "ok", or the upstream's error message, shortened; never the key
	Model      string        // the model the test asked for (after the provider's redirect)
}

// ErrUnknownProvider is TestProvider's error for an id that is not in the catalog snapshot.
var ErrUnknownProvider error = unknownProviderError{}

type unknownProviderError struct{}

func (unknownProviderError) Error() string { return "provider not found" }

// NotFound lets callers that do not import the gateway (the admin API) recognise the error.
func (unknownProviderError) NotFound() bool { return true }

// Default test models per provider type, used when the provider has no allowlist: the cheapest
// current model of each vendor.
const (
	probeModelClaude = "claude-haiku-4-5"
	probeModelCodex  = "gpt-5-mini"
	probeModelOpenAI = "gpt-4o-mini"
)

type probeMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// probeBody is the request body of every supported format; unused members are omitted.
type probeBody struct {
	Model           string         `json:"model"`
	MaxTokens       int            `json:"max_tokens,omitempty"`
	Messages        []probeMessage `json:"messages,omitempty"`
	Input           string         `json:"input,omitempty"`
	MaxOutputTokens int            `json:"max_output_tokens,omitempty"`
}

// TestProvider sends provider id a minimal request (Messages for claude and claude-auth,
// Responses for codex, Chat Completions for openai-compatible) asking for the first model of its
// allowlist, or a small default model, and reports the answer. It logs nothing: the caller (the
// admin API) logs the outcome.
func (g *Gateway) TestProvider(ctx context.Context, id int) (ProbeResult, error) {
	p := g.snap.Load().Provider(id)
	if p == nil {
		return ProbeResult{}, ErrUnknownProvider
	}
	res := ProbeResult{Model: probeModel(p)}
	path, body := probeRequest(p, res.Model)
	if path == "" {
		res.Message = "testing " + string(p.Type) + " providers is not supported"
		return res, nil
	}
	raw, err := jsonx.Marshal(body)
	if err != nil {
		return res, err
	}
	tr, err := g.upstreamTransport(p.ProxyURL)
	if err != nil {
		res.Message = probeScrub(err.Error(), p)
		return res, nil
	}

	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, ProbeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, upstreamURL(p.URL, path, ""), bytes.NewReader(raw))
	if err != nil {
		res.Message = probeScrub("bad provider URL: "+err.Error(), p)
		return res, nil
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", probeUserAgent)
	if p.Type.Format() == catalog.FormatAnthropic {
		req.Header.Set("Anthropic-Version", "2023-06-01")
	}
	setUpstreamAuth(req.Header, p)

	start := time.Now()
	resp, err := tr.RoundTrip(req)
	if err != nil {
		res.Latency = time.Since(start)
		res.Message = probeErrText(parent, ctx, err, p)
		return res, nil
	}
	b, rerr := readAllLimit(resp.Body, maxProbeBody)
	resp.Body.Close()
	res.Latency = time.Since(start)
	res.StatusCode = resp.StatusCode
	res.OK, res.Message = judgeProbe(resp.StatusCode, resp.Header.Get("Content-Type"), b, p)
	if rerr != nil && res.OK {
		// An error answer read in part still has its message; a success must arrive whole.
		res.OK, res.Message = false, "reading the answer: "+probeErrText(parent, ctx, rerr, p)
	}
	return res, nil
}

// CircuitStatus returns provider id's circuit as "closed", "open" or "half_open", its consecutive
// failure count and, when open, the end of the open period. An open circuit whose period has
// passed is half_open: the next request will be its probe.
func (g *Gateway) CircuitStatus(id int) (string, int, time.Time) {
	st, failures, until := g.cfg.Breakers.State(id)
	switch st {
	case selector.StateOpen:
		return "open", failures, until
	case selector.StateHalfOpen:
		return "half_open", failures, time.Time{}
	}
	return "closed", failures, time.Time{}
}

// probeModel is the first model of p's allowlist, or its type's default, after p's redirect.
func probeModel(p *catalog.Provider) string {
	var m string
	switch {
	case len(p.AllowedModels) > 0:
		m = p.AllowedModels[0]
	case p.Type == catalog.TypeCodex:
		m = probeModelCodex
	case p.Type == catalog.TypeOpenAI:
		m = probeModelOpenAI
	default:
		m = probeModelClaude
	}
	if to := p.ModelRedirects[m]; to != "" {
		m = to
	}
	return m
}

// probeRequest returns the path and body of p's test request; an empty path for a type without
// a test.
func probeRequest(p *catalog.Provider, model string) (string, probeBody) {
	ping := []probeMessage{{Role: "user", Content: "ping"}}
	switch p.Type.Format() {
	case catalog.FormatAnthropic:
		return endpointMessages.Path, probeBody{Model: model, MaxTokens: 1, Messages: ping}
	case catalog.FormatResponses:
		return endpointResponses.Path, probeBody{Model: model, Input: "ping", MaxOutputTokens: 16}
	case catalog.FormatChat:
		return endpointChat.Path, probeBody{Model: model, MaxTokens: 1, Messages: ping}
	}
	return "", probeBody{}
}

// judgeProbe decides whether an answer is a success and words the message. A 2xx must carry a
// JSON object without an error in it (or be an event stream): relays that answer errors with
// 200, and URLs that lead to a web page, are failures.
func judgeProbe(status int, contentType string, body []byte, p *catalog.Provider) (bool, string) {
	if status < 200 || status > 299 {
		msg := upstreamMessage(body)
		if msg == "" {
			msg = "upstream answered HTTP " + strconv.Itoa(status)
		}
		return false, probeScrub(msg, p)
	}
	if strings.HasPrefix(contentType, "text/event-stream") {
		return true, "ok"
	}
	b := bytes.TrimSpace(body)
	if len(b) == 0 || b[0] != '{' || !jsonx.Valid(b) {
		return false, "upstream answered HTTP " + strconv.Itoa(status) + " but not with JSON"
	}
	if n, err := sonic.Get(b, "error"); err == nil && isErrorValue(n) {
		msg := upstreamMessage(b)
		if msg == "" {
			msg = "error in a 2xx answer"
		}
		return false, probeScrub(msg, p)
	}
	return true, "ok"
}

// isErrorValue reports whether an "error" member carries an error: an object or a non-empty
// string (some APIs send "error": null or "" on success).
func isErrorValue(n ast.Node) bool {
	switch n.TypeSafe() {
	case ast.V_OBJECT:
		return true
	case ast.V_STRING:
		s, _ := n.StrictString()
		return s != ""
	}
	return false
}

// upstreamMessage extracts an error message from an upstream error body: error.message
// (Anthropic, OpenAI), a string error, message or detail; otherwise the body text itself.
func upstreamMessage(body []byte) string {
	for _, path := range [][]any{{"error", "message"}, {"error"}, {"message"}, {"detail"}} {
		if n, err := sonic.Get(body, path...); err == nil {
			if s, err := n.StrictString(); err == nil && strings.TrimSpace(s) != "" {
				return s
			}
		}
	}
	return strings.TrimSpace(string(body))
}

// probeErrText words a transport failure. parent is the caller's context (the admin request),
// whose end is a cancellation; ctx adds the probe's own timeout.
func probeErrText(parent, ctx context.Context, err error, p *catalog.Provider) string {
	switch {
	case parent.Err() != nil:
		return "test cancelled"
	case ctx.Err() != nil, errors.Is(err, context.DeadlineExceeded):
		return "no answer within " + ProbeTimeout.String()
	}
	return probeScrub(err.Error(), p)
}

// probeScrub removes the provider's key and proxy password from msg (an upstream may echo what
// it was sent, and transport errors quote the proxy URL), makes it valid UTF-8 on one line, and
// shortens it.
func probeScrub(msg string, p *catalog.Provider) string {
	// Keys this short are not real keys, and replacing them would garble the message.
	if k := strings.TrimSpace(p.APIKey); len(k) >= 8 {
		msg = strings.ReplaceAll(msg, k, "[redacted]")
	}
	if u, err := url.Parse(p.ProxyURL); err == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			msg = strings.ReplaceAll(msg, pw, "[redacted]")
		}
	}
	msg = strings.Join(strings.Fields(strings.ToValidUTF8(msg, "\uFFFD")), " ")
	if len(msg) > maxProbeMessage {
		cut := maxProbeMessage
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	return msg
}
