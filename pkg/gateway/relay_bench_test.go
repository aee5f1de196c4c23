package gateway

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/cchub/cchub/pkg/billing"
	"github.com/cchub/cchub/pkg/gateway/catalog"
)

// benchRelay measures one full relay through a real listener to a loopback fake upstream. The
// numbers include the HTTP client and the fake upstream in the same process, so they bound the
// gateway's own cost from above; bench/ measures the hub alone.
func benchRelay(b *testing.B, body string) {
	up := startFake(b, defaultUsage())
	defer up.Close()
	h := newHarness(b, testProvider(1, catalog.TypeClaude, up.URL))
	h.g.cfg.Log = slog.New(slog.DiscardHandler)
	h.g.cfg.Sink = discardSink{}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
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

type discardSink struct{}

func (discardSink) Submit(billing.Record) bool { return true }

func BenchmarkRelayJSON(b *testing.B) {
	benchRelay(b, `{"model":"claude-sonnet-4-5","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`)
}

func BenchmarkRelayStream(b *testing.B) {
	benchRelay(b, `{"model":"claude-sonnet-4-5","stream":true,"max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`)
}
