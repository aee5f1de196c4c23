package selector

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cchub/cchub/pkg/gateway/catalog"
)

// State is a circuit's state.
type State uint8

// Circuit states.
const (
	// StateClosed lets every request through and counts consecutive failures.
	StateClosed State = iota
	// StateOpen refuses every request until its deadline passes.
	StateOpen
	// StateHalfOpen lets one probe request through at a time; enough probe successes close
	// the circuit and one failure opens it again.
	StateHalfOpen
)

// String names the state as the UI and metrics show it.
func (s State) String() string {
	switch s {
	case StateClosed:
		return "closed"
	case StateOpen:
		return "open"
	case StateHalfOpen:
		return "half-open"
	}
	return "unknown"
}

// DefaultProbeLease bounds how long a half-open probe may stay unreported before another request
// may probe. It only matters when a caller loses a Ticket (a bug or a crash in the attempt loop);
// without it that provider would never be tried again. Ten minutes outlasts a long stream.
const DefaultProbeLease = 10 * time.Minute

// BreakerOptions configures Breakers.
type BreakerOptions struct {
	// Now is the clock; nil means time.Now. Tests inject a fake one.
	Now func() time.Time
	// ProbeLease: see DefaultProbeLease; 0 means the default.
	ProbeLease time.Duration
}

// Breakers holds one circuit breaker per provider. The configuration (threshold, open
// duration, successes to close) is read from the provider on every Allow, so an admin edit
// applies to the next request without rebuilding anything.
//
// The hot path (a closed circuit: Allow, then Report success) is two atomic loads and a map
// lookup with no lock and no allocation; only failures and non-closed circuits take the
// per-provider mutex.
type Breakers struct {
	now   func() time.Time
	lease int64 // ns

	mu sync.Mutex                       // serialises adding providers to m
	m  atomic.Pointer[map[int]*circuit] // copy-on-write: providers are few and rarely added
}

// circuit is one provider's circuit.
type circuit struct {
	id int
	// word packs gen<<2 | state, so a closed circuit is recognised with one atomic load and a
	// report can tell whether the circuit changed since its ticket was issued. gen grows on
	// every transition and every probe grant or completion.
	word atomic.Uint64
	// failures is the consecutive failure count; written under mu, read without it so a
	// success in the common no-failure case takes no lock.
	failures atomic.Int32

	mu        sync.Mutex
	successes int   // half-open probe successes so far
	openUntil int64 // unix ns, when Open
	probing   bool
	probeAt   int64 // unix ns the current probe was granted
}

func pack(gen uint32, s State) uint64 { return uint64(gen)<<2 | uint64(s) }
func stateOf(w uint64) State          { return State(w & 3) }
func genOf(w uint64) uint32           { return uint32(w >> 2) }

// Ticket is the admission of one request by Allow; hand it back to Report or Release exactly
// once. The zero Ticket (breaker disabled) may be reported and is ignored.
type Ticket struct {
	c     *circuit
	cfg   catalog.BreakerConfig
	gen   uint32
	probe bool
}

// Probe reports whether this request is the half-open probe, for the decision chain.
func (t Ticket) Probe() bool { return t.probe }

// NewBreakers returns an empty set of breakers; every provider starts closed.
func NewBreakers(o BreakerOptions) *Breakers {
	b := &Breakers{now: o.Now, lease: int64(o.ProbeLease)}
	if b.now == nil {
		b.now = time.Now
	}
	if b.lease <= 0 {
		b.lease = int64(DefaultProbeLease)
	}
	return b
}

// Available reports whether Allow could admit a request for p at now. It does not reserve
// anything: two requests may both see true for a half-open provider, and the loser's Allow
// refuses it, so the attempt loop excludes the provider and selects again.
func (b *Breakers) Available(p *catalog.Provider, now time.Time) bool {
	if p.Breaker.FailureThreshold <= 0 {
		return true
	}
	c := b.lookup(p.ID)
	if c == nil || stateOf(c.word.Load()) == StateClosed {
		return true
	}
	ns := now.UnixNano()
	c.mu.Lock()
	defer c.mu.Unlock()
	switch stateOf(c.word.Load()) {
	case StateOpen:
		return ns >= c.openUntil
	case StateHalfOpen:
		return !c.probing || ns-c.probeAt >= b.lease
	}
	return true
}

// Allow admits a request to p or refuses it because the circuit is open or its probe is taken.
// When the open period has passed, the first caller becomes the half-open probe.
func (b *Breakers) Allow(p *catalog.Provider) (Ticket, bool) {
	cfg := p.Breaker
	if cfg.FailureThreshold <= 0 {
		b.disable(p.ID)
		return Ticket{}, true
	}
	c := b.entry(p.ID)
	if w := c.word.Load(); stateOf(w) == StateClosed {
		return Ticket{c: c, cfg: cfg, gen: genOf(w)}, true
	}
	now := b.now().UnixNano()
	c.mu.Lock()
	defer c.mu.Unlock()
	w := c.word.Load()
	switch stateOf(w) {
	case StateClosed: // closed by another request since the load above
		return Ticket{c: c, cfg: cfg, gen: genOf(w)}, true
	case StateOpen:
		if now < c.openUntil {
			return Ticket{}, false
		}
		c.successes = 0
	case StateHalfOpen:
		if c.probing && now-c.probeAt < b.lease {
			return Ticket{}, false
		}
	}
	gen := genOf(w) + 1
	c.word.Store(pack(gen, StateHalfOpen))
	c.probing, c.probeAt = true, now
	return Ticket{c: c, cfg: cfg, gen: gen, probe: true}, true
}

// Report records the result of an admitted request. Call it once per provider per client
// request, after that provider's attempts are used up or one succeeded, and only for outcomes
// Classify says count (failures) or for successes; use Release otherwise. A report about a
// circuit that changed state since the ticket was issued is stale and ignored, so requests
// still in flight when a circuit opens cannot re-open or close it afterwards.
func (b *Breakers) Report(t Ticket, success bool) {
	c := t.c
	if c == nil {
		return
	}
	if !t.probe {
		w := pack(t.gen, StateClosed)
		if c.word.Load() != w {
			return
		}
		if success && c.failures.Load() == 0 {
			return // the common case: nothing to reset, no lock
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.word.Load() != w {
			return
		}
		if success {
			c.failures.Store(0)
			return
		}
		if int(c.failures.Add(1)) >= t.cfg.FailureThreshold {
			c.open(b.now().UnixNano(), t.cfg, t.gen+1)
		}
		return
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if c.word.Load() != pack(t.gen, StateHalfOpen) {
		return
	}
	c.probing = false
	if !success {
		c.failures.Add(1)
		c.open(b.now().UnixNano(), t.cfg, t.gen+1)
		return
	}
	c.successes++
	if c.successes >= max(t.cfg.SuccessThreshold, 1) {
		c.reset(t.gen + 1)
		return
	}
	// Still half-open; the new gen makes a duplicate report of this ticket a no-op.
	c.word.Store(pack(t.gen+1, StateHalfOpen))
}

// Release gives back a ticket whose request proved nothing about the provider (the client left,
// a 4xx, a local error). It frees the probe slot so the next request can probe.
func (b *Breakers) Release(t Ticket) {
	c := t.c
	if c == nil || !t.probe {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.word.Load() == pack(t.gen, StateHalfOpen) {
		c.probing = false
		c.word.Store(pack(t.gen+1, StateHalfOpen))
	}
}

// State returns provider id's circuit as the UI shows it: an open circuit whose period has
// passed reads as half-open, since the next request will probe it. openUntil is zero unless
// the state is StateOpen.
func (b *Breakers) State(id int) (s State, failures int, openUntil time.Time) {
	c := b.lookup(id)
	if c == nil {
		return StateClosed, 0, time.Time{}
	}
	st := c.status(b.now().UnixNano())
	return st.State, st.Failures, st.OpenUntil
}

// BreakerStatus is one provider's circuit for metrics and the admin UI.
type BreakerStatus struct {
	ID        int
	State     State
	Failures  int // consecutive failures
	Successes int // half-open probe successes
	OpenUntil time.Time
	Probing   bool
}

// Snapshot returns every provider that has had a breaker, ordered by id.
func (b *Breakers) Snapshot() []BreakerStatus {
	m := b.m.Load()
	if m == nil {
		return nil
	}
	now := b.now().UnixNano()
	out := make([]BreakerStatus, 0, len(*m))
	for _, c := range *m {
		out = append(out, c.status(now))
	}
	slices.SortFunc(out, func(a, b BreakerStatus) int { return a.ID - b.ID })
	return out
}

// Reset closes provider id's circuit and clears its counters (the admin's "reset circuit").
// Tickets issued before it are ignored when reported.
func (b *Breakers) Reset(id int) {
	if c := b.lookup(id); c != nil {
		c.mu.Lock()
		c.reset(genOf(c.word.Load()) + 1)
		c.mu.Unlock()
	}
}

// ResetAll resets every circuit.
func (b *Breakers) ResetAll() {
	if m := b.m.Load(); m != nil {
		for id := range *m {
			b.Reset(id)
		}
	}
}

// disable closes a circuit whose provider had its breaker switched off, so the UI does not
// keep showing a state that no longer applies.
func (b *Breakers) disable(id int) {
	if c := b.lookup(id); c != nil {
		w := c.word.Load()
		if stateOf(w) != StateClosed || c.failures.Load() != 0 {
			b.Reset(id)
		}
	}
}

func (b *Breakers) lookup(id int) *circuit {
	if m := b.m.Load(); m != nil {
		return (*m)[id]
	}
	return nil
}

func (b *Breakers) entry(id int) *circuit {
	if c := b.lookup(id); c != nil {
		return c
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	old := b.m.Load()
	if old != nil {
		if c := (*old)[id]; c != nil {
			return c
		}
	}
	next := make(map[int]*circuit, 1+lenMap(old))
	if old != nil {
		for k, v := range *old {
			next[k] = v
		}
	}
	c := &circuit{id: id}
	next[id] = c
	b.m.Store(&next)
	return c
}

func lenMap(m *map[int]*circuit) int {
	if m == nil {
		return 0
	}
	return len(*m)
}

// open and reset are called with c.mu held.
func (c *circuit) open(now int64, cfg catalog.BreakerConfig, gen uint32) {
	c.openUntil = now + int64(cfg.OpenDuration)
	c.probing = false
	c.successes = 0
	c.word.Store(pack(gen, StateOpen))
}

func (c *circuit) reset(gen uint32) {
	c.failures.Store(0)
	c.successes = 0
	c.openUntil = 0
	c.probing = false
	c.word.Store(pack(gen, StateClosed))
}

func (c *circuit) status(now int64) BreakerStatus {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := BreakerStatus{
		ID:        c.id,
		State:     stateOf(c.word.Load()),
		Failures:  int(c.failures.Load()),
		Successes: c.successes,
		Probing:   c.probing,
	}
	if st.State == StateOpen {
		if now >= c.openUntil {
			st.State = StateHalfOpen
		} else {
			st.OpenUntil = time.Unix(0, c.openUntil)
		}
	}
	return st
}

// Interface guard: Breakers is the selector's Health.
var _ Health = (*Breakers)(nil)
