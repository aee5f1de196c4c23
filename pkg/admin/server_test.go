package admin

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/cloudwego/hertz/pkg/app/server"
	"github.com/cloudwego/hertz/pkg/network/standard"

	"github.com/cchub/cchub/pkg/store/storetest"
)

// TestRealServer runs the API on a real listener and drives it with net/http and a cookie jar,
// as a browser would: the cookie must round-trip, and lockout must count the TCP peer, not a
// spoofable X-Forwarded-For.
func TestRealServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	api := New(Config{Store: storetest.SQLite(t), AdminToken: testToken,
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	h := server.New(server.WithListener(ln), server.WithTransport(standard.NewTransporter),
		server.WithDisablePrintRoute(true), server.WithExitWaitTime(100*time.Millisecond))
	api.Register(h.Engine)
	go h.Run()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = h.Shutdown(ctx)
	})
	base := "http://" + ln.Addr().String()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	do := func(method, path, body string, hdr map[string]string) (int, string, http.Header) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b), res.Header
	}
	sameOrigin := map[string]string{"Origin": base}

	if st, _, _ := do("GET", "/api/v1/users", "", nil); st != 401 {
		t.Fatalf("before login: %d", st)
	}
	st, body, hdr := do("POST", "/api/auth/login", `{"token":"`+testToken+`"}`, nil)
	if st != 200 || !strings.Contains(body, `"kind":"admin"`) {
		t.Fatalf("login %d %s", st, body)
	}
	sc := hdr.Get("Set-Cookie")
	for _, attr := range []string{sessionCookie + "=", "HttpOnly", "SameSite=Lax", "path=/"} {
		if !strings.Contains(strings.ToLower(sc), strings.ToLower(attr)) {
			t.Fatalf("Set-Cookie %q lacks %s", sc, attr)
		}
	}
	if st, _, _ := do("GET", "/api/v1/users", "", nil); st != 200 {
		t.Fatalf("with cookie: %d", st)
	}
	if st, _, _ := do("POST", "/api/v1/users", `{"name":"x"}`, nil); st != 403 {
		t.Fatalf("cookie POST without Origin: %d", st)
	}
	if st, body, _ := do("POST", "/api/v1/users", `{"name":"x"}`, sameOrigin); st != 201 {
		t.Fatalf("cookie POST with Origin: %d %s", st, body)
	}
	if st, _, _ := do("POST", "/api/auth/logout", "", sameOrigin); st != 204 {
		t.Fatalf("logout %d", st)
	}
	if st, _, _ := do("GET", "/api/v1/users", "", nil); st != 401 {
		t.Fatalf("after logout: %d", st)
	}

	// Ten failures from 127.0.0.1, each claiming a different X-Forwarded-For, still lock it.
	for i := range 10 {
		st, _, _ := do("POST", "/api/auth/login", `{"token":"guess"}`, map[string]string{"X-Forwarded-For": "203.0.113." + itoa(i)})
		if st != 401 {
			t.Fatalf("failure %d: %d", i, st)
		}
	}
	st, _, hdr = do("POST", "/api/auth/login", `{"token":"`+testToken+`"}`, map[string]string{"X-Forwarded-For": "203.0.113.99"})
	if st != 429 || hdr.Get("Retry-After") != "900" {
		t.Fatalf("after 10 failures: %d Retry-After %q", st, hdr.Get("Retry-After"))
	}
	if strings.Contains(logs.String(), testToken) {
		t.Fatal("admin token in logs")
	}
}
