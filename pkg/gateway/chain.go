package gateway

import (
	"time"

	"github.com/cchub/cchub/pkg/jsonx"
)

// Decision-chain reasons, as in Claude Code Hub so its users read the same words.
const (
	reasonInitial        = "initial_selection"
	reasonSessionReuse   = "session_reuse"
	reasonRetry          = "retry"
	reasonRequestSuccess = "request_success"
	reasonRetrySuccess   = "retry_success"
	reasonRetryFailed    = "retry_failed"
	reasonCircuitOpen    = "circuit_open"
	reasonClientError    = "client_error_non_retryable"
	reasonClientAbort    = "client_abort"
	reasonSystemError    = "system_error"
)

// chainEntry is one attempt (or one refusal) in a request's decision chain.
type chainEntry struct {
	ProviderID   int        `json:"provider_id"`
	ProviderName string     `json:"provider_name"`
	ProviderType string     `json:"provider_type"`
	Selection    string     `json:"selection"` // how the provider was chosen
	Reason       string     `json:"reason"`    // how the attempt ended
	Attempt      int        `json:"attempt"`
	StatusCode   int        `json:"status_code,omitempty"`
	Error        string     `json:"error,omitempty"`
	StartedAt    time.Time  `json:"started_at"`
	DurationMs   int64      `json:"duration_ms"`
	Priority     int        `json:"priority"`
	Weight       int        `json:"weight"`
	Candidates   int        `json:"candidates,omitempty"`
	Redirect     *redirect  `json:"model_redirect,omitempty"`
	Filtered     []filtered `json:"filtered,omitempty"`
}

type redirect struct {
	From string `json:"from"`
	To   string `json:"to"`
}

type filtered struct {
	ID     int    `json:"id"`
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

func encodeChain(c []chainEntry) []byte {
	if len(c) == 0 {
		return []byte("[]")
	}
	b, err := jsonx.Marshal(c)
	if err != nil {
		return []byte("[]")
	}
	return b
}
