package selector

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cchub/cchub/pkg/gateway/catalog"
)

// clock is a fake clock safe for concurrent use.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano())
	return c
}

func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

func breakerProvider(id int) *catalog.Provider {
	return &catalog.Provider{ID: id, Enabled: true, Type: catalog.TypeClaude, Breaker: catalog.BreakerConfig{
		FailureThreshold: 5, OpenDuration: 30 * time.Minute, SuccessThreshold: 2,
	}}
}

// fail runs n admitted requests that fail.
func fail(t *testing.T, b *Breakers, p *catalog.Provider, n int) {
	t.Helper()
	for i := range n {
		tk, ok := b.Allow(p)
		if !ok {
			t.Fatalf("request %d refused", i)
		}
		b.Report(tk, false)
	}
}

func wantState(t *testing.T, b *Breakers, id int, want State, wantFailures int) {
	t.Helper()
	s, f, _ := b.State(id)
	if s != want || f != wantFailures {
		t.Fatalf("state %v failures %d, want %v %d", s, f, want, wantFailures)
	}
}

func TestBreakerOpensAfterThreshold(t *testing.T) {
	clk := newClock()
	b := NewBreakers(BreakerOptions{Now: clk.Now})
	p := breakerProvider(1)

	fail(t, b, p, 4)
	wantState(t, b, 1, StateClosed, 4)
	// A success resets the consecutive count.
	tk, _ := b.Allow(p)
	b.Report(tk, true)
	wantState(t, b, 1, StateClosed, 0)

	fail(t, b, p, 5)
	s, f, until := b.State(1)
	if s != StateOpen || f != 5 || !until.Equal(clk.Now().Add(30*time.Minute)) {
		t.Fatalf("got %v %d until %v, want open 5 until +30m", s, f, until)
	}
	if _, ok := b.Allow(p); ok {
		t.Fatal("open circuit admitted a request")
	}
	if b.Available(p, clk.Now()) {
		t.Fatal("open circuit reported available")
	}

	// Still open one nanosecond before the deadline.
	clk.Advance(30*time.Minute - 1)
	if _, ok := b.Allow(p); ok || b.Available(p, clk.Now()) {
		t.Fatal("circuit let a request through before its open period ended")
	}
}

func TestBreakerHalfOpenOneProbe(t *testing.T) {
	clk := newClock()
	b := NewBreakers(BreakerOptions{Now: clk.Now})
	p := breakerProvider(1)
	fail(t, b, p, 5)
	clk.Advance(30 * time.Minute)

	if !b.Available(p, clk.Now()) {
		t.Fatal("expired open circuit not available for a probe")
	}
	wantState(t, b, 1, StateHalfOpen, 5)
	probe, ok := b.Allow(p)
	if !ok || !probe.Probe() {
		t.Fatalf("first request after the open period: ok=%v probe=%v, want a probe", ok, probe.Probe())
	}
	// While the probe is in flight every other request is refused.
	if _, ok := b.Allow(p); ok {
		t.Fatal("second request admitted while the probe is in flight")
	}
	if b.Available(p, clk.Now()) {
		t.Fatal("available while the probe is in flight")
	}

	// First success: still half-open, the next request may probe.
	b.Report(probe, true)
	wantState(t, b, 1, StateHalfOpen, 5)
	probe2, ok := b.Allow(p)
	if !ok || !probe2.Probe() {
		t.Fatal("second probe refused after the first succeeded")
	}
	if _, ok := b.Allow(p); ok {
		t.Fatal("concurrent request admitted during the second probe")
	}
	// A duplicate report of the first probe changes nothing.
	b.Report(probe, true)
	wantState(t, b, 1, StateHalfOpen, 5)

	// Second success closes it.
	b.Report(probe2, true)
	wantState(t, b, 1, StateClosed, 0)
	tk, ok := b.Allow(p)
	if !ok || tk.Probe() {
		t.Fatal("closed circuit refused a request or called it a probe")
	}
	b.Report(tk, true)
}

func TestBreakerHalfOpenFailureReopens(t *testing.T) {
	clk := newClock()
	b := NewBreakers(BreakerOptions{Now: clk.Now})
	p := breakerProvider(1)
	fail(t, b, p, 5)
	clk.Advance(31 * time.Minute)

	probe, _ := b.Allow(p)
	b.Report(probe, true)
	probe, _ = b.Allow(p)
	b.Report(probe, false) // one failure after a success: open again, successes forgotten
	s, f, until := b.State(1)
	if s != StateOpen || f != 6 || !until.Equal(clk.Now().Add(30*time.Minute)) {
		t.Fatalf("got %v %d until %v, want open 6 until now+30m", s, f, until)
	}
	clk.Advance(30 * time.Minute)
	probe, _ = b.Allow(p)
	b.Report(probe, true)
	wantState(t, b, 1, StateHalfOpen, 6) // needs two fresh successes, not one
	probe, _ = b.Allow(p)
	b.Report(probe, true)
	wantState(t, b, 1, StateClosed, 0)
}

func TestBreakerReleaseFreesProbe(t *testing.T) {
	clk := newClock()
	b := NewBreakers(BreakerOptions{Now: clk.Now})
	p := breakerProvider(1)
	fail(t, b, p, 5)
	clk.Advance(30 * time.Minute)

	probe, _ := b.Allow(p)
	b.Release(probe) // e.g. the client left: no verdict
	wantState(t, b, 1, StateHalfOpen, 5)
	probe2, ok := b.Allow(p)
	if !ok || !probe2.Probe() {
		t.Fatal("probe slot not freed by Release")
	}
	b.Report(probe, false) // the released ticket is stale now
	wantState(t, b, 1, StateHalfOpen, 5)
	b.Release(Ticket{}) // zero ticket: no-op
}

func TestBreakerProbeLease(t *testing.T) {
	clk := newClock()
	b := NewBreakers(BreakerOptions{Now: clk.Now, ProbeLease: time.Minute})
	p := breakerProvider(1)
	fail(t, b, p, 5)
	clk.Advance(30 * time.Minute)

	lost, _ := b.Allow(p) // never reported
	clk.Advance(time.Minute - 1)
	if _, ok := b.Allow(p); ok {
		t.Fatal("second probe granted inside the lease")
	}
	clk.Advance(1)
	probe, ok := b.Allow(p)
	if !ok || !probe.Probe() {
		t.Fatal("no new probe after the lease expired")
	}
	b.Report(lost, false) // the lost probe's late verdict is ignored
	wantState(t, b, 1, StateHalfOpen, 5)
}

func TestBreakerStaleReportsIgnored(t *testing.T) {
	clk := newClock()
	b := NewBreakers(BreakerOptions{Now: clk.Now})
	p := breakerProvider(1)

	// Requests admitted while closed that finish after the circuit opened must not count.
	var inflight []Ticket
	for range 3 {
		tk, _ := b.Allow(p)
		inflight = append(inflight, tk)
	}
	fail(t, b, p, 5)
	for _, tk := range inflight {
		b.Report(tk, true)
	}
	wantState(t, b, 1, StateOpen, 5)
	clk.Advance(30 * time.Minute)
	probe, _ := b.Allow(p)
	for _, tk := range inflight {
		b.Report(tk, false)
	}
	wantState(t, b, 1, StateHalfOpen, 5)
	b.Report(probe, true)
}

func TestBreakerReset(t *testing.T) {
	clk := newClock()
	b := NewBreakers(BreakerOptions{Now: clk.Now})
	p := breakerProvider(1)
	old, _ := b.Allow(p)
	fail(t, b, p, 5)
	b.Reset(1)
	wantState(t, b, 1, StateClosed, 0)
	if _, ok := b.Allow(p); !ok {
		t.Fatal("reset circuit refused a request")
	}
	b.Report(old, false) // issued before the reset
	wantState(t, b, 1, StateClosed, 0)

	fail(t, b, p, 5)
	fail(t, b, breakerProvider(2), 5)
	b.ResetAll()
	wantState(t, b, 1, StateClosed, 0)
	wantState(t, b, 2, StateClosed, 0)
	b.Reset(99) // unknown id: no-op
	wantState(t, b, 99, StateClosed, 0)
}

func TestBreakerDisabled(t *testing.T) {
	clk := newClock()
	b := NewBreakers(BreakerOptions{Now: clk.Now})
	p := breakerProvider(1)
	p.Breaker.FailureThreshold = 0
	for range 100 {
		tk, ok := b.Allow(p)
		if !ok {
			t.Fatal("disabled breaker refused a request")
		}
		b.Report(tk, false)
	}
	wantState(t, b, 1, StateClosed, 0)

	// Disabling an open breaker closes it.
	p.Breaker.FailureThreshold = 5
	fail(t, b, p, 5)
	p.Breaker.FailureThreshold = 0
	if !b.Available(p, clk.Now()) {
		t.Fatal("disabled breaker reported unavailable")
	}
	if _, ok := b.Allow(p); !ok {
		t.Fatal("disabled breaker refused a request")
	}
	wantState(t, b, 1, StateClosed, 0)
}

func TestBreakerSuccessThresholdZeroMeansOne(t *testing.T) {
	clk := newClock()
	b := NewBreakers(BreakerOptions{Now: clk.Now})
	p := breakerProvider(1)
	p.Breaker.SuccessThreshold = 0
	p.Breaker.FailureThreshold = 1
	fail(t, b, p, 1)
	clk.Advance(30 * time.Minute)
	probe, _ := b.Allow(p)
	b.Report(probe, true)
	wantState(t, b, 1, StateClosed, 0)
}

func TestBreakerSnapshot(t *testing.T) {
	clk := newClock()
	b := NewBreakers(BreakerOptions{Now: clk.Now})
	if b.Snapshot() != nil {
		t.Fatal("empty breakers have a snapshot")
	}
	fail(t, b, breakerProvider(3), 5)
	fail(t, b, breakerProvider(1), 2)
	snap := b.Snapshot()
	if len(snap) != 2 || snap[0].ID != 1 || snap[1].ID != 3 {
		t.Fatalf("snapshot %+v, want ids 1 and 3 in order", snap)
	}
	if snap[0].State != StateClosed || snap[0].Failures != 2 {
		t.Errorf("provider 1: %+v", snap[0])
	}
	if snap[1].State != StateOpen || snap[1].OpenUntil.IsZero() {
		t.Errorf("provider 3: %+v", snap[1])
	}
	clk.Advance(30 * time.Minute)
	b.Allow(breakerProvider(3))
	snap = b.Snapshot()
	if snap[1].State != StateHalfOpen || !snap[1].Probing || !snap[1].OpenUntil.IsZero() {
		t.Errorf("provider 3 after the open period: %+v", snap[1])
	}
	for s, want := range map[State]string{StateClosed: "closed", StateOpen: "open", StateHalfOpen: "half-open", 9: "unknown"} {
		if s.String() != want {
			t.Errorf("%d.String() = %q, want %q", s, s.String(), want)
		}
	}
}

// TestBreakerConcurrent hammers one provider from many goroutines while the clock moves and
// checks the one invariant that matters under contention: at most one probe in flight.
// Run it with -race.
func TestBreakerConcurrent(t *testing.T) {
	clk := newClock()
	b := NewBreakers(BreakerOptions{Now: clk.Now})
	p := breakerProvider(1)
	p.Breaker.OpenDuration = time.Second

	var probes, maxProbes atomic.Int32
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				if g == 0 && i%50 == 0 {
					clk.Advance(300 * time.Millisecond)
				}
				tk, ok := b.Allow(p)
				if !ok {
					b.Available(p, clk.Now())
					continue
				}
				if tk.Probe() {
					n := probes.Add(1)
					for {
						m := maxProbes.Load()
						if n <= m || maxProbes.CompareAndSwap(m, n) {
							break
						}
					}
				}
				switch (i + g) % 3 {
				case 0:
					if tk.Probe() {
						probes.Add(-1)
					}
					b.Report(tk, false)
				case 1:
					if tk.Probe() {
						probes.Add(-1)
					}
					b.Report(tk, true)
				default:
					if tk.Probe() {
						probes.Add(-1)
					}
					b.Release(tk)
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 200 {
			b.Snapshot()
			b.State(1)
		}
		b.Reset(1)
	}()
	wg.Wait()
	if m := maxProbes.Load(); m > 1 {
		t.Fatalf("%d probes were in flight at once", m)
	}
}
