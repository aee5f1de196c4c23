package store

import (
	"github.com/cchub/cchub/pkg/billing"
)

// requestLogTable is request_logs as the batch writer fills it. A request_id already logged is
// skipped, and the writer learns which records were new: only those are rolled up, so a
// retried batch neither duplicates logs nor double-counts rollups.
var requestLogTable = newUsageTable("request_logs", []usageColumn{
	{"created_at", "timestamptz"}, {"request_id", "text"},
	{"user_id", "int8"}, {"key_id", "int8"}, {"provider_id", "int8"},
	{"model", "text"}, {"original_model", "text"}, {"endpoint", "text"},
	{"is_stream", "bool"}, {"status_code", "int8"}, {"duration_ms", "int8"}, {"ttfb_ms", "int8"},
	{"session_id", "text"}, {"error_message", "text"}, {"blocked_by", "text"},
	{"provider_chain", "text"}, {"user_agent", "text"}, {"client_ip", "text"},
	{"input_tokens", "int8"}, {"output_tokens", "int8"},
	{"cache_creation_input_tokens", "int8"}, {"cache_creation_5m_input_tokens", "int8"},
	{"cache_creation_1h_input_tokens", "int8"}, {"cache_read_input_tokens", "int8"},
	{"cost_nano", "int8"}, {"cost_multiplier", "float8"}, {"price_missing", "bool"},
}, "ON CONFLICT (request_id) DO NOTHING", "request_id")

func requestLogRow(r *billing.Record) []any {
	// TTFB -1 means no byte reached the client: NULL, not a zero that would pull averages down.
	var ttfb *int64
	if r.TTFBMs >= 0 {
		ttfb = &r.TTFBMs
	}
	u := &r.Usage
	return []any{
		r.CreatedAt, r.RequestID,
		int64(r.UserID), int64(r.KeyID), int64(r.ProviderID),
		r.Model, r.OriginalModel, r.Endpoint,
		r.IsStream, int64(r.StatusCode), r.DurationMs, ttfb,
		r.SessionID, r.ErrorMessage, r.BlockedBy,
		providerChain(r.ProviderChain), r.UserAgent, r.ClientIP,
		u.InputTokens, u.OutputTokens,
		u.CacheCreationTokens, u.CacheCreation5mTokens,
		u.CacheCreation1hTokens, u.CacheReadTokens,
		r.CostNano, r.CostMultiplier, r.PriceMissing,
	}
}

// usageLedgerTable is usage_ledgers: one row per billed request, a request_id already settled
// is skipped (settlement is idempotent).
var usageLedgerTable = newUsageTable("usage_ledgers", []usageColumn{
	{"created_at", "timestamptz"}, {"request_id", "text"},
	{"user_id", "int8"}, {"key_id", "int8"}, {"provider_id", "int8"},
	{"model", "text"}, {"endpoint", "text"}, {"status_code", "int8"}, {"is_success", "bool"},
	{"session_id", "text"},
	{"input_tokens", "int8"}, {"output_tokens", "int8"},
	{"cache_creation_input_tokens", "int8"}, {"cache_creation_5m_input_tokens", "int8"},
	{"cache_creation_1h_input_tokens", "int8"}, {"cache_read_input_tokens", "int8"},
	{"cost_nano", "int8"}, {"cost_multiplier", "float8"}, {"price_missing", "bool"},
}, "ON CONFLICT (request_id) DO NOTHING", "")

func usageLedgerRow(r *billing.Record) []any {
	u := &r.Usage
	return []any{
		r.CreatedAt, r.RequestID,
		int64(r.UserID), int64(r.KeyID), int64(r.ProviderID),
		r.Model, r.Endpoint, int64(r.StatusCode), r.Success(),
		r.SessionID,
		u.InputTokens, u.OutputTokens,
		u.CacheCreationTokens, u.CacheCreation5mTokens,
		u.CacheCreation1hTokens, u.CacheReadTokens,
		r.CostNano, r.CostMultiplier, r.PriceMissing,
	}
}
