package billing

import (
	"sync"
	"testing"
)

func price(in int64) Price { return Price{Rates: Rates{Input: in}} }

func TestTableLookup(t *testing.T) {
	tab := NewTable([]Entry{
		{Model: "claude-sonnet-4-5", Price: price(1)},
		{Model: "claude-sonnet-4-5-20250929", Price: price(2)},
		{Model: "claude-opus-4-1", Price: price(3)},
		{Model: "gpt-4o", Price: price(4)},
		{Model: "openai/gpt-only-prefixed", Price: price(5)},
		{Model: "openrouter/vendor-x", Price: price(6)},
		{Model: "together_ai/vendor-x", Price: price(7)},
		{Model: "anthropic/vendor-x", Price: price(8)},
		{Model: "Mixed-Case-Model", Price: price(9)},
		{Model: "gpt-4-0613", Price: price(10)},
		{Model: "openrouter/anthropic/claude-sonnet-4-5", Price: price(11)},
	})
	cases := []struct {
		model string
		want  string // "" = not found
	}{
		{"claude-sonnet-4-5", "claude-sonnet-4-5"},
		// A dated entry that exists wins over its base.
		{"claude-sonnet-4-5-20250929", "claude-sonnet-4-5-20250929"},
		// Dated names resolve to their base entry.
		{"claude-opus-4-1-20250805", "claude-opus-4-1"},
		{"claude-opus-4-1@20250805", "claude-opus-4-1"},
		{"claude-opus-4-1-latest", "claude-opus-4-1"},
		{"gpt-4o-2024-08-06", "gpt-4o"},
		// Case-insensitive.
		{"CLAUDE-Sonnet-4-5", "claude-sonnet-4-5"},
		{"mixed-case-model", "Mixed-Case-Model"},
		{"Claude-Opus-4-1-20250805", "claude-opus-4-1"},
		// Provider prefix removed…
		{"anthropic/claude-sonnet-4-5", "claude-sonnet-4-5"},
		{"anthropic/claude-opus-4-1-20250805", "claude-opus-4-1"},
		{"openai/gpt-4o", "gpt-4o"},
		// The vendor's own entry beats a reseller's entry of the same prefixed name.
		{"Anthropic/claude-sonnet-4-5", "claude-sonnet-4-5"},
		// …and added.
		{"gpt-only-prefixed", "openai/gpt-only-prefixed"},
		{"GPT-only-prefixed-latest", "openai/gpt-only-prefixed"},
		{"bedrock/gpt-only-prefixed", "openai/gpt-only-prefixed"},
		{"openrouter/vendor-x", "openrouter/vendor-x"},
		// Several prefixed entries: the vendor's own price is preferred over resellers.
		{"vendor-x", "anthropic/vendor-x"},
		// Not dates: version suffixes stay.
		{"gpt-4-0613", "gpt-4-0613"},
		{"gpt-4o-12345678", ""},
		{"gpt-4o-20251399", ""},
		{"unknown-model", ""},
		{"", ""},
		{"-latest", ""},
	}
	for _, c := range cases {
		name, _, ok := tab.Resolve(c.model)
		if ok != (c.want != "") || name != c.want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", c.model, name, ok, c.want)
		}
	}
	if p, ok := tab.Lookup("claude-opus-4-1-20250805"); !ok || p != price(3) {
		t.Errorf("Lookup price = %+v, %v", p, ok)
	}
}

func TestTableManualWins(t *testing.T) {
	synced := Entry{Model: "m", Price: price(1)}
	manual := Entry{Model: "m", Price: price(2), Manual: true}
	newer := Entry{Model: "m", Price: price(3)}
	for _, order := range [][]Entry{{synced, manual}, {manual, synced}, {synced, manual, newer}} {
		if p, _ := NewTable(order).Lookup("m"); p != price(2) {
			t.Errorf("order %v: got %+v; want the manual price", order, p)
		}
	}
	if p, _ := NewTable([]Entry{synced, newer}).Lookup("m"); p != price(3) {
		t.Errorf("same source: got %+v; want the later entry", p)
	}
	// A manual entry also wins case-insensitive and prefix aliases.
	tab := NewTable([]Entry{
		{Model: "anthropic/x", Price: price(1)},
		{Model: "vertex_ai/x", Price: price(2), Manual: true},
	})
	if name, _, _ := tab.Resolve("x"); name != "vertex_ai/x" {
		t.Errorf("bare alias resolved to %q; want the manual vertex_ai/x", name)
	}
}

func TestTableNil(t *testing.T) {
	var tab *Table
	if _, ok := tab.Lookup("x"); ok || tab.Len() != 0 {
		t.Error("nil table has prices")
	}
}

func TestTableSnapshotLookups(t *testing.T) {
	tab := defaultTable(t)
	for _, m := range []string{
		"claude-sonnet-4-5", "claude-sonnet-4-5-20250929", "anthropic/claude-sonnet-4-5",
		"claude-opus-4-1-20250805", "gpt-4o", "openai/gpt-4o", "gpt-5", "gemini-2.5-pro",
		"claude-haiku-4-5", "claude-3-5-sonnet-latest",
	} {
		if _, ok := tab.Lookup(m); !ok {
			t.Errorf("snapshot has no price for %q", m)
		}
	}
}

func TestTableConcurrentReads(t *testing.T) {
	tab := defaultTable(t)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				if _, ok := tab.Lookup("Claude-Sonnet-4-5-20991231"); !ok {
					t.Error("lookup failed")
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestTableLookupAllocs(t *testing.T) {
	tab := defaultTable(t)
	for _, m := range []string{"claude-sonnet-4-5", "Claude-Sonnet-4-5", "anthropic/claude-opus-4-1-20250805", "nope"} {
		if n := testing.AllocsPerRun(100, func() { tab.Lookup(m) }); n != 0 {
			t.Errorf("Lookup(%q) allocates %.0f times", m, n)
		}
	}
}

func defaultTable(tb testing.TB) *Table {
	tb.Helper()
	entries, err := ParseLiteLLM(DefaultPrices())
	if err != nil {
		tb.Fatal(err)
	}
	return NewTable(entries)
}

func BenchmarkLookup(b *testing.B) {
	tab := defaultTable(b)
	for _, bc := range []struct{ name, model string }{
		{"exact", "claude-sonnet-4-5-20250929"},
		{"case", "Claude-Sonnet-4-5"},
		{"dated", "claude-opus-4-1-20990101"},
		{"prefixed-dated", "anthropic/claude-opus-4-1-20990101"},
		{"miss", "no-such-model-anywhere"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tab.Lookup(bc.model)
			}
		})
	}
}
