// Package session finds the client's session id in a request and remembers which provider each
// session was served by, so later turns of the same conversation go back to the provider that
// holds its prompt cache.
package session

import (
	"strings"

	"github.com/bytedance/sonic"
	"github.com/bytedance/sonic/ast"

	"github.com/cchub/cchub/pkg/gateway/catalog"
)

// Headers is the read side of a request's headers. hertz's *protocol.RequestHeader satisfies
// it; its Peek matches names case-insensitively (it normalises both sides).
type Headers interface {
	Peek(name string) []byte
}

// MaxIDLen bounds accepted ids: a session id is a key in the session store and in logs, so an
// arbitrary client string must not become an arbitrary key.
const MaxIDLen = 256

// codexPrevPrefix marks ids derived from previous_response_id, so they can never collide with
// a real session id that happens to equal some response id.
const codexPrevPrefix = "codex_prev_"

// legacyMarker separates the session id in Claude Code's pre-2.1.78 metadata.user_id,
// "user_{device}_account_{uuid}_session_{session}".
const legacyMarker = "_session_"

// ExtractID returns the client's session id, or "" when the request carries none that is valid.
// Sources, first valid wins:
//   - Anthropic: header X-Claude-Code-Session-Id; metadata.user_id, either the JSON string
//     {"device_id","account_uuid","session_id"} (Claude Code ≥ 2.1.78) or the legacy
//     "user_…_session_<id>"; then metadata.session_id.
//   - Responses (Codex): headers session_id / Session-Id / x-session-id; then body
//     prompt_cache_key, metadata.session_id, and previous_response_id prefixed "codex_prev_".
//   - Chat and Gemini: the same headers, prompt_cache_key and metadata.session_id.
//
// The body is read with sonic's path search, which scans without decoding the rest of the
// document; the returned string never aliases body or the header buffers.
func ExtractID(format catalog.Format, h Headers, body []byte) string {
	switch format {
	case catalog.FormatAnthropic:
		if id := header(h, "X-Claude-Code-Session-Id"); id != "" {
			return id
		}
		if id := fromUserID(bodyString(body, "metadata", "user_id")); id != "" {
			return id
		}
		return valid(bodyString(body, "metadata", "session_id"))
	default:
		for _, name := range [...]string{"session_id", "Session-Id", "X-Session-Id"} {
			if id := header(h, name); id != "" {
				return id
			}
		}
		if id := valid(bodyString(body, "prompt_cache_key")); id != "" {
			return id
		}
		if id := valid(bodyString(body, "metadata", "session_id")); id != "" {
			return id
		}
		if format == catalog.FormatResponses {
			if prev := bodyString(body, "previous_response_id"); prev != "" {
				return valid(codexPrevPrefix + prev)
			}
		}
		return ""
	}
}

// fromUserID pulls the session id out of Claude Code's metadata.user_id.
func fromUserID(uid string) string {
	if uid == "" {
		return ""
	}
	if strings.HasPrefix(strings.TrimSpace(uid), "{") {
		n, err := sonic.GetFromString(uid, "session_id")
		if err != nil {
			return ""
		}
		s, err := n.StrictString()
		if err != nil {
			return ""
		}
		return valid(s)
	}
	if i := strings.LastIndex(uid, legacyMarker); i >= 0 && strings.HasPrefix(uid, "user_") {
		return valid(uid[i+len(legacyMarker):])
	}
	return ""
}

// header returns the named header if it is a valid id. The string conversion copies, because
// hertz reuses header buffers after the handler returns.
func header(h Headers, name string) string {
	if h == nil {
		return ""
	}
	b := h.Peek(name)
	if !validBytes(b) {
		return ""
	}
	return string(b)
}

// bodyString returns the string at path in body, or "" when absent, not a string or the body is
// not JSON. sonic.Get copies what it returns, so the result does not pin the body buffer.
func bodyString(body []byte, path ...any) string {
	if len(body) == 0 {
		return ""
	}
	n, err := sonic.Get(body, path...)
	if err != nil || n.TypeSafe() != ast.V_STRING {
		return ""
	}
	s, err := n.StrictString()
	if err != nil {
		return ""
	}
	return s
}

// valid returns id when it is 1–MaxIDLen characters of [A-Za-z0-9_.:-], else "".
func valid(id string) string {
	if len(id) == 0 || len(id) > MaxIDLen {
		return ""
	}
	for i := 0; i < len(id); i++ {
		if !idByte(id[i]) {
			return ""
		}
	}
	return id
}

func validBytes(b []byte) bool {
	if len(b) == 0 || len(b) > MaxIDLen {
		return false
	}
	for _, c := range b {
		if !idByte(c) {
			return false
		}
	}
	return true
}

func idByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '-' || c == '.' || c == ':'
}
