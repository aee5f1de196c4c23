// Package secretbox encrypts upstream provider keys at rest with AES-256-GCM when SECRET_KEY is
// configured. The ent schema's value scanner calls Seal on every write and Open on every read, so
// the rest of the hub only ever sees plaintext in memory and ciphertext in the database.
//
// The box is process-wide because ent's value scanners are static schema code; Configure is
// called once at start, before the store is used.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"sync/atomic"
)

// Prefix marks an encrypted value; anything else is stored plaintext (no secret configured, or
// written before one was).
const Prefix = "enc:v1:"

// ErrNoSecret is returned when an encrypted value is read without SECRET_KEY.
var ErrNoSecret = errors.New("provider keys are encrypted: set SECRET_KEY to the value used when they were saved")

// ErrWrongSecret is returned when a value does not decrypt with the configured secret.
var ErrWrongSecret = errors.New("provider keys do not decrypt with this SECRET_KEY")

var current atomic.Pointer[cipher.AEAD]

// Configure sets the process-wide secret; an empty secret turns encryption off.
func Configure(secret string) {
	if secret == "" {
		current.Store(nil)
		return
	}
	key := sha256.Sum256([]byte(secret))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		panic(err) // a 32-byte key never fails
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	current.Store(&aead)
}

// Enabled reports whether a secret is configured.
func Enabled() bool { return current.Load() != nil }

// Seal encrypts plain when a secret is configured and returns it unchanged otherwise.
func Seal(plain string) (string, error) {
	a := current.Load()
	if a == nil || plain == "" {
		return plain, nil
	}
	aead := *a
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	sealed := aead.Seal(nonce, nonce, []byte(plain), nil)
	return Prefix + base64.RawStdEncoding.EncodeToString(sealed), nil
}

// Open decrypts a value written by Seal; plaintext values pass through.
func Open(stored string) (string, error) {
	if !strings.HasPrefix(stored, Prefix) {
		return stored, nil
	}
	a := current.Load()
	if a == nil {
		return "", ErrNoSecret
	}
	aead := *a
	raw, err := base64.RawStdEncoding.DecodeString(stored[len(Prefix):])
	if err != nil || len(raw) < aead.NonceSize() {
		return "", ErrWrongSecret
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], nil)
	if err != nil {
		return "", ErrWrongSecret
	}
	return string(plain), nil
}
