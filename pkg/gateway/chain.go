package gateway

import (
	"strconv"
	"time"
	"unicode/utf8"
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

// encodeChain renders the chain as a JSON array. It appends by hand instead of going through
// the JSON encoder: this runs once per request, and the hand-written form is several times
// faster for the same bytes (TestEncodeChainMatchesEncoder keeps the two in step).
func encodeChain(c []chainEntry) []byte {
	if len(c) == 0 {
		return []byte("[]")
	}
	b := make([]byte, 0, 256*len(c))
	b = append(b, '[')
	for i := range c {
		if i > 0 {
			b = append(b, ',')
		}
		b = c[i].appendJSON(b)
	}
	return append(b, ']')
}

func (e *chainEntry) appendJSON(b []byte) []byte {
	b = append(b, `{"provider_id":`...)
	b = strconv.AppendInt(b, int64(e.ProviderID), 10)
	b = appendField(b, "provider_name", e.ProviderName)
	b = appendField(b, "provider_type", e.ProviderType)
	b = appendField(b, "selection", e.Selection)
	b = appendField(b, "reason", e.Reason)
	b = append(b, `,"attempt":`...)
	b = strconv.AppendInt(b, int64(e.Attempt), 10)
	if e.StatusCode != 0 {
		b = append(b, `,"status_code":`...)
		b = strconv.AppendInt(b, int64(e.StatusCode), 10)
	}
	if e.Error != "" {
		b = appendField(b, "error", e.Error)
	}
	b = append(b, `,"started_at":"`...)
	b = e.StartedAt.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","duration_ms":`...)
	b = strconv.AppendInt(b, e.DurationMs, 10)
	b = append(b, `,"priority":`...)
	b = strconv.AppendInt(b, int64(e.Priority), 10)
	b = append(b, `,"weight":`...)
	b = strconv.AppendInt(b, int64(e.Weight), 10)
	if e.Candidates != 0 {
		b = append(b, `,"candidates":`...)
		b = strconv.AppendInt(b, int64(e.Candidates), 10)
	}
	if e.Redirect != nil {
		b = append(b, `,"model_redirect":{"from":`...)
		b = appendString(b, e.Redirect.From)
		b = append(b, `,"to":`...)
		b = appendString(b, e.Redirect.To)
		b = append(b, '}')
	}
	if len(e.Filtered) > 0 {
		b = append(b, `,"filtered":[`...)
		for i, f := range e.Filtered {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"id":`...)
			b = strconv.AppendInt(b, int64(f.ID), 10)
			b = appendField(b, "name", f.Name)
			b = appendField(b, "reason", f.Reason)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func appendField(b []byte, name, value string) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendString(b, value)
}

// appendString appends s as a JSON string: quotes, backslashes and control characters escaped,
// invalid UTF-8 replaced (upstream error texts are not always valid UTF-8).
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, "\ufffd"...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
