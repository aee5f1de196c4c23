package admin

import (
	"bytes"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudwego/hertz/pkg/app"
	"github.com/cloudwego/hertz/pkg/common/config"
	"github.com/cloudwego/hertz/pkg/common/ut"
	"github.com/cloudwego/hertz/pkg/protocol"
	"github.com/cloudwego/hertz/pkg/route"

	"github.com/cchub/cchub/pkg/jsonx"
	"github.com/cchub/cchub/pkg/store"
	"github.com/cchub/cchub/pkg/store/storetest"
)

const (
	testToken = "admin-token-for-tests-0123456789"
	testHost  = "cchub.test"
	// testOrigin is what a browser on the admin UI sends with a mutation.
	testOrigin = "http://" + testHost
)

// fakeClock is the injected clock: tests move it explicitly instead of sleeping.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// syncBuffer collects log output from concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// harness is an admin API on a fresh engine and database.
type harness struct {
	t     *testing.T
	store *store.Store
	api   *API
	eng   *route.Engine
	clock *fakeClock
	logs  *syncBuffer

	mu      sync.Mutex
	changes []string
}

type harnessOption func(*Config)

func newHarness(t *testing.T, s *store.Store, opts ...harnessOption) *harness {
	t.Helper()
	h := &harness{t: t, store: s, clock: &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}, logs: &syncBuffer{}}
	cfg := Config{
		Store:      s,
		AdminToken: testToken,
		Logger:     slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:        h.clock.Now,
		OnChange: func(what string) {
			h.mu.Lock()
			h.changes = append(h.changes, what)
			h.mu.Unlock()
		},
		// Tests pick the client address with a header, to exercise per-address lockout.
		ClientAddr: func(c *app.RequestContext) string {
			if v := c.Request.Header.Get("X-Test-Addr"); v != "" {
				return v
			}
			return "192.0.2.1"
		},
	}
	for _, o := range opts {
		o(&cfg)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("admin log:\n%s", h.logs.String())
		}
	})
	h.api = New(cfg)
	h.eng = route.NewEngine(config.NewOptions(nil))
	h.api.Register(h.eng)
	return h
}

// newSQLiteHarness is the common case: a fresh SQLite database.
func newSQLiteHarness(t *testing.T, opts ...harnessOption) *harness {
	return newHarness(t, storetest.SQLite(t), opts...)
}

func (h *harness) changesSeen() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.changes...)
}

// response is a finished request.
type response struct {
	t      *testing.T
	Status int
	Body   []byte
	header *protocol.ResponseHeader
}

// req performs a request against the engine. body may be nil, a string (sent verbatim) or any
// value encoded as JSON.
func (h *harness) req(method, path string, body any, headers ...ut.Header) *response {
	h.t.Helper()
	var b *ut.Body
	if body != nil {
		var raw []byte
		switch v := body.(type) {
		case string:
			raw = []byte(v)
		case []byte:
			raw = v
		default:
			var err error
			raw, err = jsonx.Marshal(v)
			if err != nil {
				h.t.Fatal(err)
			}
		}
		b = &ut.Body{Body: bytes.NewReader(raw), Len: len(raw)}
		headers = append(headers, ut.Header{Key: "Content-Type", Value: "application/json"})
	}
	w := ut.PerformRequest(h.eng, method, "http://"+testHost+path, b, headers...)
	res := w.Result()
	return &response{t: h.t, Status: res.StatusCode(), Body: append([]byte(nil), res.Body()...), header: &res.Header}
}

func bearer(tok string) ut.Header { return ut.Header{Key: "Authorization", Value: "Bearer " + tok} }

func cookie(v string) ut.Header { return ut.Header{Key: "Cookie", Value: sessionCookie + "=" + v} }

func origin(o string) ut.Header { return ut.Header{Key: "Origin", Value: o} }

// admin performs a request with the admin token.
func (h *harness) admin(method, path string, body any) *response {
	h.t.Helper()
	return h.req(method, path, body, bearer(testToken))
}

// login logs in with token and returns the session cookie value.
func (h *harness) login(token string) string {
	h.t.Helper()
	r := h.req("POST", "/api/auth/login", map[string]any{"token": token})
	r.want(200)
	ck := r.cookie()
	if ck == nil || len(ck.Value()) == 0 {
		h.t.Fatalf("login set no session cookie: %s", r.Body)
	}
	return string(ck.Value())
}

func (r *response) want(status int) *response {
	r.t.Helper()
	if r.Status != status {
		r.t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Body)
	}
	return r
}

// wantError checks an error answer: its status, the {"error":{...}} shape and the named field.
func (r *response) wantError(status int, field string) *response {
	r.t.Helper()
	r.want(status)
	var e struct {
		Error *struct {
			Message string  `json:"message"`
			Field   *string `json:"field"`
		} `json:"error"`
	}
	if err := jsonx.Unmarshal(r.Body, &e); err != nil || e.Error == nil || e.Error.Message == "" {
		r.t.Fatalf("not an error body: %s", r.Body)
	}
	got := ""
	if e.Error.Field != nil {
		got = *e.Error.Field
	}
	if got != field {
		r.t.Fatalf("error field %q, want %q; body %s", got, field, r.Body)
	}
	return r
}

// json decodes the body into a generic map (numbers as float64 are fine for ids in tests).
func (r *response) json() map[string]any {
	r.t.Helper()
	var m map[string]any
	if err := jsonx.Unmarshal(r.Body, &m); err != nil {
		r.t.Fatalf("decode %s: %v", r.Body, err)
	}
	return m
}

func (r *response) decode(v any) {
	r.t.Helper()
	if err := jsonx.Unmarshal(r.Body, v); err != nil {
		r.t.Fatalf("decode %s: %v", r.Body, err)
	}
}

func (r *response) headerValue(k string) string { return string(r.header.Peek(k)) }

// cookie returns the session cookie the response set, or nil.
func (r *response) cookie() *protocol.Cookie {
	ck := &protocol.Cookie{}
	ck.SetKey(sessionCookie)
	if !r.header.Cookie(ck) {
		return nil
	}
	return ck
}

// id reads the "id" member of a JSON object body.
func (r *response) id() int {
	r.t.Helper()
	v, ok := r.json()["id"].(int64)
	if !ok {
		f, ok := r.json()["id"].(float64)
		if !ok {
			r.t.Fatalf("no id in %s", r.Body)
		}
		return int(f)
	}
	return int(v)
}

// rawSetCookie is the Set-Cookie header line for the session cookie, as sent ("" if none).
func (r *response) rawSetCookie() string {
	var raw string
	r.header.VisitAllCookie(func(key, value []byte) {
		if string(key) == sessionCookie {
			raw = string(value)
		}
	})
	return raw
}

func (r *response) contains(s string) bool { return strings.Contains(string(r.Body), s) }

// Fixtures.

func (h *harness) createUser(name string, extra map[string]any) int {
	h.t.Helper()
	body := map[string]any{"name": name}
	for k, v := range extra {
		body[k] = v
	}
	return h.admin("POST", "/api/v1/users", body).want(201).id()
}

// createKey creates a key for user and returns its id and the full key.
func (h *harness) createKey(userID int, extra map[string]any) (int, string) {
	h.t.Helper()
	body := map[string]any{"name": "k"}
	for k, v := range extra {
		body[k] = v
	}
	r := h.admin("POST", "/api/v1/users/"+itoa(userID)+"/keys", body).want(201)
	m := r.json()
	k, _ := m["key"].(string)
	if k == "" {
		h.t.Fatalf("no key in %s", r.Body)
	}
	return r.id(), k
}

func validProvider() map[string]any {
	return map[string]any{
		"name": "anthropic-main",
		"type": "claude",
		"url":  "https://api.anthropic.com",
		"key":  "sk-ant-api03-upstream-secret-abcdefghijklmnop-wxyz",
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
