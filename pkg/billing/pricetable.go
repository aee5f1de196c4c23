package billing

import (
	"strings"
)

// Table resolves model names to prices. It is built once by NewTable and never modified, so
// concurrent Lookups need no lock; a price sync builds a new Table and swaps the pointer.
type Table struct {
	prices []Price
	names  []string // canonical entry name of prices[i]
	// exact maps entry names as written; lower maps lower-cased names; bare maps the lower-cased
	// rest of provider-prefixed names ("anthropic/claude-x" → "claude-x") to their entry, so a
	// bare request name finds a prefixed-only entry.
	exact map[string]int32
	lower map[string]int32
	bare  map[string]int32
}

// maxModelName bounds names Lookup normalises on its stack buffer (model_name is at most 256).
const maxModelName = 256

// preferredProviders rank provider prefixes when several prefixed entries share a bare name:
// the model vendor's own price first, resellers and clouds after.
var preferredProviders = []string{"anthropic", "openai", "gemini", "xai", "deepseek", "mistral"}

// NewTable builds a table from entries. A manual entry wins over a synced one of the same name
// whatever their order; between entries of the same kind the later one wins.
func NewTable(entries []Entry) *Table {
	t := &Table{
		exact: make(map[string]int32, len(entries)),
		lower: make(map[string]int32, len(entries)),
		bare:  make(map[string]int32),
	}
	manual := make([]bool, 0, len(entries))
	for _, e := range entries {
		if e.Model == "" {
			continue
		}
		if i, ok := t.exact[e.Model]; ok {
			if manual[i] && !e.Manual {
				continue
			}
			t.prices[i], manual[i] = e.Price, e.Manual
			continue
		}
		t.exact[e.Model] = int32(len(t.prices))
		t.prices = append(t.prices, e.Price)
		t.names = append(t.names, e.Model)
		manual = append(manual, e.Manual)
	}

	// better reports whether entry i should own an alias currently owned by j: manual first,
	// then the preferred provider, then the shorter and lexicographically smaller name, so that
	// the result does not depend on the order of entries.
	better := func(i, j int32) bool {
		if manual[i] != manual[j] {
			return manual[i]
		}
		if ri, rj := providerRank(t.names[i]), providerRank(t.names[j]); ri != rj {
			return ri < rj
		}
		if len(t.names[i]) != len(t.names[j]) {
			return len(t.names[i]) < len(t.names[j])
		}
		return t.names[i] < t.names[j]
	}
	claim := func(m map[string]int32, key string, i int32) {
		if j, ok := m[key]; !ok || better(i, j) {
			m[key] = i
		}
	}
	for i, name := range t.names {
		l := strings.ToLower(name)
		claim(t.lower, l, int32(i))
		if k := strings.IndexByte(l, '/'); k > 0 && k < len(l)-1 {
			claim(t.bare, l[k+1:], int32(i))
		}
	}
	return t
}

func providerRank(name string) int {
	k := strings.IndexByte(name, '/')
	if k < 0 {
		return -1 // an unprefixed entry is the vendor's own
	}
	prefix := strings.ToLower(name[:k])
	for r, p := range preferredProviders {
		if prefix == p {
			return r
		}
	}
	return len(preferredProviders)
}

// Len returns the number of models in the table.
func (t *Table) Len() int {
	if t == nil {
		return 0
	}
	return len(t.prices)
}

// Lookup returns the price of model; see Resolve for how names are matched.
func (t *Table) Lookup(model string) (Price, bool) {
	_, p, ok := t.Resolve(model)
	return p, ok
}

// Resolve returns the entry name that prices model, and its price. It tries, in order:
//   - the exact name (no allocation: this is the hot path);
//   - the name case-insensitively;
//   - a bare name with a provider prefix ("claude-x" → "anthropic/claude-x"), and a
//     provider-prefixed name without its prefix ("anthropic/claude-x" → "claude-x") or under
//     another provider ("bedrock/claude-x" → "anthropic/claude-x");
//   - each of these again with a date or "-latest" suffix removed ("-20250929", "-2024-08-06",
//     "@20250929", "-latest"), so a dated name resolves to its base entry when the dated
//     entry is absent.
//
// A nil Table has no prices.
func (t *Table) Resolve(model string) (string, Price, bool) {
	if t == nil {
		return "", Price{}, false
	}
	if i, ok := t.exact[model]; ok {
		return t.names[i], t.prices[i], true
	}
	if model == "" || len(model) > maxModelName {
		return "", Price{}, false
	}
	// Normalise on a stack buffer; map lookups keyed by string(b) do not allocate.
	var buf [maxModelName]byte
	b := buf[:len(model)]
	for i := 0; i < len(model); i++ {
		c := model[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	for {
		if i, ok := t.lookupLower(b); ok {
			return t.names[i], t.prices[i], true
		}
		n := versionSuffixLen(b)
		if n == 0 {
			return "", Price{}, false
		}
		b = b[:len(b)-n]
	}
}

func (t *Table) lookupLower(b []byte) (int32, bool) {
	if i, ok := t.lower[string(b)]; ok {
		return i, true
	}
	var rest []byte
	for k := 0; k < len(b); k++ {
		if b[k] == '/' {
			rest = b[k+1:]
			break
		}
	}
	// The vendor's own name before a reseller's: "anthropic/claude-x" is priced as
	// "claude-x" rather than as "openrouter/anthropic/claude-x".
	if rest != nil {
		if i, ok := t.lower[string(rest)]; ok {
			return i, true
		}
	}
	if i, ok := t.bare[string(b)]; ok {
		return i, true
	}
	// "bedrock/claude-x" under another provider's prefix: "anthropic/claude-x".
	if rest != nil {
		if i, ok := t.bare[string(rest)]; ok {
			return i, true
		}
	}
	return 0, false
}

// versionSuffixLen returns the length of a trailing "-YYYYMMDD", "-YYYY-MM-DD", "@YYYYMMDD" or
// "-latest" in the lower-cased name b, or 0.
func versionSuffixLen(b []byte) int {
	n := len(b)
	if n > 7 && string(b[n-7:]) == "-latest" {
		return 7
	}
	// -YYYYMMDD or @YYYYMMDD
	if n > 9 && (b[n-9] == '-' || b[n-9] == '@') && isDate(b[n-8:n-4], b[n-4:n-2], b[n-2:]) {
		return 9
	}
	// -YYYY-MM-DD
	if n > 11 && b[n-11] == '-' && b[n-6] == '-' && b[n-3] == '-' && isDate(b[n-10:n-6], b[n-5:n-3], b[n-2:]) {
		return 11
	}
	return 0
}

// isDate reports whether the digit groups read as a plausible date (years 2000–2099), so that
// version numbers such as "-0613" or "-12345678" are not mistaken for dates.
func isDate(y, m, d []byte) bool {
	num := func(s []byte) int {
		v := 0
		for _, c := range s {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	yy, mm, dd := num(y), num(m), num(d)
	return yy >= 2000 && yy <= 2099 && mm >= 1 && mm <= 12 && dd >= 1 && dd <= 31
}
