package billing

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cchub/cchub/pkg/jsonx"
)

// Entry is one model of a LiteLLM-format price table.
type Entry struct {
	Model string
	// Provider is the entry's litellm_provider ("anthropic", "openai", …), empty when absent.
	Provider string
	// Manual marks an entry an admin set; it wins over synced entries of the same name.
	Manual bool
	Price  Price
	// Raw is the entry's JSON object, compacted but otherwise verbatim (stored as price_data).
	Raw []byte
}

// ErrNoTokenPrice is returned by ParseEntry for entries that have neither an input nor an
// output price per token (image, audio and per-second models): the hub bills by tokens only.
var ErrNoTokenPrice = errors.New("no per-token price")

// nonModelKeys are top-level keys of LiteLLM's table that are not models.
var nonModelKeys = map[string]bool{
	"sample_spec":              true, // a schema example with zero prices
	"fallback_generalizations": true, // regex routing rules
}

// ParseLiteLLM reads LiteLLM's model_prices_and_context_window.json. It returns one Entry per
// model with a per-token price, sorted by model name (the JSON object's order is not kept),
// and skips the non-model keys and entries without token prices.
func ParseLiteLLM(data []byte) ([]Entry, error) {
	var top map[string]jsonx.RawMessage
	if err := jsonx.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("parse price table: %w", err)
	}
	entries := make([]Entry, 0, len(top))
	for name, raw := range top {
		if nonModelKeys[name] {
			continue
		}
		e, err := ParseEntry(name, raw)
		if err != nil {
			// One malformed or non-token entry must not cost every other model its price.
			continue
		}
		entries = append(entries, e)
	}
	slices.SortFunc(entries, func(a, b Entry) int { return strings.Compare(a.Model, b.Model) })
	return entries, nil
}

// ParseEntry converts one LiteLLM entry (a JSON object of USD-per-token prices) to an Entry.
// It is also how stored price_data rows and admin-entered manual prices are read.
func ParseEntry(model string, raw []byte) (Entry, error) {
	if strings.TrimSpace(model) == "" {
		return Entry{}, errors.New("empty model name")
	}
	var fields map[string]jsonx.RawMessage
	if err := jsonx.Unmarshal(raw, &fields); err != nil {
		return Entry{}, fmt.Errorf("price entry %q: %w", model, err)
	}
	if fields == nil {
		return Entry{}, fmt.Errorf("price entry %q: not an object", model)
	}
	p, ok := priceFromFields(fields)
	if !ok {
		return Entry{}, fmt.Errorf("price entry %q: %w", model, ErrNoTokenPrice)
	}
	e := Entry{Model: model, Price: p, Raw: compactJSON(nil, raw)}
	if v, ok := fields["litellm_provider"]; ok {
		var s string
		if jsonx.Unmarshal(v, &s) == nil {
			e.Provider = s
		}
	}
	return e, nil
}

// LiteLLM field names of the five token prices.
const (
	fieldInput        = "input_cost_per_token"
	fieldOutput       = "output_cost_per_token"
	fieldCacheWrite5m = "cache_creation_input_token_cost"
	fieldCacheWrite1h = "cache_creation_input_token_cost_above_1hr"
	fieldCacheRead    = "cache_read_input_token_cost"
	fieldPerRequest   = "input_cost_per_request"
)

func priceFromFields(f map[string]jsonx.RawMessage) (Price, bool) {
	get := func(name string) (int64, bool) {
		v, ok := f[name]
		if !ok {
			return 0, false
		}
		return scaleDecimal(v, ratNanoPerMtok, maxNanoPerMtok)
	}
	in, hasIn := get(fieldInput)
	out, hasOut := get(fieldOutput)
	if !hasIn && !hasOut {
		return Price{}, false
	}
	var p Price
	p.Input, p.Output = in, out
	p.CacheWrite5m = orDefault(get(fieldCacheWrite5m))(ratio(in, cacheWrite5mNum, cacheWrite5mDen))
	p.CacheWrite1h = orDefault(get(fieldCacheWrite1h))(ratio(in, cacheWrite1hNum, cacheWrite1hDen))
	p.CacheRead = orDefault(get(fieldCacheRead))(ratio(in, cacheReadNum, cacheReadDen))
	if v, ok := f[fieldPerRequest]; ok {
		p.PerRequest, _ = scaleDecimal(v, ratNanoPerUSD, maxNanoPerMtok)
	}

	threshold := tierThreshold(f)
	if threshold == 0 {
		return p, true
	}
	suffix := "_above_" + strconv.FormatInt(threshold/1000, 10) + "k_tokens"
	tIn, hasTIn := get(fieldInput + suffix)
	p.TierThreshold = threshold
	p.Tier.Input = orDefault(tIn, hasTIn)(p.Input)
	p.Tier.Output = orDefault(get(fieldOutput + suffix))(p.Output)
	// A cache price missing from the tier keeps its ratio to the input price: Anthropic's
	// tiered 1-hour write is absent for some rows yet is 2× the tiered input, as the base is.
	tierCache := func(name string, base, num, den int64) int64 {
		switch v, ok := get(name + suffix); {
		case ok:
			return v
		case !hasTIn:
			return base
		case p.Input > 0:
			return scaleBy(base, tIn, p.Input)
		default: // no base input to scale from: the default ratio of the tier's input
			return ratio(tIn, num, den)
		}
	}
	p.Tier.CacheWrite5m = tierCache(fieldCacheWrite5m, p.CacheWrite5m, cacheWrite5mNum, cacheWrite5mDen)
	p.Tier.CacheWrite1h = tierCache(fieldCacheWrite1h, p.CacheWrite1h, cacheWrite1hNum, cacheWrite1hDen)
	p.Tier.CacheRead = tierCache(fieldCacheRead, p.CacheRead, cacheReadNum, cacheReadDen)
	return p, true
}

func orDefault(v int64, ok bool) func(def int64) int64 {
	return func(def int64) int64 {
		if ok {
			return v
		}
		return def
	}
}

// tierThreshold finds the long-context tier of an entry from field names of the form
// <token price>_above_<N>k_tokens (200k for Claude and Gemini, 272k for GPT-5, 128k, …) and
// returns N×1000, or 0. Entries in LiteLLM have at most one tier; should one have several, the
// lowest threshold is used.
func tierThreshold(f map[string]jsonx.RawMessage) int64 {
	var best int64
	for name := range f {
		i := strings.LastIndex(name, "_above_")
		if i < 0 || !strings.HasSuffix(name, "k_tokens") {
			continue
		}
		switch name[:i] {
		case fieldInput, fieldOutput, fieldCacheWrite5m, fieldCacheWrite1h, fieldCacheRead:
		default:
			continue
		}
		digits := name[i+len("_above_") : len(name)-len("k_tokens")]
		n, err := strconv.ParseInt(digits, 10, 32)
		if err != nil || n <= 0 {
			continue
		}
		if t := n * 1000; best == 0 || t < best {
			best = t
		}
	}
	return best
}

// compactJSON appends src to dst without the insignificant whitespace, so that price_data rows
// stay small (the upstream file is indented). src must be valid JSON.
func compactJSON(dst, src []byte) []byte {
	if dst == nil {
		dst = make([]byte, 0, len(src))
	}
	inString, escaped := false, false
	for _, c := range src {
		if inString {
			dst = append(dst, c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '"':
			inString = true
		}
		dst = append(dst, c)
	}
	return dst
}
