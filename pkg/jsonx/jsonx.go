// Package jsonx is the project's one JSON package: a thin wrapper over sonic so that no other
// package imports encoding/json, and the configuration is chosen in one place.
package jsonx

import (
	"io"

	"github.com/bytedance/sonic"
)

// api is sonic's standard-compatible config without HTML escaping and without key sorting:
// it keeps "<system-reminder>" as written and is the fast path for our own structs.
var api = sonic.Config{
	EscapeHTML:       false,
	SortMapKeys:      false,
	CompactMarshaler: true,
	CopyString:       true,
	ValidateString:   true,
	UseInt64:         true,
}.Froze()

// Marshal encodes v as JSON.
func Marshal(v any) ([]byte, error) { return api.Marshal(v) }

// MarshalIndent encodes v as indented JSON.
func MarshalIndent(v any, prefix, indent string) ([]byte, error) {
	return api.MarshalIndent(v, prefix, indent)
}

// Unmarshal decodes data into v.
func Unmarshal(data []byte, v any) error { return api.Unmarshal(data, v) }

// Valid reports whether data is valid JSON.
func Valid(data []byte) bool { return api.Valid(data) }

// NewDecoder returns a streaming decoder reading from r.
func NewDecoder(r io.Reader) sonic.Decoder { return api.NewDecoder(r) }

// NewEncoder returns a streaming encoder writing to w.
func NewEncoder(w io.Writer) sonic.Encoder { return api.NewEncoder(w) }

// RawMessage is a raw encoded JSON value, as in encoding/json.
type RawMessage = sonic.NoCopyRawMessage
