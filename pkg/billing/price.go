package billing

import (
	"math"
	"math/big"
	"math/bits"
)

// Rates are the token prices of one pricing tier in integer nano-USD per million tokens.
// Per-million rather than per-token because many per-token prices are fractions of a nano-USD
// ($0.30/Mtok is 0.3 nano per token): with this unit a request's cost is
// Σ tokens × rate / 1e6, rounded once, and no price loses precision at load.
type Rates struct {
	Input        int64
	Output       int64
	CacheWrite5m int64
	CacheWrite1h int64
	CacheRead    int64
}

// Price is one model's price. Values are converted from LiteLLM's per-token float USD once, at
// load, rounding to the nearest nano-USD per million tokens.
type Price struct {
	Rates
	// PerRequest is a flat fee per request in nano-USD (LiteLLM's input_cost_per_request).
	PerRequest int64
	// TierThreshold is the long-context threshold in tokens (200k, 272k, …); 0 means the model
	// has no tiered prices. When a request's input + cache tokens exceed it, Tier prices the
	// whole request, as Anthropic, Google and OpenAI bill long-context requests.
	TierThreshold int64
	Tier          Rates
}

// Default cache prices relative to the input price, used where the table has none: Anthropic's
// published ratios (5-minute write 1.25×, 1-hour write 2×, read 0.1×).
const (
	cacheWrite5mNum, cacheWrite5mDen = 5, 4
	cacheWrite1hNum, cacheWrite1hDen = 2, 1
	cacheReadNum, cacheReadDen       = 1, 10
)

// maxNanoPerMtok bounds accepted prices at $1000 per token (1e18 nano-USD per Mtok), far above
// any real model, so that the default-ratio arithmetic below cannot overflow int64.
const maxNanoPerMtok = 1_000_000_000_000_000_000

var (
	ratNanoPerMtok = new(big.Rat).SetInt64(1_000_000_000_000_000) // USD/token → nano-USD/Mtok
	ratNanoPerUSD  = new(big.Rat).SetInt64(1_000_000_000)         // USD → nano-USD
	bigTwo         = big.NewInt(2)
)

// scaleDecimal converts a JSON number literal such as "3.75e-06" to round(v × scale) exactly,
// with big.Rat rather than float64 so that a price is never off by one through binary
// rounding. It rejects negative values, non-numbers and values above limit.
func scaleDecimal(lit []byte, scale *big.Rat, limit int64) (int64, bool) {
	if len(lit) == 0 || lit[0] == '"' {
		return 0, false
	}
	var r big.Rat
	if _, ok := r.SetString(string(lit)); !ok || r.Sign() < 0 {
		return 0, false
	}
	r.Mul(&r, scale)
	// Round half up: floor((2·num + den) / (2·den)).
	num := new(big.Int).Mul(r.Num(), bigTwo)
	num.Add(num, r.Denom())
	den := new(big.Int).Mul(r.Denom(), bigTwo)
	num.Quo(num, den)
	if !num.IsInt64() || num.Int64() > limit {
		return 0, false
	}
	return num.Int64(), true
}

// ratio returns round(v × num / den) for the default-price ratios.
func ratio(v int64, num, den int64) int64 {
	return (v*num + den/2) / den
}

// scaleBy returns round(v × mul / div) in 128-bit arithmetic, saturating at MaxInt64; it scales
// a base cache price by the tier's input/base input ratio.
func scaleBy(v, mul, div int64) int64 {
	if div <= 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(v), uint64(mul))
	lo, c := bits.Add64(lo, uint64(div)/2, 0)
	hi += c
	if hi >= uint64(div) {
		return math.MaxInt64
	}
	q, _ := bits.Div64(hi, lo, uint64(div))
	if q > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(q)
}
