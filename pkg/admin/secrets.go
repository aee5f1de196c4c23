package admin

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
)

// Client keys are "sk-" + 32 hex digits (128 random bits), the format Claude Code Hub uses so
// its users' tooling keeps working. 128 bits make brute force hopeless, so a fast hash (SHA-256)
// is enough at rest; a slow KDF would only slow the gateway's lookups.
const clientKeyPrefix = "sk-"

func newClientKey() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return clientKeyPrefix + hex.EncodeToString(b[:]), nil
}

// hashSecret is the hex SHA-256 stored for client keys and session ids.
func hashSecret(s string) string {
	d := sha256.Sum256([]byte(s))
	return hex.EncodeToString(d[:])
}

func digest(s string) [32]byte { return sha256.Sum256([]byte(s)) }

// isAdminToken compares tok with the configured admin token in constant time. Both sides are
// hashed first, so the comparison is always 32 bytes and the token's length does not leak. An
// unset admin token matches nothing.
func (a *API) isAdminToken(tok string) bool {
	if a.cfg.AdminToken == "" || tok == "" {
		return false
	}
	d := digest(tok)
	return subtle.ConstantTimeCompare(d[:], a.adminDigest[:]) == 1
}

// keyDisplayPrefix is the form lists show: "sk-1a2b…9f0e" (first and last four hex digits,
// 32 bits of the 128, too few to help guessing).
func keyDisplayPrefix(key string) string {
	body := key[len(clientKeyPrefix):]
	return clientKeyPrefix + body[:4] + "…" + body[len(body)-4:]
}

// maskUpstreamKey shows enough of a provider key to recognise it ("sk-a…wxyz") and nothing for
// short keys, where eight characters would be most of the secret.
func maskUpstreamKey(key string) string {
	if len(key) < 16 {
		return "****"
	}
	return key[:4] + "…" + key[len(key)-4:]
}

// newSessionID is an opaque web-login id: 32 random bytes, base64url without padding.
func newSessionID() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}
