package app

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cchub/cchub/pkg/fakeupstream"
	"github.com/cchub/cchub/pkg/jsonx"
	"github.com/cchub/cchub/pkg/store/storetest"
)

// adminCall sends an admin API request with the test token and decodes the JSON answer.
func adminCall(t *testing.T, base, method, path, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer test-admin-token")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		if err := jsonx.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
	return resp.StatusCode
}

func relayStatus(t *testing.T, base, key string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/v1/messages", bytes.NewReader([]byte(`{"model":"claude-sonnet-4-5","max_tokens":5,"messages":[]}`)))
	req.Header.Set("x-api-key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// eventually polls cond until it holds or the deadline passes (an observable condition with a
// bound, not a sleep standing in for synchronisation).
func eventually(t *testing.T, within time.Duration, cond func() bool) bool {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return cond()
}

// TestTwoInstancesShareCatalogThroughRedis: an admin change on one instance takes effect on the
// other within moments, through Redis pub/sub, not the 30 s periodic refresh.
func TestTwoInstancesShareCatalogThroughRedis(t *testing.T) {
	redisURL := os.Getenv("CCHUB_TEST_REDIS_URL")
	if redisURL == "" {
		t.Skip("CCHUB_TEST_REDIS_URL not set")
	}
	dsn := storetest.PostgresDSN(t)
	up, err := fakeupstream.Start(fakeupstream.Options{InputTokens: 3, OutputTokens: 4}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	env := map[string]string{"DSN": dsn, "REDIS_URL": redisURL}
	a := "http://" + startHub(t, testConfig(t, env)).Addr()
	b := "http://" + startHub(t, testConfig(t, env)).Addr()

	var p, u struct{ ID int }
	if code := adminCall(t, a, "POST", "/api/v1/providers", `{"name":"fake","type":"claude","url":"`+up.URL+`","key":"k"}`, &p); code != 201 {
		t.Fatalf("create provider: %d", code)
	}
	if code := adminCall(t, a, "POST", "/api/v1/users", `{"name":"bob"}`, &u); code != 201 {
		t.Fatalf("create user: %d", code)
	}
	var k struct {
		ID  int
		Key string
	}
	if code := adminCall(t, a, "POST", "/api/v1/users/"+itoa(u.ID)+"/keys", `{"name":"laptop"}`, &k); code != 201 {
		t.Fatalf("create key: %d", code)
	}
	t.Log("created key")
	if !eventually(t, 3*time.Second, func() bool { return relayStatus(t, b, k.Key) == 200 }) {
		t.Fatal("instance b never accepted a key created on a")
	}
	t.Log("key works on b")
	if code := adminCall(t, a, "PATCH", "/api/v1/keys/"+itoa(k.ID), `{"is_enabled":false}`, nil); code != 200 {
		t.Fatalf("disable key: %d", code)
	}
	if !eventually(t, 3*time.Second, func() bool { return relayStatus(t, b, k.Key) == 401 }) {
		t.Fatal("instance b still accepts a key disabled on a")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
