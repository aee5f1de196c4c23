package session

import (
	"context"
	"sync"
	"time"
)

// DefaultMaxEntries bounds the in-process store. Session ids come from clients, so without a cap
// a client minting a fresh id per request could grow the map for a whole TTL; at about 100
// bytes an entry this is ~100 MiB, far above what a team's hub holds.
const DefaultMaxEntries = 1 << 20

// DefaultSweepInterval is how often the janitor drops expired bindings. Expiry is exact without
// it (Get checks the deadline); the janitor only returns the memory.
const DefaultSweepInterval = time.Minute

// MemoryOptions configures NewMemory.
type MemoryOptions struct {
	// TTL is the sliding lifetime of a binding; 0 means DefaultTTL.
	TTL time.Duration
	// Now is the clock; nil means time.Now. Tests inject a fake one.
	Now func() time.Time
	// SweepInterval is the janitor's period; 0 means DefaultSweepInterval, negative disables the
	// janitor (call Sweep yourself).
	SweepInterval time.Duration
	// MaxEntries caps the bindings held; 0 means DefaultMaxEntries. At the cap, Bind first drops
	// expired bindings of the shard and then an arbitrary one: losing stickiness for one session
	// is cheaper than unbounded memory.
	MaxEntries int
}

// Memory is the in-process Store used when no Redis is configured. It is a sharded map rather
// than ristretto because a binding must not vanish at the cache's whim (ristretto's Set is
// asynchronous and may drop items) and the sliding TTL rewrites the deadline on every Get.
type Memory struct {
	ttl      int64 // ns
	now      func() time.Time
	perShard int
	shards   [shardCount]memShard

	ticker    *time.Ticker // nil without a janitor or in tests that drive it
	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

const shardCount = 32

type memShard struct {
	mu sync.Mutex
	m  map[string]memEntry
	_  [40]byte // keep neighbouring shard locks off one cache line
}

type memEntry struct {
	provider int
	expires  int64 // unix ns
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty store and starts its janitor; Close stops it.
func NewMemory(o MemoryOptions) *Memory {
	var tick <-chan time.Time
	var ticker *time.Ticker
	if o.SweepInterval >= 0 {
		iv := o.SweepInterval
		if iv == 0 {
			iv = DefaultSweepInterval
		}
		ticker = time.NewTicker(iv)
		tick = ticker.C
	}
	m := newMemory(o, tick, nil)
	m.ticker = ticker
	return m
}

// newMemory builds the store with the janitor driven by tick (nil: no janitor); swept, when not
// nil, receives after each janitor sweep so tests can wait for one without sleeping.
func newMemory(o MemoryOptions, tick <-chan time.Time, swept chan<- struct{}) *Memory {
	m := &Memory{ttl: int64(o.TTL), now: o.Now, stop: make(chan struct{}), done: make(chan struct{})}
	if m.ttl <= 0 {
		m.ttl = int64(DefaultTTL)
	}
	if m.now == nil {
		m.now = time.Now
	}
	maxEntries := o.MaxEntries
	if maxEntries <= 0 {
		maxEntries = DefaultMaxEntries
	}
	m.perShard = max(1, maxEntries/shardCount)
	for i := range m.shards {
		m.shards[i].m = make(map[string]memEntry)
	}
	if tick == nil {
		close(m.done)
		return m
	}
	go m.janitor(tick, swept)
	return m
}

func (m *Memory) janitor(tick <-chan time.Time, swept chan<- struct{}) {
	defer close(m.done)
	for {
		select {
		case <-m.stop:
			return
		case <-tick:
			m.Sweep()
			if swept != nil {
				swept <- struct{}{}
			}
		}
	}
}

// Close stops the janitor and waits for it to exit. The store stays usable.
func (m *Memory) Close() error {
	m.closeOnce.Do(func() {
		close(m.stop)
		if m.ticker != nil {
			m.ticker.Stop()
		}
	})
	<-m.done
	return nil
}

// Get implements Store.
func (m *Memory) Get(_ context.Context, sid string) (int, bool) {
	if sid == "" {
		return 0, false
	}
	now := m.now().UnixNano()
	s := m.shard(sid)
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[sid]
	if !ok {
		return 0, false
	}
	if now >= e.expires {
		delete(s.m, sid)
		return 0, false
	}
	e.expires = now + m.ttl
	s.m[sid] = e
	return e.provider, true
}

// Bind implements Store.
func (m *Memory) Bind(_ context.Context, sid string, providerID int) {
	if sid == "" {
		return
	}
	now := m.now().UnixNano()
	s := m.shard(sid)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[sid]; !ok && len(s.m) >= m.perShard {
		s.sweep(now)
		if len(s.m) >= m.perShard {
			for k := range s.m { // map order is random: an arbitrary victim
				delete(s.m, k)
				break
			}
		}
	}
	s.m[sid] = memEntry{provider: providerID, expires: now + m.ttl}
}

// Forget implements Store.
func (m *Memory) Forget(_ context.Context, sid string) {
	s := m.shard(sid)
	s.mu.Lock()
	delete(s.m, sid)
	s.mu.Unlock()
}

// Sweep drops every expired binding now; the janitor calls it periodically.
func (m *Memory) Sweep() {
	now := m.now().UnixNano()
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.Lock()
		s.sweep(now)
		s.mu.Unlock()
	}
}

// Len returns the number of bindings held, expired ones not yet swept included (for metrics).
func (m *Memory) Len() int {
	n := 0
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.Lock()
		n += len(s.m)
		s.mu.Unlock()
	}
	return n
}

// sweep is called with s.mu held.
func (s *memShard) sweep(now int64) {
	for k, e := range s.m {
		if now >= e.expires {
			delete(s.m, k)
		}
	}
}

// shard picks a shard by FNV-1a of the id, inline so it does not allocate.
func (m *Memory) shard(sid string) *memShard {
	h := uint32(2166136261)
	for i := 0; i < len(sid); i++ {
		h ^= uint32(sid[i])
		h *= 16777619
	}
	return &m.shards[h%shardCount]
}
