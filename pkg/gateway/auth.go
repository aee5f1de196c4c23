package gateway

import (
	"bytes"
	"crypto/subtle"
	"time"

	"github.com/cloudwego/hertz/pkg/app"

	"github.com/cchub/cchub/pkg/gateway/catalog"
)

// clientKey returns the key the client sent: x-api-key (Claude Code), Authorization: Bearer
// (the SDKs, Codex) or x-goog-api-key (Gemini). When several are present they must agree, so a
// request can't authenticate with one key and be billed to another.
func clientKey(c *app.RequestContext) ([]byte, *Error) {
	var found []byte
	for _, v := range [][]byte{
		c.Request.Header.Peek("x-api-key"),
		bearer(c.Request.Header.Peek("Authorization")),
		c.Request.Header.Peek("x-goog-api-key"),
	} {
		v = bytes.TrimSpace(v)
		if len(v) == 0 {
			continue
		}
		if found != nil && subtle.ConstantTimeCompare(found, v) != 1 {
			return nil, errConflictKey
		}
		found = v
	}
	if found == nil {
		return nil, errNoKey
	}
	return found, nil
}

func bearer(h []byte) []byte {
	if len(h) > 7 && bytes.EqualFold(h[:7], []byte("bearer ")) {
		return h[7:]
	}
	return nil
}

var (
	errNoKey       = &Error{Status: 401, Code: "invalid_api_key", Message: "missing API key: send it as x-api-key or Authorization: Bearer"}
	errConflictKey = &Error{Status: 401, Code: "invalid_api_key", Message: "conflicting API keys in x-api-key and Authorization"}
	errBadKey      = &Error{Status: 401, Code: "invalid_api_key", Message: "invalid API key"}
	errKeyDisabled = &Error{Status: 401, Code: "key_disabled", Message: "API key is disabled"}
	errKeyExpired  = &Error{Status: 401, Code: "key_expired", Message: "API key has expired"}
	errUserOff     = &Error{Status: 401, Code: "user_disabled", Message: "user is disabled"}
	errUserExpired = &Error{Status: 401, Code: "user_expired", Message: "user has expired"}
)

// checkKey validates a resolved key and its user at time now.
func checkKey(k *catalog.Key, u *catalog.User, now time.Time) *Error {
	switch {
	case k == nil || u == nil:
		return errBadKey
	case !k.Enabled:
		return errKeyDisabled
	case !k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt):
		return errKeyExpired
	case !u.Enabled:
		return errUserOff
	case !u.ExpiresAt.IsZero() && !now.Before(u.ExpiresAt):
		return errUserExpired
	}
	return nil
}
