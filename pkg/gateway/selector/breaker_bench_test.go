package selector

import (
	"testing"
	"time"

	"github.com/cchub/cchub/pkg/gateway/catalog"
)

// BenchmarkBreakerAllowReport is the per-request cost on a healthy provider.
func BenchmarkBreakerAllowReport(b *testing.B) {
	br := NewBreakers(BreakerOptions{})
	p := breakerProvider(1)
	for i := range 20 {
		br.Allow(breakerProvider(i + 2)) // a realistic number of other providers in the map
	}
	b.ReportAllocs()
	for b.Loop() {
		tk, ok := br.Allow(p)
		if !ok {
			b.Fatal("refused")
		}
		br.Report(tk, true)
	}
}

// BenchmarkBreakerAllowReportParallel shows the closed path does not serialise on a lock.
func BenchmarkBreakerAllowReportParallel(b *testing.B) {
	br := NewBreakers(BreakerOptions{})
	p := breakerProvider(1)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			tk, _ := br.Allow(p)
			br.Report(tk, true)
		}
	})
}

func BenchmarkSelect(b *testing.B) {
	br := NewBreakers(BreakerOptions{})
	var ps []*catalog.Provider
	for i := range 10 {
		ps = append(ps, prov(i+1, prio(i%3), weight(i+1), cost(float64(i%4)),
			models("claude-sonnet-4-5", "claude-opus-4-1")))
	}
	in := Input{Providers: ps, Group: "default", Format: catalog.FormatAnthropic,
		Model: "claude-sonnet-4-5", Health: br, Now: time.Now()}
	b.ReportAllocs()
	for b.Loop() {
		if Select(in, nil).Provider == nil {
			b.Fatal("nothing selected")
		}
	}
}
