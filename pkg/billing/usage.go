// Package billing holds the price table, the integer cost function and the batch writer that
// records request logs and usage-ledger rows off the hot path.
package billing

// Usage is the token usage of one request, normalised to Anthropic's semantics: the cache
// buckets are disjoint from InputTokens. (OpenAI reports cached tokens as a subset of prompt
// tokens; parsers subtract them so that InputTokens counts only uncached input.)
type Usage struct {
	InputTokens  int64
	OutputTokens int64
	// CacheCreationTokens is the total written to the prompt cache; CacheCreation5mTokens and
	// CacheCreation1hTokens split it by TTL when the upstream reports the split (otherwise the
	// whole amount is in the 5m bucket).
	CacheCreationTokens   int64
	CacheCreation5mTokens int64
	CacheCreation1hTokens int64
	CacheReadTokens       int64
}

// IsZero reports whether no usage was seen.
func (u Usage) IsZero() bool { return u == Usage{} }
