package billing

import (
	"errors"
	"testing"
)

func TestScaleDecimal(t *testing.T) {
	cases := []struct {
		lit  string
		want int64
		ok   bool
	}{
		{"3e-06", 3_000_000_000, true},
		{"3.75e-06", 3_750_000_000, true},
		{"3e-07", 300_000_000, true},
		{"1.5e-05", 15_000_000_000, true},
		{"0", 0, true},
		{"0.0", 0, true},
		{"1", 1_000_000_000_000_000, true},
		// 0.54 USD/token: the snapshot's most expensive price.
		{"0.54", 540_000_000_000_000, true},
		// Sub-nano per Mtok rounds to the nearest, half up.
		{"4e-16", 0, true},
		{"5e-16", 1, true},
		{"1.23456789e-07", 123_456_789, true},
		{"-1e-06", 0, false},
		{`"3e-06"`, 0, false},
		{"", 0, false},
		{"null", 0, false},
		{"1001", 0, false}, // above $1000/token
	}
	for _, c := range cases {
		got, ok := scaleDecimal([]byte(c.lit), ratNanoPerMtok, maxNanoPerMtok)
		if got != c.want || ok != c.ok {
			t.Errorf("scaleDecimal(%s) = %d, %v; want %d, %v", c.lit, got, ok, c.want, c.ok)
		}
	}
	if got, ok := scaleDecimal([]byte("0.005"), ratNanoPerUSD, maxNanoPerMtok); !ok || got != 5_000_000 {
		t.Errorf("per-request 0.005 USD = %d, %v; want 5000000 nano", got, ok)
	}
}

func TestParseEntryDefaultsAndTiers(t *testing.T) {
	cases := []struct {
		name string
		raw  string
		want Price
	}{
		{
			name: "defaults from input",
			raw:  `{"input_cost_per_token": 2e-06, "output_cost_per_token": 8e-06}`,
			want: Price{Rates: Rates{Input: 2e9, Output: 8e9, CacheWrite5m: 2.5e9, CacheWrite1h: 4e9, CacheRead: 2e8}},
		},
		{
			name: "explicit cache prices",
			raw: `{"input_cost_per_token": 1e-06, "output_cost_per_token": 5e-06,
				"cache_creation_input_token_cost": 1.5e-06, "cache_creation_input_token_cost_above_1hr": 3e-06,
				"cache_read_input_token_cost": 5e-07}`,
			want: Price{Rates: Rates{Input: 1e9, Output: 5e9, CacheWrite5m: 1.5e9, CacheWrite1h: 3e9, CacheRead: 5e8}},
		},
		{
			name: "output only",
			raw:  `{"output_cost_per_token": 4e-05, "mode": "image_generation"}`,
			want: Price{Rates: Rates{Output: 4e10}},
		},
		{
			name: "per request fee",
			raw:  `{"input_cost_per_token": 1e-06, "output_cost_per_token": 1e-06, "input_cost_per_request": 0.005}`,
			want: Price{Rates: Rates{Input: 1e9, Output: 1e9, CacheWrite5m: 1.25e9, CacheWrite1h: 2e9, CacheRead: 1e8}, PerRequest: 5e6},
		},
		{
			// Mirrors claude-sonnet-4-20250514: the tier has no 1h write price, which then keeps
			// its base ratio to input (2× the tiered input).
			name: "200k tier, missing 1h tier price scales",
			raw: `{"input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05,
				"cache_creation_input_token_cost": 3.75e-06, "cache_creation_input_token_cost_above_1hr": 6e-06,
				"cache_read_input_token_cost": 3e-07,
				"input_cost_per_token_above_200k_tokens": 6e-06, "output_cost_per_token_above_200k_tokens": 2.25e-05,
				"cache_creation_input_token_cost_above_200k_tokens": 7.5e-06,
				"cache_read_input_token_cost_above_200k_tokens": 6e-07}`,
			want: Price{
				Rates:         Rates{Input: 3e9, Output: 15e9, CacheWrite5m: 3.75e9, CacheWrite1h: 6e9, CacheRead: 3e8},
				TierThreshold: 200_000,
				Tier:          Rates{Input: 6e9, Output: 22.5e9, CacheWrite5m: 7.5e9, CacheWrite1h: 12e9, CacheRead: 6e8},
			},
		},
		{
			// GPT-5 style: 272k tier with input, output and cache read only; the cache writes
			// default to 1.25× and 2× of the tiered input through the ratio to base input.
			name: "272k tier",
			raw: `{"input_cost_per_token": 1.25e-06, "output_cost_per_token": 1e-05, "cache_read_input_token_cost": 1.25e-07,
				"input_cost_per_token_above_272k_tokens": 2.5e-06, "output_cost_per_token_above_272k_tokens": 1.5e-05,
				"cache_read_input_token_cost_above_272k_tokens": 2.5e-07,
				"input_cost_per_token_above_272k_tokens_priority": 5e-06}`,
			want: Price{
				Rates:         Rates{Input: 1.25e9, Output: 10e9, CacheWrite5m: 1.5625e9, CacheWrite1h: 2.5e9, CacheRead: 1.25e8},
				TierThreshold: 272_000,
				Tier:          Rates{Input: 2.5e9, Output: 15e9, CacheWrite5m: 3.125e9, CacheWrite1h: 5e9, CacheRead: 2.5e8},
			},
		},
		{
			name: "tier with output only keeps base input and cache",
			raw: `{"input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06,
				"output_cost_per_token_above_128k_tokens": 4e-06}`,
			want: Price{
				Rates:         Rates{Input: 1e9, Output: 2e9, CacheWrite5m: 1.25e9, CacheWrite1h: 2e9, CacheRead: 1e8},
				TierThreshold: 128_000,
				Tier:          Rates{Input: 1e9, Output: 4e9, CacheWrite5m: 1.25e9, CacheWrite1h: 2e9, CacheRead: 1e8},
			},
		},
		{
			name: "free base input, tiered input uses default ratios",
			raw: `{"input_cost_per_token": 0, "output_cost_per_token": 0,
				"input_cost_per_token_above_200k_tokens": 4e-06}`,
			want: Price{
				TierThreshold: 200_000,
				Tier:          Rates{Input: 4e9, CacheWrite5m: 5e9, CacheWrite1h: 8e9, CacheRead: 4e8},
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, err := ParseEntry("m", []byte(c.raw))
			if err != nil {
				t.Fatal(err)
			}
			if e.Price != c.want {
				t.Errorf("price\n got %+v\nwant %+v", e.Price, c.want)
			}
		})
	}
}

func TestParseEntryRejects(t *testing.T) {
	for _, raw := range []string{
		`{"output_cost_per_image": 0.04, "mode": "image_generation"}`,
		`{"input_cost_per_token": "3e-06"}`,
		`{"input_cost_per_token": -1}`,
	} {
		if _, err := ParseEntry("m", []byte(raw)); !errors.Is(err, ErrNoTokenPrice) {
			t.Errorf("ParseEntry(%s) err = %v; want ErrNoTokenPrice", raw, err)
		}
	}
	for _, raw := range []string{`[]`, `null`, `{`, `"x"`} {
		if _, err := ParseEntry("m", []byte(raw)); err == nil {
			t.Errorf("ParseEntry(%s) accepted", raw)
		}
	}
	if _, err := ParseEntry(" ", []byte(`{"input_cost_per_token": 1e-06}`)); err == nil {
		t.Error("empty model name accepted")
	}
}

func TestParseEntryProviderAndRaw(t *testing.T) {
	raw := "{\n    \"input_cost_per_token\": 1e-06,\n    \"litellm_provider\": \"openai\",\n    \"note\": \"a b\\\" c\"\n}"
	e, err := ParseEntry("gpt-x", []byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if e.Provider != "openai" || e.Model != "gpt-x" {
		t.Errorf("entry = %+v", e)
	}
	if want := `{"input_cost_per_token":1e-06,"litellm_provider":"openai","note":"a b\" c"}`; string(e.Raw) != want {
		t.Errorf("raw = %s; want %s", e.Raw, want)
	}
}

func TestParseLiteLLMSkipsNonModels(t *testing.T) {
	data := []byte(`{
		"sample_spec": {"input_cost_per_token": 0.0, "output_cost_per_token": 0.0},
		"fallback_generalizations": {"rules": []},
		"b-model": {"input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06},
		"a-model": {"input_cost_per_token": 1e-06},
		"dall-e": {"output_cost_per_image": 0.04},
		"broken": "not an object"
	}`)
	entries, err := ParseLiteLLM(data)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Model)
	}
	if len(names) != 2 || names[0] != "a-model" || names[1] != "b-model" {
		t.Errorf("models = %v; want [a-model b-model]", names)
	}
	if _, err := ParseLiteLLM([]byte(`[1,2]`)); err == nil {
		t.Error("non-object table accepted")
	}
}

func TestParseDefaultSnapshot(t *testing.T) {
	entries, err := ParseLiteLLM(DefaultPrices())
	if err != nil {
		t.Fatal(err)
	}
	// 2,982 models in the snapshot, 461 of them without any per-token price.
	if len(entries) != 2982-461 {
		t.Errorf("entries = %d; want %d", len(entries), 2982-461)
	}
	byName := map[string]Entry{}
	for _, e := range entries {
		byName[e.Model] = e
	}
	got := byName["claude-sonnet-4-5"]
	want := Price{
		Rates:         Rates{Input: 3e9, Output: 15e9, CacheWrite5m: 3.75e9, CacheWrite1h: 6e9, CacheRead: 3e8},
		TierThreshold: 200_000,
		Tier:          Rates{Input: 6e9, Output: 22.5e9, CacheWrite5m: 7.5e9, CacheWrite1h: 12e9, CacheRead: 6e8},
	}
	if got.Price != want || got.Provider != "anthropic" {
		t.Errorf("claude-sonnet-4-5 = %+v (%s)\nwant %+v", got.Price, got.Provider, want)
	}
	if p := byName["perplexity/sonar-small-online"].Price.PerRequest; p != 5_000_000 {
		t.Errorf("perplexity per-request fee = %d nano; want 5000000", p)
	}
	if _, ok := byName["sample_spec"]; ok {
		t.Error("sample_spec parsed as a model")
	}
}
