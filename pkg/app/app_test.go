package app

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cchub/cchub/pkg/config"
	"github.com/cchub/cchub/pkg/store/storetest"
)

// testConfig returns a config for a hub on 127.0.0.1 with a free port and its own data dir.
func testConfig(t *testing.T, env map[string]string) *config.Config {
	t.Helper()
	get := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	args := []string{"--host", "127.0.0.1", "--port", "0", "--data-dir", t.TempDir(), "--admin-token", "test-admin-token"}
	cfg, err := config.Load(get, args, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func startHub(t *testing.T, cfg *config.Config) *Hub {
	t.Helper()
	if cfg.RedisURL != "" && cfg.EnableRateLimit {
		cleanQuotaKeys(t, cfg.RedisURL, quotaPrefix(cfg)) // CI reuses the Redis server
	}
	h, err := start(context.Background(), cfg, newLogger(io.Discard, 0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if h.closers != nil {
			_ = h.Shutdown(context.Background())
		}
	})
	return h
}

func getStatus(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestHealthOnSQLiteAndShutdown(t *testing.T) {
	h := startHub(t, testConfig(t, nil))
	base := "http://" + h.Addr()
	if got := getStatus(t, base+"/api/health/live"); got != 200 {
		t.Fatalf("live = %d", got)
	}
	if got := getStatus(t, base+"/api/health/ready"); got != 200 {
		t.Fatalf("ready = %d", got)
	}
	// Readiness flips before the listener closes, so a balancer stops routing first.
	h.health.shuttingDown.Store(true)
	if got := getStatus(t, base+"/api/health/ready"); got != 503 {
		t.Fatalf("ready while shutting down = %d", got)
	}
	if err := h.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(base + "/api/health/live"); err == nil {
		t.Fatal("server still answers after shutdown")
	}
}

func TestServesOnEmptyPostgres(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	h := startHub(t, testConfig(t, map[string]string{"DSN": dsn}))
	if got := getStatus(t, "http://"+h.Addr()+"/api/health/ready"); got != 200 {
		t.Fatalf("ready on postgres = %d", got)
	}
}

func TestRedisUnreachableFailsStart(t *testing.T) {
	cfg := testConfig(t, map[string]string{"REDIS_URL": "redis://127.0.0.1:1/0"})
	if _, err := start(context.Background(), cfg, newLogger(io.Discard, 0)); err == nil || !strings.Contains(err.Error(), "redis") {
		t.Fatalf("want a redis error, got %v", err)
	}
}

func TestReadyChecksRedis(t *testing.T) {
	url := os.Getenv("CCHUB_TEST_REDIS_URL")
	if url == "" {
		t.Skip("CCHUB_TEST_REDIS_URL not set")
	}
	h := startHub(t, testConfig(t, map[string]string{"REDIS_URL": url}))
	resp, err := http.Get("http://" + h.Addr() + "/api/health/ready")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte(`"redis":"ok"`)) {
		t.Fatalf("ready = %d %s", resp.StatusCode, body)
	}
}

func TestMainExitCodes(t *testing.T) {
	var out, errb bytes.Buffer
	if code := Main(context.Background(), []string{"version"}, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "cchub ") {
		t.Fatalf("version: %d %q", code, out.String())
	}
	errb.Reset()
	if code := Main(context.Background(), []string{"serve", "--port", "x"}, &out, &errb); code != 2 || strings.Count(errb.String(), "\n") != 1 || !strings.Contains(errb.String(), "PORT") {
		t.Fatalf("bad port: %d %q", code, errb.String())
	}
	errb.Reset()
	t.Setenv("ADMIN_TOKEN", "change-me")
	if code := Main(context.Background(), []string{"--data-dir", t.TempDir()}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "ADMIN_TOKEN") {
		t.Fatalf("change-me token: %d %q", code, errb.String())
	}
	if code := Main(context.Background(), []string{"bogus"}, &out, &errb); code != 2 {
		t.Fatalf("unknown command: %d", code)
	}
	errb.Reset()
	dir := t.TempDir()
	if code := Main(context.Background(), []string{"migrate", "--data-dir", dir}, &out, &errb); code != 0 {
		t.Fatalf("migrate: %d %q", code, errb.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "cchub.db")); err != nil {
		t.Fatal(err)
	}
}

// TestDevBinaryStartsAndStopsOnSIGTERM runs the real binary as the README says, checks it prints
// a generated admin token with its URL, serves ready, and exits 0 on SIGTERM.
func TestDevBinaryStartsAndStopsOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "cchub")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/cchub")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "--dev", "--host", "127.0.0.1", "--port", "0", "--data-dir", t.TempDir())
	cmd.Env = append(os.Environ(), "ADMIN_TOKEN=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var seen bytes.Buffer
	re := regexp.MustCompile(`listening on (http://\S+)\nadmin token \(generated for this run\): (cch-[0-9a-f]{48})\n`)
	buf := make([]byte, 512)
	deadline := time.Now().Add(20 * time.Second)
	var m []string
	for m == nil && time.Now().Before(deadline) {
		n, err := stdout.Read(buf)
		seen.Write(buf[:n])
		if err != nil {
			break
		}
		m = re.FindStringSubmatch(seen.String())
	}
	if m == nil {
		t.Fatalf("no URL and token printed: %q", seen.String())
	}
	if got := getStatus(t, m[1]+"/api/health/ready"); got != 200 {
		t.Fatalf("ready = %d", got)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
}
