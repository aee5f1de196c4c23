package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// newTransport is the load generator's client: HTTP/1.1 keep-alive with an idle pool larger
// than the concurrency, so after warm-up every request reuses a connection and the numbers
// measure relaying, not TCP handshakes. No compression: the hub forwards bodies as they are.
func newTransport(conc int) *http.Transport {
	return &http.Transport{
		Proxy:                 nil, // never route loopback traffic through an environment proxy
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          0,
		MaxIdleConnsPerHost:   2 * conc,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		DisableCompression:    true,
		ForceAttemptHTTP2:     false,
	}
}

// loadSpec is one closed-loop run: conc workers each send a request, read the whole answer,
// and send the next, until requests have been issued or duration has passed.
type loadSpec struct {
	url      string
	key      string
	body     []byte
	want     []byte // the exact answer every request must get (nil: any 200)
	stream   bool
	conc     int
	requests int
	duration time.Duration
}

// loadResult holds per-request timings in nanoseconds.
type loadResult struct {
	ok       int
	errors   int
	firstErr string
	elapsed  time.Duration
	lat      []int64 // request sent → last body byte read
	ttfb     []int64 // request sent → first body byte read (streams only)
}

// runLoad drives one closed loop. Each worker keeps its own buffers and header map, so the
// load generator's own cost stays small and identical for the direct and the hub target.
func runLoad(ctx context.Context, tr *http.Transport, s loadSpec) loadResult {
	ctx, cancel := context.WithTimeout(ctx, s.duration+30*time.Second)
	defer cancel()
	var issued atomic.Int64
	per := make([]loadResult, s.conc)
	deadline := time.Now().Add(s.duration)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < s.conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			r := &per[w]
			capHint := s.requests/s.conc + 1
			r.lat = make([]int64, 0, capHint)
			if s.stream {
				r.ttfb = make([]int64, 0, capHint)
			}
			hdr := http.Header{
				"Content-Type":      {"application/json"},
				"Anthropic-Version": {"2023-06-01"},
				"User-Agent":        {"claude-cli/2.1.332 (external, cli)"},
				"X-Api-Key":         {s.key},
				// One session per worker, as one Claude Code window per connection: the hub
				// binds and looks up the session on every request.
				"X-Claude-Code-Session-Id": {fmt.Sprintf("00000000-0000-4000-8000-%012d", w)},
			}
			got := make([]byte, 0, len(s.want)+4096)
			buf := make([]byte, 32<<10)
			for issued.Add(1) <= int64(s.requests) && ctx.Err() == nil && time.Now().Before(deadline) {
				if err := oneRequest(ctx, tr, s, hdr, &got, buf, r); err != nil {
					r.errors++
					if r.firstErr == "" {
						r.firstErr = err.Error()
					}
				} else {
					r.ok++
				}
			}
		}(w)
	}
	wg.Wait()
	res := loadResult{elapsed: time.Since(start)}
	for i := range per {
		r := &per[i]
		res.ok += r.ok
		res.errors += r.errors
		if res.firstErr == "" {
			res.firstErr = r.firstErr
		}
		res.lat = append(res.lat, r.lat...)
		res.ttfb = append(res.ttfb, r.ttfb...)
	}
	return res
}

func oneRequest(ctx context.Context, tr *http.Transport, s loadSpec, hdr http.Header, got *[]byte, buf []byte, r *loadResult) error {
	req, err := http.NewRequestWithContext(ctx, "POST", s.url, bytes.NewReader(s.body))
	if err != nil {
		return err
	}
	req.Header = hdr // read-only for the transport
	t0 := time.Now()
	resp, err := tr.RoundTrip(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	*got = (*got)[:0]
	var first time.Time
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			if first.IsZero() {
				first = time.Now()
			}
			*got = append(*got, buf[:n]...)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	end := time.Now()
	if resp.StatusCode != 200 {
		return fmt.Errorf("status %d: %s", resp.StatusCode, snippet(*got))
	}
	if s.want != nil && !bytes.Equal(*got, s.want) {
		return fmt.Errorf("answer differs from the mock's (%d bytes, want %d): %s", len(*got), len(s.want), snippet(*got))
	}
	r.lat = append(r.lat, end.Sub(t0).Nanoseconds())
	if s.stream {
		r.ttfb = append(r.ttfb, first.Sub(t0).Nanoseconds())
	}
	return nil
}

func snippet(b []byte) string {
	s := strings.ToValidUTF8(string(b), "?")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// fetchOnce returns the answer body to one request (the reference the load checks against).
func fetchOnce(ctx context.Context, url, key string, body []byte) ([]byte, error) {
	tr := newTransport(1)
	defer tr.CloseIdleConnections()
	var r loadResult
	got := make([]byte, 0, 8192)
	s := loadSpec{url: url, key: key, body: body}
	hdr := http.Header{"Content-Type": {"application/json"}, "Anthropic-Version": {"2023-06-01"}, "X-Api-Key": {key}}
	// want is nil: take whatever a 200 carries.
	if err := oneRequest(ctx, tr, s, hdr, &got, make([]byte, 32<<10), &r); err != nil {
		return nil, err
	}
	return got, nil
}

// dist is a latency distribution summary in nanoseconds.
type dist struct {
	P50 int64 `json:"p50_ns"`
	P90 int64 `json:"p90_ns"`
	P99 int64 `json:"p99_ns"`
	Max int64 `json:"max_ns"`
}

func summarize(ns []int64) dist {
	if len(ns) == 0 {
		return dist{}
	}
	sort.Slice(ns, func(i, j int) bool { return ns[i] < ns[j] })
	return dist{P50: quantile(ns, 0.50), P90: quantile(ns, 0.90), P99: quantile(ns, 0.99), Max: ns[len(ns)-1]}
}

// quantile is the nearest-rank quantile of sorted values.
func quantile(sorted []int64, q float64) int64 {
	i := int(q*float64(len(sorted))+0.999999) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(sorted) {
		i = len(sorted) - 1
	}
	return sorted[i]
}
