package billing

import "time"

// Record is everything the hub writes about one client request: a request-log row and, when
// Ledger is true, a usage-ledger row (the billing record quota windows sum).
type Record struct {
	RequestID     string
	CreatedAt     time.Time
	UserID        int
	KeyID         int
	ProviderID    int // 0 when no provider was reached
	Model         string
	OriginalModel string
	Endpoint      string
	IsStream      bool
	StatusCode    int
	DurationMs    int64
	TTFBMs        int64 // -1 when no byte reached the client
	SessionID     string
	ErrorMessage  string
	BlockedBy     string
	// ProviderChain is the decision chain, already encoded as a JSON array.
	ProviderChain []byte
	UserAgent     string
	ClientIP      string

	Usage          Usage
	CostNano       int64
	CostMultiplier float64
	PriceMissing   bool
	// Ledger is false for requests that are never billed (count_tokens).
	Ledger bool
}

// Success reports whether the upstream answered with a 2xx status.
func (r *Record) Success() bool { return r.StatusCode >= 200 && r.StatusCode < 300 }
