// Package money converts between int64 nano-USD (the only unit used in storage and arithmetic)
// and the decimal strings shown at the edges ("0.012345").
package money

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// Nano is an amount of US dollars in units of 1e-9 USD.
type Nano = int64

// PerUSD is the number of nano-USD in one dollar.
const PerUSD Nano = 1_000_000_000

// ErrInvalid is returned for amounts that are not non-negative decimals within range.
var ErrInvalid = errors.New("must be a non-negative decimal amount of USD with at most 9 decimal places")

// Parse reads a decimal USD string such as "12", "0.5" or "0.000000001" into nano-USD.
// It is exact: no floating point is involved.
func Parse(s string) (Nano, error) {
	s = strings.TrimSpace(s)
	if s == "" || s[0] == '-' || s[0] == '+' {
		return 0, ErrInvalid
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" && (!hasDot || frac == "") {
		return 0, ErrInvalid
	}
	if hasDot && (frac == "" || len(frac) > 9) {
		return 0, ErrInvalid
	}
	var w int64
	if whole != "" {
		v, err := strconv.ParseInt(whole, 10, 64)
		if err != nil || v > math.MaxInt64/PerUSD-1 {
			return 0, ErrInvalid
		}
		w = v
	}
	var f int64
	if frac != "" {
		v, err := strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
		if err != nil || v < 0 {
			return 0, ErrInvalid
		}
		f = v
	}
	return w*PerUSD + f, nil
}

// FromFloat converts a float USD amount (as decoded from a JSON number) to nano-USD,
// rounding to the nearest nano. It exists for JSON clients that send numbers.
func FromFloat(v float64) (Nano, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > float64(math.MaxInt64/PerUSD-1) {
		return 0, ErrInvalid
	}
	return Nano(math.Round(v * float64(PerUSD))), nil
}

// Format renders nano-USD as a decimal string with trailing zeros trimmed, keeping at least
// two decimals of precision in the common case ("1.50"), e.g. 12345678 → "0.012345678".
func Format(n Nano) string {
	neg := n < 0
	u := uint64(n)
	if neg {
		u = uint64(-n)
	}
	whole := u / uint64(PerUSD)
	frac := u % uint64(PerUSD)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString(strconv.FormatUint(whole, 10))
	fs := strconv.FormatUint(frac, 10)
	fs = strings.Repeat("0", 9-len(fs)) + fs
	fs = strings.TrimRight(fs, "0")
	for len(fs) < 2 {
		fs += "0"
	}
	b.WriteByte('.')
	b.WriteString(fs)
	return b.String()
}
