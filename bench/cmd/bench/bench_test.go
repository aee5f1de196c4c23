package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestQuickBench runs the whole orchestrator in -quick mode — build, start the mock and the
// hub, configure them through the admin API, run every scenario direct and through the hub —
// so `make bench` cannot rot unnoticed. It checks that every request got the mock's exact
// answer and that every number the report is made of was produced.
func TestQuickBench(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the hub and the mock")
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "quick.json")
	var progress strings.Builder
	o := options{quick: true, requests: 150, duration: 2 * time.Second, out: out, chunks: 4, size: 32,
		root: root, progress: &progress}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := run(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + progress.String())
	if len(rep.Scenarios) != len(scenarios) {
		t.Fatalf("%d scenarios ran, want %d", len(rep.Scenarios), len(scenarios))
	}
	var hubCPU float64
	for _, s := range rep.Scenarios {
		for _, p := range []phaseResult{s.Direct, s.Hub} {
			if p.Errors+p.WarmupErrors != 0 {
				t.Errorf("%s %s: %d errors (warm-up %d): %s", s.Name, p.Target, p.Errors, p.WarmupErrors, p.FirstError)
			}
			if p.Requests != o.requests {
				t.Errorf("%s %s: %d requests succeeded, want %d", s.Name, p.Target, p.Requests, o.requests)
			}
			if p.RPS <= 0 || p.Latency.P50 <= 0 || p.Latency.P99 < p.Latency.P50 {
				t.Errorf("%s %s: no usable numbers: rps %.0f latency %+v", s.Name, p.Target, p.RPS, p.Latency)
			}
			if s.Stream && (p.TTFB == nil || p.TTFB.P50 <= 0) {
				t.Errorf("%s %s: no TTFB", s.Name, p.Target)
			}
		}
		// The hub saw and logged every measured request: the numbers are about relaying, not
		// about a hub that answered something else.
		if int(s.Hub.HubRelayedOK) != s.Hub.Requests || int(s.Hub.HubLogged) != s.Hub.Requests {
			t.Errorf("%s: hub relayed %.0f and logged %.0f, want %d", s.Name, s.Hub.HubRelayedOK, s.Hub.HubLogged, s.Hub.Requests)
		}
		if s.Hub.HubAllocs <= 0 || s.Hub.HubRSSPeakKiB <= 0 {
			t.Errorf("%s: hub allocs %.0f rss %d", s.Name, s.Hub.HubAllocs, s.Hub.HubRSSPeakKiB)
		}
		hubCPU += s.Hub.HubCPUms
	}
	// /proc counts CPU in 10 ms ticks, so a single small phase may read 0; the run as a whole
	// cannot.
	if hubCPU <= 0 {
		t.Error("no hub CPU time measured")
	}
	md := rep.markdown()
	for _, want := range []string{"json-c64", "sse-c16", "hub CPU per 1000 relayed", "TTFB added p99"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if err := rep.save(out, md); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(strings.TrimSuffix(out, ".json") + ".md"); err != nil {
		t.Error(err)
	}
	if testing.Verbose() {
		_, _ = io.WriteString(os.Stdout, md)
	}
}
