package gateway

import "github.com/cchub/cchub/pkg/gateway/catalog"

// endpoint describes one proxy route.
type endpoint struct {
	Path   string
	Format catalog.Format
	// Billed endpoints write a ledger row; count_tokens is free.
	Billed bool
	// Passthrough endpoints forward the body untouched (no redirect, no injected fields), make
	// one attempt per provider and never count against a circuit.
	Passthrough bool
}

var (
	endpointMessages    = endpoint{Path: "/v1/messages", Format: catalog.FormatAnthropic, Billed: true}
	endpointCountTokens = endpoint{Path: "/v1/messages/count_tokens", Format: catalog.FormatAnthropic, Passthrough: true}
	endpointResponses   = endpoint{Path: "/v1/responses", Format: catalog.FormatResponses, Billed: true}
	endpointChat        = endpoint{Path: "/v1/chat/completions", Format: catalog.FormatChat, Billed: true}
)
