package admin

import (
	"math"

	"github.com/cchub/cchub/pkg/money"
	"github.com/cchub/cchub/pkg/store"
)

// usageView is the usage of a set of requests as every read-side endpoint shows it. Rates and
// averages are null when there is nothing to divide by.
type usageView struct {
	Requests                 int64    `json:"requests"`
	Successes                int64    `json:"successes"`
	Errors                   int64    `json:"errors"`
	SuccessRate              *float64 `json:"success_rate"`
	CostUSD                  string   `json:"cost_usd"`
	InputTokens              int64    `json:"input_tokens"`
	OutputTokens             int64    `json:"output_tokens"`
	CacheCreationInputTokens int64    `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int64    `json:"cache_read_input_tokens"`
	// Tokens is every token: input, output, cache writes and cache reads.
	Tokens        int64  `json:"tokens"`
	AvgDurationMs *int64 `json:"avg_duration_ms"`
	AvgTTFBMs     *int64 `json:"avg_ttfb_ms"`
}

func viewUsage(s store.UsageSums) usageView {
	v := usageView{
		Requests: s.Requests, Successes: s.Successes, Errors: s.Errors,
		CostUSD:     money.Format(s.CostNano),
		InputTokens: s.InputTokens, OutputTokens: s.OutputTokens,
		CacheCreationInputTokens: s.CacheCreationTokens, CacheReadInputTokens: s.CacheReadTokens,
		Tokens: s.Tokens(),
	}
	if s.Requests > 0 {
		r := ratio(s.Successes, s.Requests)
		v.SuccessRate = &r
		v.AvgDurationMs = roundedAvg(s.DurationMsSum, s.Requests)
	}
	v.AvgTTFBMs = roundedAvg(s.TTFBMsSum, s.TTFBCount)
	return v
}

// ratio is num/den rounded to four decimals (a rate shown as a percentage with two).
func ratio(num, den int64) float64 {
	return math.Round(float64(num)/float64(den)*10000) / 10000
}

func roundedAvg(sum, n int64) *int64 {
	if n <= 0 {
		return nil
	}
	v := int64(math.Round(float64(sum) / float64(n)))
	return &v
}
