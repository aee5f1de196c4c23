// Package catalog holds the in-memory view of keys, users and providers that the hot path reads.
// A Snapshot is immutable once built; the gateway swaps it atomically when the admin API changes
// anything, so no request ever reads the database.
package catalog

import "time"

// Format is an API wire format.
type Format uint8

// The wire formats the hub speaks.
const (
	FormatAnthropic Format = iota + 1 // Anthropic Messages (/v1/messages)
	FormatResponses                   // OpenAI Responses (/v1/responses, Codex)
	FormatChat                        // OpenAI Chat Completions (/v1/chat/completions)
	FormatGemini                      // Gemini generateContent
)

// String names the format as used in logs and metrics.
func (f Format) String() string {
	switch f {
	case FormatAnthropic:
		return "anthropic"
	case FormatResponses:
		return "responses"
	case FormatChat:
		return "chat"
	case FormatGemini:
		return "gemini"
	}
	return "unknown"
}

// ProviderType is the provider's "type" field.
type ProviderType string

// Provider types.
const (
	TypeClaude     ProviderType = "claude"
	TypeClaudeAuth ProviderType = "claude-auth"
	TypeCodex      ProviderType = "codex"
	TypeOpenAI     ProviderType = "openai-compatible"
	TypeGemini     ProviderType = "gemini"
)

// Format returns the wire format the provider type speaks.
func (t ProviderType) Format() Format {
	switch t {
	case TypeClaude, TypeClaudeAuth:
		return FormatAnthropic
	case TypeCodex:
		return FormatResponses
	case TypeOpenAI:
		return FormatChat
	case TypeGemini:
		return FormatGemini
	}
	return 0
}

// Limits are USD spend windows in nano-USD (0 = no limit) and a concurrent-session cap.
type Limits struct {
	Limit5h            int64
	Limit5hFixed       bool // 5h window starts at first use instead of rolling
	LimitDaily         int64
	DailyRolling       bool   // rolling 24h instead of a fixed reset time
	DailyResetTime     string // "HH:MM" in the hub's timezone
	LimitWeekly        int64
	LimitMonthly       int64
	LimitTotal         int64
	CostResetAt        time.Time // usage before this instant is ignored (zero = none)
	ConcurrentSessions int       // 0 = unlimited (keys: inherit the user's)
}

// User is a key owner.
type User struct {
	ID            int
	Name          string
	Role          string
	Enabled       bool
	ExpiresAt     time.Time // zero = never
	ProviderGroup string
	RPMLimit      int // 0 = unlimited
	AllowedModels []string
	Limits        Limits
}

// Key is a client API key, found by the SHA-256 of its text.
type Key struct {
	ID            int
	UserID        int
	Name          string
	Enabled       bool
	ExpiresAt     time.Time
	CanLoginWebUI bool
	ProviderGroup string // overrides the user's when not empty
	Limits        Limits
}

// Provider is an upstream with everything routing, relaying and billing need.
type Provider struct {
	ID                int
	Name              string
	Type              ProviderType
	URL               string
	APIKey            string // decrypted upstream credential; never log it
	Enabled           bool
	Weight            int
	Priority          int
	CostMultiplier    float64
	GroupTags         []string // parsed group_tag; ["default"] when empty
	ModelRedirects    map[string]string
	AllowedModels     []string // lower-cased; empty allows all
	MaxAttempts       int      // attempts on this provider before moving on
	Breaker           BreakerConfig
	FirstByteTimeout  time.Duration // 0 = none
	StreamIdleTimeout time.Duration // 0 = none
	RequestTimeout    time.Duration // 0 = none
	ProxyURL          string
	Limits            Limits
}

// BreakerConfig configures a provider's circuit breaker.
type BreakerConfig struct {
	FailureThreshold int           // consecutive failures that open it; 0 disables the breaker
	OpenDuration     time.Duration // how long it stays open before a probe
	SuccessThreshold int           // half-open successes that close it
}
