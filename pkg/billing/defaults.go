package billing

import _ "embed"

// defaultPrices is LiteLLM's price table as of 2026-07-24 (MIT, see litellm/LICENSE), embedded
// so that a fresh install prices requests without network access.
//
//go:embed litellm/model_prices.json
var defaultPrices []byte

// DefaultPrices returns the embedded LiteLLM price table (JSON, USD per token), for
// ParseLiteLLM and the first-start seed. The slice is shared: callers must not modify it.
func DefaultPrices() []byte { return defaultPrices }
