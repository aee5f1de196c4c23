package usage

import (
	"strings"
	"testing"

	"github.com/bytedance/sonic"
	"github.com/bytedance/sonic/ast"
)

// slotPaths is where sonic finds each slot: the oracle the hand-written walker must agree with.
var slotPaths = map[slot][]any{
	sInputTokens:             {"input_tokens"},
	sOutputTokens:            {"output_tokens"},
	sCacheCreationInput:      {"cache_creation_input_tokens"},
	sCacheReadInput:          {"cache_read_input_tokens"},
	sEphemeral5m:             {"cache_creation", "ephemeral_5m_input_tokens"},
	sEphemeral1h:             {"cache_creation", "ephemeral_1h_input_tokens"},
	sFlat5m:                  {"cache_creation_5m_input_tokens"},
	sFlat1h:                  {"cache_creation_1h_input_tokens"},
	sClaude5m:                {"claude_cache_creation_5_m_tokens"},
	sClaude1h:                {"claude_cache_creation_1_h_tokens"},
	sPromptTokens:            {"prompt_tokens"},
	sCompletionTokens:        {"completion_tokens"},
	sPromptCached:            {"prompt_tokens_details", "cached_tokens"},
	sPromptCacheWrite:        {"prompt_tokens_details", "cache_write_tokens"},
	sInputCached:             {"input_tokens_details", "cached_tokens"},
	sInputCacheWrite:         {"input_tokens_details", "cache_write_tokens"},
	sPromptTokenCount:        {"promptTokenCount"},
	sCandidatesTokenCount:    {"candidatesTokenCount"},
	sCachedContentTokenCount: {"cachedContentTokenCount"},
	sThoughtsTokenCount:      {"thoughtsTokenCount"},
}

// sonicCounts reads every slot with one sonic lookup each: slow, but sonic's own answer.
func sonicCounts(raw string) counts {
	var c counts
	var f finder
	for s, path := range slotPaths {
		if !f.find(raw, path) || f.node.TypeSafe() != ast.V_NUMBER {
			f.clear()
			continue
		}
		n, err := f.node.Int64()
		f.clear()
		if err != nil {
			continue
		}
		c.v[s] = max(n, 0)
		c.set |= 1 << s
	}
	return c
}

func TestSlotPathsCoverEverySlot(t *testing.T) {
	if len(slotPaths) != int(nSlots) {
		t.Fatalf("%d oracle paths for %d slots", len(slotPaths), nSlots)
	}
	for s, path := range slotPaths {
		var got slot
		if len(path) == 1 {
			got = topSlot(path[0].(string))
		} else {
			got = nestedSlot(topSlot(path[0].(string)), path[1].(string))
		}
		if got != s {
			t.Errorf("path %v maps to slot %d, want %d", path, got, s)
		}
	}
}

var countsCases = []string{
	`{"input_tokens":3,"cache_creation_input_tokens":2830,"cache_read_input_tokens":19877,"cache_creation":{"ephemeral_5m_input_tokens":830,"ephemeral_1h_input_tokens":2000},"output_tokens":1,"service_tier":"standard"}`,
	`{"prompt_tokens":2048,"completion_tokens":37,"total_tokens":2085,"prompt_tokens_details":{"cached_tokens":1920,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}`,
	`{"input_tokens":5210,"input_tokens_details":{"cached_tokens":4992},"output_tokens":145,"output_tokens_details":{"reasoning_tokens":64},"total_tokens":5355}`,
	`{"promptTokenCount":1200,"candidatesTokenCount":85,"totalTokenCount":1529,"cachedContentTokenCount":1024,"promptTokensDetails":[{"modality":"TEXT","tokenCount":1200}],"thoughtsTokenCount":244}`,
	` { "input_tokens" : 1.5e3 , "output_tokens" : -4 , "cache_read_input_tokens" : null } `,
	`{"input_tokens":"12","output_tokens":true,"cache_creation":[1,2],"prompt_tokens_details":"x"}`,
	`{"input_tokens":1,"input_tokens":2,"cache_creation":{"ephemeral_5m_input_tokens":3},"cache_creation":{"ephemeral_5m_input_tokens":4}}`,
	`{"input_tokens":null,"input_tokens":2}`,
	`{"cache_creation":{},"cache_creation":{"ephemeral_1h_input_tokens":7}}`,
	`{"x":{"input_tokens":9,"s":"}\"{"},"y":["]",{"output_tokens":8}],"output_tokens":12345678901234567890}`,
	`{"input_tokens":9223372036854775807,"output_tokens":99999999999999999999999,"prompt_tokens":1e400,"completion_tokens":-0}`,
	`{"cache_creation":{"cache_creation":{"ephemeral_5m_input_tokens":1}},"prompt_tokens_details":{"cached_tokens":{"cached_tokens":5}}}`,
	`{"input\u005ftokens":5,"output_tokens":1,"output_tokens":2}`,
	`{"cache_creation":{"x":"a\"b\\","ephemeral_5m_input_tokens":1},"s":"\\\\","input_tokens":3}`,
	`{"\u00e9":1,"input_tokens\n":4,"prompt_tokens\/":5,"\"completion_tokens":6,"completion_tokens":7}`,
	`{}`,
	`[]`,
	`{"usage":{"input_tokens":5}}`,
}

func TestScanCountsMatchesSonic(t *testing.T) {
	for _, raw := range countsCases {
		if !sonic.ValidString(raw) {
			t.Fatalf("case is not valid JSON: %s", raw)
		}
		if got, want := scanCounts(raw), sonicCounts(raw); got != want {
			t.Errorf("%s\n walker %+v\n sonic  %+v", raw, got, want)
		}
	}
}

func TestScanCountsValues(t *testing.T) {
	c := scanCounts(` { "input_tokens" : 1.5e3 , "output_tokens" : -4 , "cache_read_input_tokens" : null, "prompt_tokens": 12.9 } `)
	if c.v[sInputTokens] != 1500 || !c.has(sOutputTokens) || c.v[sOutputTokens] != 0 ||
		c.has(sCacheReadInput) || c.v[sPromptTokens] != 12 {
		t.Fatalf("%+v", c)
	}
}

func TestScanCountsMalformedStops(t *testing.T) {
	// Never panics or loops; reads what it can before the damage.
	for _, raw := range []string{`{"input_tokens":5,`, `{"input_tokens":5 "x"`, `{"input_tokens"`, `{"a":"\`, `{"cache_creation":{"ephemeral_5m_input_tokens":1`, `{`, ``, `"`, `{"input_tokens":7}garbage`} {
		c := scanCounts(raw)
		if strings.HasPrefix(raw, `{"input_tokens":5`) || strings.HasPrefix(raw, `{"input_tokens":7`) {
			if c.v[sInputTokens] == 0 {
				t.Errorf("%q: lost the count before the damage", raw)
			}
		}
	}
}

func TestScanCountsAllocs(t *testing.T) {
	raw := countsCases[0]
	if a := testing.AllocsPerRun(100, func() { scanCounts(raw) }); a != 0 && !raceEnabled {
		t.Fatalf("%v allocs", a)
	}
}

// FuzzScanCounts pins the walker to sonic on any valid JSON, and checks it survives anything.
func FuzzScanCounts(f *testing.F) {
	for _, c := range countsCases {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got := scanCounts(raw)
		for s := range nSlots {
			if got.v[s] < 0 {
				t.Fatalf("negative count in slot %d", s)
			}
		}
		// Compare on valid JSON only. sonic's validator passes invalid escapes such as `"\0"` (its
		// key lookups then fail), so those are screened out here.
		if !sonic.ValidString(raw) || !validEscapes(raw) {
			return
		}
		if want := sonicCounts(raw); got != want {
			t.Fatalf("%s\n walker %+v\n sonic  %+v", raw, got, want)
		}
	})
}

// validEscapes reports whether every backslash in s starts a valid JSON escape.
func validEscapes(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			continue
		}
		if i++; i >= len(s) {
			return false
		}
		switch s[i] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		case 'u':
			if i+4 >= len(s) {
				return false
			}
			for _, h := range s[i+1 : i+5] {
				if !strings.ContainsRune("0123456789abcdefABCDEF", h) {
					return false
				}
			}
			i += 4
		default:
			return false
		}
	}
	return true
}

func BenchmarkScanCounts(b *testing.B) {
	for _, raw := range countsCases[:4] {
		b.Run(raw[2:14], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				scanCounts(raw)
			}
		})
		b.Run(raw[2:14]+"/sonic-lookups", func(b *testing.B) {
			for b.Loop() {
				sonicCounts(raw)
			}
		})
	}
}
