package session

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

type fakeClock struct{ ns atomic.Int64 }

func newFakeClock() *fakeClock {
	c := &fakeClock{}
	c.ns.Store(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano())
	return c
}

func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

func TestMemoryExpiryBoundary(t *testing.T) {
	clk := newFakeClock()
	m := NewMemory(MemoryOptions{TTL: 10 * time.Second, Now: clk.Now, SweepInterval: -1})
	defer m.Close()
	ctx := context.Background()
	m.Bind(ctx, "s", 1)
	clk.Advance(10*time.Second - 1)
	if _, ok := m.Get(ctx, "s"); !ok {
		t.Fatal("expired one nanosecond early")
	}
	clk.Advance(10 * time.Second) // exactly one TTL after the Get
	if _, ok := m.Get(ctx, "s"); ok {
		t.Fatal("still bound a full TTL after the last Get")
	}
	if m.Len() != 0 {
		t.Fatalf("expired binding kept after Get: Len %d", m.Len())
	}
}

func TestMemoryDefaults(t *testing.T) {
	m := NewMemory(MemoryOptions{})
	defer m.Close()
	if m.ttl != int64(DefaultTTL) || m.perShard != DefaultMaxEntries/shardCount || m.ticker == nil {
		t.Fatalf("defaults: ttl %v perShard %d ticker %v", time.Duration(m.ttl), m.perShard, m.ticker)
	}
	m.Bind(context.Background(), "s", 2)
	if p, ok := m.Get(context.Background(), "s"); !ok || p != 2 {
		t.Fatalf("Get = %d, %v", p, ok)
	}
}

func TestMemorySweep(t *testing.T) {
	clk := newFakeClock()
	m := NewMemory(MemoryOptions{TTL: time.Minute, Now: clk.Now, SweepInterval: -1})
	defer m.Close()
	ctx := context.Background()
	for _, sid := range []string{"a", "b", "c"} {
		m.Bind(ctx, sid, 1)
	}
	clk.Advance(30 * time.Second)
	m.Bind(ctx, "d", 1)
	clk.Advance(30 * time.Second)
	m.Sweep()
	if m.Len() != 1 {
		t.Fatalf("after sweep Len %d, want 1 (only d is live)", m.Len())
	}
}

func TestMemoryJanitor(t *testing.T) {
	clk := newFakeClock()
	tick := make(chan time.Time)
	swept := make(chan struct{})
	m := newMemory(MemoryOptions{TTL: time.Minute, Now: clk.Now}, tick, swept)
	m.Bind(context.Background(), "a", 1)
	clk.Advance(time.Minute)
	tick <- clk.Now()
	<-swept
	if m.Len() != 0 {
		t.Fatalf("janitor left %d expired bindings", m.Len())
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-m.done:
	default:
		t.Fatal("janitor still running after Close")
	}
	m.Close() // idempotent
}

func TestMemoryCap(t *testing.T) {
	clk := newFakeClock()
	m := NewMemory(MemoryOptions{TTL: time.Minute, Now: clk.Now, SweepInterval: -1, MaxEntries: shardCount})
	defer m.Close()
	ctx := context.Background()
	// With one entry per shard, every Bind of a new id into a full shard evicts.
	for i := range 1000 {
		m.Bind(ctx, string(rune('a'+i%26))+string(rune('A'+i/26)), i)
	}
	if n := m.Len(); n > shardCount {
		t.Fatalf("Len %d exceeds the cap %d", n, shardCount)
	}
	// The newest binding always survives its own Bind.
	m.Bind(ctx, "newest", 5)
	if p, ok := m.Get(ctx, "newest"); !ok || p != 5 {
		t.Fatalf("newest binding evicted: %d, %v", p, ok)
	}
	// Rebinding an existing id at the cap evicts nothing.
	before := m.Len()
	m.Bind(ctx, "newest", 6)
	if m.Len() != before {
		t.Fatalf("rebind changed Len %d → %d", before, m.Len())
	}
}

func BenchmarkMemoryGet(b *testing.B) {
	m := NewMemory(MemoryOptions{SweepInterval: -1})
	defer m.Close()
	ctx := context.Background()
	m.Bind(ctx, "94e3d0a2-95a8-4cae-bf86-9d060e1f5a09", 3)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := m.Get(ctx, "94e3d0a2-95a8-4cae-bf86-9d060e1f5a09"); !ok {
			b.Fatal("unbound")
		}
	}
}
