package usage

import "github.com/cchub/cchub/pkg/billing"

// mergeAnthropic folds one Anthropic usage object into u. message_start carries the input and
// cache counts with a placeholder output; message_delta carries the final output (cumulative,
// so the last one wins) and, from some relays, the input and cache counts again or only there:
// a non-zero count replaces what is known, a zero one never erases it.
func mergeAnthropic(u *billing.Usage, c *counts) {
	if out, ok := c.first(sOutputTokens); ok {
		u.OutputTokens = out
	}
	setNonZero(&u.InputTokens, c.v[sInputTokens])
	setNonZero(&u.CacheCreationTokens, c.v[sCacheCreationInput])
	setNonZero(&u.CacheReadTokens, c.v[sCacheReadInput])
	v5m, _ := c.first(sEphemeral5m, sFlat5m, sClaude5m)
	v1h, _ := c.first(sEphemeral1h, sFlat1h, sClaude1h)
	setNonZero(&u.CacheCreation5mTokens, v5m)
	setNonZero(&u.CacheCreation1hTokens, v1h)
}

func setNonZero(dst *int64, v int64) {
	if v != 0 {
		*dst = v
	}
}

// openAIUsage maps a Chat or Responses usage object; relays mix both spellings and
// Anthropic's cache fields freely, so all are read. OpenAI counts cached (and, at some relays,
// cache-written) tokens inside the prompt count, so they are taken out of InputTokens to match
// billing.Usage's disjoint buckets.
func openAIUsage(c *counts) billing.Usage {
	in, _ := c.first(sPromptTokens, sInputTokens)
	out, _ := c.first(sCompletionTokens, sOutputTokens)
	cached, _ := c.first(sPromptCached, sInputCached)
	written, _ := c.first(sPromptCacheWrite, sInputCacheWrite)
	read := firstNonZero(cached, c.v[sCacheReadInput])
	write := firstNonZero(written, c.v[sCacheCreationInput])
	v5m, _ := c.first(sEphemeral5m, sFlat5m, sClaude5m)
	v1h, _ := c.first(sEphemeral1h, sFlat1h, sClaude1h)
	return billing.Usage{
		InputTokens:           subset(in, read+write),
		OutputTokens:          out,
		CacheCreationTokens:   write,
		CacheCreation5mTokens: v5m,
		CacheCreation1hTokens: v1h,
		CacheReadTokens:       read,
	}
}

// geminiUsage maps usageMetadata: promptTokenCount includes the cached content, and thinking
// tokens are billed as output but reported apart from candidatesTokenCount.
func geminiUsage(c *counts) billing.Usage {
	cached := c.v[sCachedContentTokenCount]
	return billing.Usage{
		InputTokens:     subset(c.v[sPromptTokenCount], cached),
		OutputTokens:    c.v[sCandidatesTokenCount] + c.v[sThoughtsTokenCount],
		CacheReadTokens: cached,
	}
}

func firstNonZero(a, b int64) int64 {
	if a != 0 {
		return a
	}
	return b
}

// subset returns total minus its cached part. When the part exceeds the total the upstream
// (a relay, typically) evidently reported disjoint counts, so the total is kept whole rather
// than clamped to zero.
func subset(total, part int64) int64 {
	if part <= total {
		return total - part
	}
	return total
}

// normalize makes the cache-creation buckets consistent, as billing expects:
// CacheCreationTokens == CacheCreation5mTokens + CacheCreation1hTokens. Tokens reported without
// a TTL split go to the 5-minute bucket (Anthropic's default TTL); a split larger than the
// reported total (or with no total) defines the total.
func normalize(u billing.Usage) billing.Usage {
	split := u.CacheCreation5mTokens + u.CacheCreation1hTokens
	if u.CacheCreationTokens < split {
		u.CacheCreationTokens = split
	} else {
		u.CacheCreation5mTokens += u.CacheCreationTokens - split
	}
	return u
}
