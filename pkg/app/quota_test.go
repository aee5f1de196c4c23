package app

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cchub/cchub/pkg/fakeupstream"
	"github.com/cchub/cchub/pkg/money"
	"github.com/cchub/cchub/pkg/store/storetest"
)

// quotaRequestCost is what one request costs with quotaUsage on claude-sonnet-4-5 (embedded
// LiteLLM prices): 25×$3 + 12×$15 + 100×$3.75 + 200×$0.30 per million tokens.
const quotaRequestCost = 690_000

var quotaUsage = fakeupstream.Options{InputTokens: 25, OutputTokens: 12, CacheCreation5m: 100, CacheRead: 200}

const quotaBody = `{"model":"claude-sonnet-4-5-20250929","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}`

func quotaPost(t *testing.T, base, key string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/v1/messages", bytes.NewReader([]byte(quotaBody)))
	req.Header.Set("x-api-key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// keyKnown reports whether an instance accepts key (a free request).
func keyKnown(t *testing.T, base, key string) bool {
	req, _ := http.NewRequest("GET", base+"/v1/models", nil)
	req.Header.Set("x-api-key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode == 200
}

// quotaSetup creates a provider on up, a user and a key with the given key fields, and returns
// the key.
func quotaSetup(t *testing.T, base string, up *fakeupstream.Server, keyFields string) (keyID int, key string) {
	t.Helper()
	var p, u struct{ ID int }
	if code := adminCall(t, base, "POST", "/api/v1/providers", `{"name":"fake","type":"claude","url":"`+up.URL+`","key":"k"}`, &p); code != 201 {
		t.Fatalf("create provider: %d", code)
	}
	if code := adminCall(t, base, "POST", "/api/v1/users", `{"name":"bob"}`, &u); code != 201 {
		t.Fatalf("create user: %d", code)
	}
	var k struct {
		ID  int
		Key string
	}
	if code := adminCall(t, base, "POST", "/api/v1/users/"+itoa(u.ID)+"/keys", `{"name":"laptop",`+keyFields+`}`, &k); code != 201 {
		t.Fatalf("create key: %d", code)
	}
	return k.ID, k.Key
}

type keyQuota struct {
	Items []struct {
		ID          int
		ReservedUSD string `json:"reserved_usd"`
		Windows     []struct {
			Window   string
			UsageUSD string `json:"usage_usd"`
		}
	}
}

// dailyUsage reads the key's daily usage through the admin API.
func dailyUsage(t *testing.T, base string, keyID int) (used, reserved int64) {
	t.Helper()
	var q keyQuota
	if code := adminCall(t, base, "GET", "/api/v1/quotas/keys", "", &q); code != 200 {
		t.Fatalf("quotas: %d", code)
	}
	for _, it := range q.Items {
		if it.ID != keyID {
			continue
		}
		r, _ := money.Parse(it.ReservedUSD)
		for _, w := range it.Windows {
			if w.Window == "daily" {
				u, err := money.Parse(w.UsageUSD)
				if err != nil {
					t.Fatal(err)
				}
				return u, r
			}
		}
	}
	t.Fatalf("key %d not in %+v", keyID, q)
	return 0, 0
}

// TestQuotaTwoInstancesShareBudget (G2 with two hubs on one Postgres and one Redis): 64
// concurrent requests, split between the instances, against a key whose daily budget pays for
// 10. Spend ends at most one request over the limit, and once a client has seen the limit no
// request is admitted on either instance.
func TestQuotaTwoInstancesShareBudget(t *testing.T) {
	redisURL := os.Getenv("CCHUB_TEST_REDIS_URL")
	if redisURL == "" {
		t.Skip("CCHUB_TEST_REDIS_URL not set")
	}
	dsn := storetest.PostgresDSN(t)
	opts := quotaUsage
	opts.FirstByteDelay = 20 * time.Millisecond // keep the burst in flight together
	up, err := fakeupstream.Start(opts, false)
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	env := map[string]string{"DSN": dsn, "REDIS_URL": redisURL}
	hubs := []string{"http://" + startHub(t, testConfig(t, env)).Addr(), "http://" + startHub(t, testConfig(t, env)).Addr()}
	limit := int64(10 * quotaRequestCost)
	keyID, key := quotaSetup(t, hubs[0], up, `"limit_daily_usd":"`+money.Format(limit)+`"`)
	if !eventually(t, 5*time.Second, func() bool { return keyKnown(t, hubs[1], key) }) {
		t.Fatal("instance b never learned the key")
	}

	statuses := make([]int, 64)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			statuses[i] = quotaPost(t, hubs[i%2], key)
		}()
	}
	close(start)
	wg.Wait()
	admitted := 0
	for _, s := range statuses {
		switch s {
		case 200:
			admitted++
		case 402, 429:
		default:
			t.Fatalf("unexpected status %d", s)
		}
	}
	burst := admitted
	seen := false
	for i := 0; i < 30 && !seen; i++ {
		switch s := quotaPost(t, hubs[i%2], key); s {
		case 200:
			admitted++
		case 402:
			seen = true
		case 429: // reservations of requests still settling on the other instance
		default:
			t.Fatalf("sequential request: %d", s)
		}
	}
	if !seen {
		t.Fatal("the limit was never reported")
	}
	for i := range 4 {
		if s := quotaPost(t, hubs[i%2], key); s != 402 {
			t.Fatalf("instance %d answered %d after the limit was observed (metrics: %s)", i%2, s, quotaMetrics(t, hubs[i%2]))
		}
	}
	if admitted*quotaRequestCost > int(limit)+quotaRequestCost {
		t.Fatalf("%d requests admitted: $%s spent of $%s", admitted, money.Format(int64(admitted*quotaRequestCost)), money.Format(limit))
	}
	var used, reserved int64
	if !eventually(t, 5*time.Second, func() bool {
		used, reserved = dailyUsage(t, hubs[1], keyID)
		return used == int64(admitted*quotaRequestCost) && reserved == 0
	}) {
		t.Fatalf("shared spend $%s reserved $%s, want $%s for %d admitted requests", money.Format(used), money.Format(reserved),
			money.Format(int64(admitted*quotaRequestCost)), admitted)
	}
	t.Logf("two instances: %d of the burst of 64 admitted, %d in all; spent $%s of $%s", burst, admitted, money.Format(used), money.Format(limit))

	body := quotaMetrics(t, hubs[0])
	for _, m := range []string{"cchub_quota_redis_degraded 0", "cchub_quota_redis_fallback_total 0", "cchub_quota_redis_outages_total 0"} {
		if !strings.Contains(body, m) {
			t.Errorf("/metrics lacks %q:\n%s", m, body)
		}
	}
}

// quotaMetrics returns the hub's cchub_quota_* metric lines.
func quotaMetrics(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "cchub_quota_") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// cleanQuotaKeys deletes an installation's quota keys when the test ends (after its hubs
// stopped: cleanups run last-registered first, and startHub registers this before the hub).
func cleanQuotaKeys(t *testing.T, redisURL, prefix string) {
	opt, err := redis.ParseURL(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	t.Cleanup(func() {
		defer rdb.Close()
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, "{cchub:"+prefix+"}:*", 500).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
	})
}

// TestQuotaRestartKeepsSpend: spend survives a restart of an in-process hub: the limiter
// rebuilds it from the usage ledger.
func TestQuotaRestartKeepsSpend(t *testing.T) {
	up, err := fakeupstream.Start(quotaUsage, false)
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	cfg := testConfig(t, nil)
	h := startHub(t, cfg)
	base := "http://" + h.Addr()
	keyID, key := quotaSetup(t, base, up, `"limit_daily_usd":"`+money.Format(2*quotaRequestCost)+`"`)
	for range 2 {
		if s := quotaPost(t, base, key); s != 200 {
			t.Fatalf("within the budget: %d", s)
		}
	}
	if s := quotaPost(t, base, key); s != 402 {
		t.Fatalf("over the budget: %d", s)
	}
	if err := h.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}

	cfg2 := testConfig(t, nil)
	cfg2.DataDir = cfg.DataDir
	base = "http://" + startHub(t, cfg2).Addr()
	if s := quotaPost(t, base, key); s != 402 {
		t.Fatalf("after a restart: %d, want 402 (spend rebuilt from the ledger)", s)
	}
	if used, _ := dailyUsage(t, base, keyID); used != 2*quotaRequestCost {
		t.Fatalf("daily usage after restart $%s, want $%s", money.Format(used), money.Format(2*quotaRequestCost))
	}
}

// TestQuotaDisabled: ENABLE_RATE_LIMIT=false lets everything through; the quota views still
// read spend from the ledger.
func TestQuotaDisabled(t *testing.T) {
	up, err := fakeupstream.Start(quotaUsage, false)
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	h := startHub(t, testConfig(t, map[string]string{"ENABLE_RATE_LIMIT": "false"}))
	base := "http://" + h.Addr()
	keyID, key := quotaSetup(t, base, up, `"limit_daily_usd":"`+money.Format(quotaRequestCost)+`"`)
	for range 3 {
		if s := quotaPost(t, base, key); s != 200 {
			t.Fatalf("limits off: %d", s)
		}
	}
	if !eventually(t, 5*time.Second, func() bool { used, _ := dailyUsage(t, base, keyID); return used == 3*quotaRequestCost }) {
		t.Fatal("the ledger view never showed the spend")
	}
}
