package app

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/cchub/cchub/pkg/fakeupstream"
	"github.com/cchub/cchub/pkg/secretbox"
)

// TestSecretKeyEncryptsProviderKeys: with SECRET_KEY the upstream still gets the real key, the
// database holds ciphertext, and a restart with another secret refuses to start.
func TestSecretKeyEncryptsProviderKeys(t *testing.T) {
	t.Cleanup(func() { secretbox.Configure("") })
	up, err := fakeupstream.Start(fakeupstream.Options{InputTokens: 1, OutputTokens: 1}, true)
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	cfg := testConfig(t, map[string]string{"SECRET_KEY": "0123456789abcdef-secret"})
	h := startHub(t, cfg)
	base := "http://" + h.Addr()
	var u struct{ ID int }
	var k struct{ Key string }
	adminCall(t, base, "POST", "/api/v1/providers", `{"name":"p","type":"claude","url":"`+up.URL+`","key":"sk-ant-REAL-upstream-key"}`, nil)
	adminCall(t, base, "POST", "/api/v1/users", `{"name":"u"}`, &u)
	adminCall(t, base, "POST", "/api/v1/users/"+itoa(u.ID)+"/keys", `{"name":"k"}`, &k)
	if code := relayStatus(t, base, k.Key); code != 200 {
		t.Fatalf("relay %d", code)
	}
	if got := up.Requests()[0].Header.Get("X-Api-Key"); got != "sk-ant-REAL-upstream-key" {
		t.Fatalf("upstream got key %q", got)
	}
	var stored string
	if err := h.store.DB.QueryRowContext(context.Background(), "SELECT api_key FROM providers").Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stored, secretbox.Prefix) || strings.Contains(stored, "REAL") {
		t.Fatalf("stored %q", stored)
	}
	if err := h.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	cfg.SecretKey = "a-different-secret-value"
	_, err = start(context.Background(), cfg, newLogger(io.Discard, 0))
	if err == nil || !strings.Contains(err.Error(), "SECRET_KEY") {
		t.Fatalf("start with the wrong secret: %v", err)
	}
}
