package gateway

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/cchub/cchub/pkg/gateway/catalog"
	"github.com/cchub/cchub/pkg/quota"
)

// BenchmarkRelayJSONQuota is BenchmarkRelayJSON with the in-process limiter on and every limit
// of the key, its user and the provider set (none reached): the cost of quotas on the hot path.
func BenchmarkRelayJSONQuota(b *testing.B) {
	up := startFake(b, defaultUsage())
	defer up.Close()
	big := catalog.Limits{Limit5h: 1 << 60, LimitDaily: 1 << 60, LimitWeekly: 1 << 60, LimitMonthly: 1 << 60,
		LimitTotal: 1 << 60, ConcurrentSessions: 1 << 20}
	user, key := quotaUser(), quotaKey()
	user.RPMLimit, user.Limits, key.Limits = 1<<30, big, big
	p := testProvider(1, catalog.TypeClaude, up.URL)
	p.Limits = big
	h := newQuotaHarness(b, quota.NewLocal(quota.LocalOptions{}), user, key, p)
	h.g.cfg.Log = slog.New(slog.DiscardHandler)
	h.g.cfg.Sink = discardSink{}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	body := `{"model":"claude-sonnet-4-5","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("POST", h.url+"/v1/messages", strings.NewReader(body))
			req.Header.Set("x-api-key", testKey)
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatal(resp.StatusCode)
			}
		}
	})
}
