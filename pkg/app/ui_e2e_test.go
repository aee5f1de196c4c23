package app

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/cchub/cchub/pkg/fakeupstream"
)

// The usage the fake upstream reports in the UI test; ui/e2e/e2e.mjs checks the logs page
// shows exactly these numbers.
const (
	uiInputTokens  = 1200
	uiOutputTokens = 345
	uiCache5m      = 100
	uiCache1h      = 50
	uiCacheRead    = 200
)

// TestUIEndToEnd drives the embedded web UI in headless Chromium (playwright-core from
// ui/node_modules and the system chromium) against a real hub and a fake upstream: admin login,
// provider/user/key creation through the forms, the one-time key dialog, a relayed request on
// the logs page and the leaderboard, a key login that sees only its own usage, language and
// theme switches, the phone layout, and no console errors. Screenshots of every page are saved
// under test-artifacts/ui/ (printed at the end).
//
// Without node, `npm ci` in ui/ or chromium it skips, unless CCHUB_UI_TESTS=1 (set by
// .ci/run), where it fails.
func TestUIEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	required := os.Getenv("CCHUB_UI_TESTS") == "1"
	skip := func(why string) {
		t.Helper()
		if required {
			t.Fatalf("%s (CCHUB_UI_TESTS=1 makes this a failure)", why)
		}
		t.Skip(why)
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	uiDir := filepath.Join(root, "ui")
	node, err := exec.LookPath("node")
	if err != nil {
		skip("node is not installed")
	}
	if _, err := os.Stat(filepath.Join(uiDir, "node_modules", "playwright-core", "package.json")); err != nil {
		skip("ui/node_modules is missing: run `cd ui && npm ci`")
	}
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		for _, name := range []string{"chromium", "chromium-browser"} {
			if p, err := exec.LookPath(name); err == nil {
				chromium = p
				break
			}
		}
	}
	if chromium == "" {
		skip("chromium is not installed (apt-get install -y chromium)")
	}

	up, err := fakeupstream.Start(fakeupstream.Options{
		InputTokens: uiInputTokens, OutputTokens: uiOutputTokens,
		CacheCreation5m: uiCache5m, CacheCreation1h: uiCache1h, CacheRead: uiCacheRead,
	}, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { up.Close() })
	h := startHub(t, testConfig(t, nil))

	artifacts := filepath.Join(root, "test-artifacts", "ui")
	if err := os.RemoveAll(artifacts); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("e2e", "e2e.mjs"))
	cmd.Dir = uiDir
	cmd.Env = append(os.Environ(),
		"CCHUB_URL=http://"+h.Addr(),
		"CCHUB_ADMIN_TOKEN=test-admin-token",
		"CCHUB_UPSTREAM_URL="+up.URL,
		"CCHUB_ARTIFACTS="+artifacts,
		"CHROMIUM="+chromium,
		"CCHUB_EXPECT_INPUT_TOKENS="+strconv.Itoa(uiInputTokens),
		"CCHUB_EXPECT_OUTPUT_TOKENS="+strconv.Itoa(uiOutputTokens),
		"CCHUB_EXPECT_CACHE_5M="+strconv.Itoa(uiCache5m),
		"CCHUB_EXPECT_CACHE_1H="+strconv.Itoa(uiCache1h),
		"CCHUB_EXPECT_CACHE_READ="+strconv.Itoa(uiCacheRead),
	)
	out, err := cmd.CombinedOutput()
	t.Logf("ui/e2e/e2e.mjs output:\n%s", out)
	t.Logf("screenshots: %s", artifacts)
	if err != nil {
		t.Fatalf("UI end-to-end test failed: %v", err)
	}
}
