package billing

import (
	"math"
	"testing"
)

// sonnet45 is claude-sonnet-4-5 as the snapshot prices it ($/Mtok: 3 in, 15 out, 3.75 5m write,
// 6 1h write, 0.30 read; above 200k: 6, 22.5, 7.5, 12, 0.60).
var sonnet45 = Price{
	Rates:         Rates{Input: 3e9, Output: 15e9, CacheWrite5m: 3.75e9, CacheWrite1h: 6e9, CacheRead: 3e8},
	TierThreshold: 200_000,
	Tier:          Rates{Input: 6e9, Output: 22.5e9, CacheWrite5m: 7.5e9, CacheWrite1h: 12e9, CacheRead: 6e8},
}

func TestCost(t *testing.T) {
	cheap := Price{Rates: Rates{Input: 1, Output: 1}} // 1 nano-USD per Mtok
	cases := []struct {
		name string
		u    Usage
		p    Price
		mult float64
		want int64
	}{
		{
			// The oracle: 25×3 + 12×15 + 100×3.75 + 200×0.3 = 690 $/Mtok·tok = $0.00069.
			name: "oracle sonnet 4.5",
			u:    Usage{InputTokens: 25, OutputTokens: 12, CacheCreationTokens: 100, CacheCreation5mTokens: 100, CacheReadTokens: 200},
			p:    sonnet45, mult: 1, want: 690_000,
		},
		{
			name: "unsplit cache creation goes to 5m",
			u:    Usage{InputTokens: 25, OutputTokens: 12, CacheCreationTokens: 100, CacheReadTokens: 200},
			p:    sonnet45, mult: 1, want: 690_000,
		},
		{
			// 1h: 100 × 6 = 600 instead of 375.
			name: "1h cache write",
			u:    Usage{InputTokens: 25, OutputTokens: 12, CacheCreationTokens: 100, CacheCreation1hTokens: 100, CacheReadTokens: 200},
			p:    sonnet45, mult: 1, want: 915_000,
		},
		{
			// Split 40 5m + 50 1h, total 100: the unsplit 10 go to 5m → 50×3.75 + 50×6 = 487.5.
			name: "partly split cache creation",
			u:    Usage{CacheCreationTokens: 100, CacheCreation5mTokens: 40, CacheCreation1hTokens: 50},
			p:    sonnet45, mult: 1, want: 487_500,
		},
		{
			name: "multiplier 1.5",
			u:    Usage{InputTokens: 25, OutputTokens: 12, CacheCreationTokens: 100, CacheReadTokens: 200},
			p:    sonnet45, mult: 1.5, want: 1_035_000,
		},
		{
			name: "multiplier 0 is free",
			u:    Usage{InputTokens: 1000},
			p:    sonnet45, mult: 0, want: 0,
		},
		{
			name: "NaN multiplier bills list price",
			u:    Usage{InputTokens: 1000},
			p:    sonnet45, mult: math.NaN(), want: 3_000_000,
		},
		{
			// Exactly 200k input + cache: not above the threshold.
			name: "at threshold uses base",
			u:    Usage{InputTokens: 150_000, CacheReadTokens: 50_000, OutputTokens: 1000},
			p:    sonnet45, mult: 1,
			want: 150_000*3_000 + 50_000*300 + 1000*15_000, // 0.465 + 0.015 + 0.015 USD
		},
		{
			// One more token: the whole request at the tier's prices, output included.
			name: "above threshold tiers the whole request",
			u:    Usage{InputTokens: 150_001, CacheReadTokens: 50_000, OutputTokens: 1000},
			p:    sonnet45, mult: 1,
			want: 150_001*6_000 + 50_000*600 + 1000*22_500,
		},
		{
			// Cache writes count towards the threshold too.
			name: "cache write crosses threshold",
			u:    Usage{InputTokens: 100_000, CacheCreationTokens: 100_001, CacheCreation1hTokens: 100_001},
			p:    sonnet45, mult: 1,
			want: 100_000*6_000 + 100_001*12_000,
		},
		{
			// 1 nano/Mtok × 3 tokens = 3e-6 nano: rounds to 0; 499,999 tokens → 0.499999 → 0;
			// 500,000 → 0.5 → 1 (half up). Rounding happens once per request, not per bucket.
			name: "sub-nano rounds once", u: Usage{InputTokens: 3}, p: cheap, mult: 1, want: 0,
		},
		{name: "just below half", u: Usage{InputTokens: 499_999}, p: cheap, mult: 1, want: 0},
		{name: "half rounds up", u: Usage{InputTokens: 250_000, OutputTokens: 250_000}, p: cheap, mult: 1, want: 1},
		{
			name: "per-request fee",
			u:    Usage{InputTokens: 1000, OutputTokens: 1000},
			p:    Price{Rates: Rates{Input: 1e9, Output: 1e9}, PerRequest: 5_000_000},
			mult: 2, want: (5_000_000 + 2_000_000) * 2, // ($0.005 + 2000 tok × $1/Mtok) × 2
		},
		{
			name: "negative tokens bill nothing",
			u:    Usage{InputTokens: -100, OutputTokens: 10},
			p:    sonnet45, mult: 1, want: 150_000,
		},
		{name: "zero usage", u: Usage{}, p: sonnet45, mult: 1, want: 0},
		{
			// 10M tokens × $100/Mtok = $1000 per bucket; ×5 buckets = $5000, × 3.5.
			name: "10M tokens at $100/Mtok",
			u: Usage{InputTokens: 10_000_000, OutputTokens: 10_000_000, CacheCreationTokens: 20_000_000,
				CacheCreation5mTokens: 10_000_000, CacheCreation1hTokens: 10_000_000, CacheReadTokens: 10_000_000},
			p:    Price{Rates: Rates{Input: 100e9, Output: 100e9, CacheWrite5m: 100e9, CacheWrite1h: 100e9, CacheRead: 100e9}},
			mult: 3.5, want: 17_500 * 1_000_000_000,
		},
		{
			// 1e9 tokens × $540,000/Mtok (the snapshot's dearest price, 0.54 USD/token):
			// tokens × rate = 5.4e23, past int64 and uint64; the 128-bit sum is exact.
			name: "beyond 64-bit intermediate",
			u:    Usage{OutputTokens: 1_000_000_000},
			p:    Price{Rates: Rates{Output: 540_000_000_000_000}},
			mult: 1, want: 540_000_000 * 1_000_000_000,
		},
		{
			name: "saturates",
			u:    Usage{OutputTokens: math.MaxInt64},
			p:    Price{Rates: Rates{Output: maxNanoPerMtok}},
			mult: 1, want: math.MaxInt64,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Cost(c.u, c.p, c.mult); got != c.want {
				t.Errorf("Cost = %d; want %d", got, c.want)
			}
		})
	}
}

// The oracle against the embedded snapshot itself, through the table.
func TestCostOracleFromSnapshot(t *testing.T) {
	p, ok := defaultTable(t).Lookup("claude-sonnet-4-5")
	if !ok {
		t.Fatal("no price for claude-sonnet-4-5")
	}
	u := Usage{InputTokens: 25, OutputTokens: 12, CacheCreationTokens: 100, CacheReadTokens: 200}
	if got := Cost(u, p, 1); got != 690_000 {
		t.Errorf("Cost = %d nano; want 690000 ($0.00069)", got)
	}
}

func TestMultiplierPPM(t *testing.T) {
	cases := map[float64]int64{
		1: 1_000_000, 0: 0, 1.5: 1_500_000, 0.1: 100_000, 1.25: 1_250_000,
		-1: PPM, math.Inf(1): PPM, 1e12: maxMultiplierPPM,
	}
	for in, want := range cases {
		if got := MultiplierPPM(in); got != want {
			t.Errorf("MultiplierPPM(%v) = %d; want %d", in, got, want)
		}
	}
}

func BenchmarkCost(b *testing.B) {
	u := Usage{InputTokens: 25, OutputTokens: 12, CacheCreationTokens: 100, CacheReadTokens: 200}
	for b.Loop() {
		Cost(u, sonnet45, 1.2)
	}
}
