package billing

import (
	"math"
	"math/bits"
)

// PPM is the scale of a cost multiplier in parts per million (1.0 = 1_000_000).
const PPM = 1_000_000

// maxMultiplierPPM caps multipliers at 1,000,000× so that a mistyped setting cannot overflow.
const maxMultiplierPPM = PPM * PPM

// MultiplierPPM converts a provider's float cost multiplier to parts per million, rounding to
// the nearest. NaN, infinities and negative values (which validation should have rejected) bill
// at list price (1×) rather than for free.
func MultiplierPPM(m float64) int64 {
	if math.IsNaN(m) || math.IsInf(m, 0) || m < 0 {
		return PPM
	}
	v := math.Round(m * PPM)
	if v > maxMultiplierPPM {
		return maxMultiplierPPM
	}
	return int64(v)
}

// Cost returns the cost of one request in nano-USD:
//
//	(per-request fee + Σ tokens × nano-USD per Mtok / 1e6) × multiplier
//
// computed exactly in 128-bit integers and rounded (half up) once, at the end. When input +
// cache tokens exceed p.TierThreshold the tier's rates price the whole request. Cache-creation
// tokens not split by TTL (CacheCreationTokens above the 5m + 1h split) count as 5-minute
// writes. Results beyond int64 saturate at math.MaxInt64.
func Cost(u Usage, p Price, multiplier float64) int64 {
	return CostPPM(u, p, MultiplierPPM(multiplier))
}

// CostPPM is Cost with the multiplier already in parts per million (see MultiplierPPM).
func CostPPM(u Usage, p Price, multiplierPPM int64) int64 {
	if multiplierPPM <= 0 {
		return 0
	}
	in := nonNeg(u.InputTokens)
	out := nonNeg(u.OutputTokens)
	c5 := nonNeg(u.CacheCreation5mTokens)
	c1 := nonNeg(u.CacheCreation1hTokens)
	cr := nonNeg(u.CacheReadTokens)
	if total := nonNeg(u.CacheCreationTokens); total > c5+c1 {
		c5 = total - c1
	}

	r := p.Rates
	if p.TierThreshold > 0 && satAdd(satAdd(in, c5), satAdd(c1, cr)) > uint64(p.TierThreshold) {
		r = p.Tier
	}

	// acc is in units of 1e-6 nano-USD: tokens × nano-per-Mtok, plus the per-request fee × 1e6.
	var acc u128
	ok := acc.addMul(in, nonNeg(r.Input)) &&
		acc.addMul(out, nonNeg(r.Output)) &&
		acc.addMul(c5, nonNeg(r.CacheWrite5m)) &&
		acc.addMul(c1, nonNeg(r.CacheWrite1h)) &&
		acc.addMul(cr, nonNeg(r.CacheRead)) &&
		acc.addMul(nonNeg(p.PerRequest), PPM) &&
		acc.mul(uint64(multiplierPPM))
	if !ok {
		return math.MaxInt64
	}
	// Divide by 1e6 (per Mtok) × 1e6 (ppm), rounding half up.
	q, ok := acc.divRound(PPM * PPM)
	if !ok || q > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(q)
}

// nonNeg clamps a count or price at zero; negative tokens are a parser bug and bill nothing.
func nonNeg(v int64) uint64 {
	if v < 0 {
		return 0
	}
	return uint64(v)
}

// satAdd adds without wrapping, so absurd token counts still select the long-context tier.
func satAdd(a, b uint64) uint64 {
	s, c := bits.Add64(a, b, 0)
	if c != 0 {
		return math.MaxUint64
	}
	return s
}

// u128 is an unsigned 128-bit accumulator; ok results report no overflow.
type u128 struct{ hi, lo uint64 }

func (a *u128) addMul(x, y uint64) bool {
	hi, lo := bits.Mul64(x, y)
	var c uint64
	a.lo, c = bits.Add64(a.lo, lo, 0)
	a.hi, c = bits.Add64(a.hi, hi, c)
	return c == 0
}

func (a *u128) mul(m uint64) bool {
	h1, l1 := bits.Mul64(a.lo, m)
	h2, l2 := bits.Mul64(a.hi, m)
	hi, c := bits.Add64(h1, l2, 0)
	a.hi, a.lo = hi, l1
	return h2 == 0 && c == 0
}

// divRound returns round(a / d) when it fits in 64 bits.
func (a u128) divRound(d uint64) (uint64, bool) {
	var c uint64
	a.lo, c = bits.Add64(a.lo, d/2, 0)
	a.hi, c = bits.Add64(a.hi, 0, c)
	if c != 0 || a.hi >= d {
		return 0, false
	}
	q, _ := bits.Div64(a.hi, a.lo, d)
	return q, true
}
