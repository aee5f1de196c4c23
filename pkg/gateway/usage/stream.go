// Package usage extracts token usage from upstream responses of every wire format, streamed
// (as an sse.Handler fed by the gateway's tap) or whole, into billing.Usage.
//
// Streams are parsed on the hot path, so a Stream decides from the event name, or a byte-level
// prefilter, whether an event can carry usage at all; only those events are searched with
// sonic, and even then nothing is decoded beyond the counts. Content deltas cost a string
// compare or one memchr-speed scan, and no event allocates.
package usage

import (
	"github.com/cchub/cchub/pkg/billing"
	"github.com/cchub/cchub/pkg/gateway/catalog"
	"github.com/cchub/cchub/pkg/gateway/sse"
)

// Paths looked up in events, built once so that lookups do not allocate.
var (
	pathType                  = []any{"type"}
	pathModel                 = []any{"model"}
	pathUsage                 = []any{"usage"}
	pathMessageUsage          = []any{"message", "usage"}
	pathMessageModel          = []any{"message", "model"}
	pathResponseUsage         = []any{"response", "usage"}
	pathResponseModel         = []any{"response", "model"}
	pathUsageMetadata         = []any{"usageMetadata"}
	pathResponseUsageMetadata = []any{"response", "usageMetadata"} // Gemini Code Assist wraps chunks
	pathModelVersion          = []any{"modelVersion"}
	pathResponseModelVersion  = []any{"response", "modelVersion"}
)

// Stream collects the usage of one streamed response. Feed it through sse.Tap (it is an
// sse.Handler), then read Usage and Model once the stream has ended. It is not safe for
// concurrent use; reuse it (for example from a sync.Pool) with Reset.
//
// Per format:
//   - Anthropic: message_start's message.usage (input, cache write with its 5m/1h split, cache
//     read) merged with message_delta's usage (output, last wins; non-zero input and cache
//     counts from relays that report them there).
//   - Responses: response.usage of response.completed, .done, .incomplete or .failed.
//   - Chat: the top-level usage of any chunk (the last non-null one wins; OpenAI sends it in
//     a final chunk when stream_options.include_usage is set).
//   - Gemini: usageMetadata, which every chunk repeats cumulatively; the last one wins.
//
// Events without an event: line (some relays strip them) are recognised by their payload.
type Stream struct {
	format     catalog.Format
	usage      billing.Usage
	seen       bool
	model      []byte // kept as bytes and reused across Resets; Model converts once
	modelTried bool
	f          finder
}

var _ sse.Handler = (*Stream)(nil)

// NewStream returns a Stream for a response in the given format.
func NewStream(format catalog.Format) *Stream { return &Stream{format: format} }

// Reset clears s for a new response in the given format, keeping its buffers.
func (s *Stream) Reset(format catalog.Format) {
	*s = Stream{format: format, model: s.model[:0]}
}

// Usage returns the usage seen so far, with the cache-creation TTL buckets made consistent
// (CacheCreationTokens == CacheCreation5mTokens + CacheCreation1hTokens).
func (s *Stream) Usage() billing.Usage { return normalize(s.usage) }

// Seen reports whether any usage object was found. A stream cut short may have only part of
// its usage (Anthropic's input without the final output, for instance).
func (s *Stream) Seen() bool { return s.seen }

// Model returns the model the upstream says answered, or "" if the stream did not say. It
// allocates, so call it once, when the stream is done.
func (s *Stream) Model() string { return string(s.model) }

// OnEvent implements sse.Handler.
func (s *Stream) OnEvent(event, data []byte) {
	switch s.format {
	case catalog.FormatAnthropic:
		s.anthropic(event, data)
	case catalog.FormatResponses:
		s.responses(event, data)
	case catalog.FormatChat:
		s.chat(data)
	case catalog.FormatGemini:
		s.gemini(data)
	}
}

func (s *Stream) anthropic(event, data []byte) {
	src, kind := text(data), text(event)
	if kind == "" {
		if !mayHaveKey(data, keyUsage) {
			return
		}
		kind, _ = s.f.str(src, pathType)
	}
	switch kind {
	case "message_start":
		if raw, ok := s.f.object(src, pathMessageUsage); ok {
			c := scanCounts(raw)
			mergeAnthropic(&s.usage, &c)
			s.seen = true
		}
		s.setModel(src, pathMessageModel)
	case "message_delta":
		if raw, ok := s.f.object(src, pathUsage); ok {
			c := scanCounts(raw)
			mergeAnthropic(&s.usage, &c)
			s.seen = true
		}
	}
}

func (s *Stream) responses(event, data []byte) {
	switch string(event) {
	case "response.completed", "response.done", "response.incomplete", "response.failed":
	case "":
		// response.created and .in_progress carry "usage":null, which the prefilter rejects.
		if !mayHaveKey(data, keyUsage) {
			return
		}
	default:
		return
	}
	src := text(data)
	if raw, ok := s.f.object(src, pathResponseUsage); ok {
		c := scanCounts(raw)
		s.usage = openAIUsage(&c)
		s.seen = true
		s.setModel(src, pathResponseModel)
	}
}

func (s *Stream) chat(data []byte) {
	if i := skipWS(text(data), 0); i == len(data) || data[i] != '{' {
		return // "[DONE]"
	}
	src := text(data)
	if !s.modelTried {
		// Every chunk names the model; reading it from the first one is a once-per-stream cost.
		s.modelTried = true
		s.setModel(src, pathModel)
	}
	if !mayHaveKey(data, keyUsage) {
		return
	}
	if raw, ok := s.f.object(src, pathUsage); ok {
		c := scanCounts(raw)
		s.usage = openAIUsage(&c)
		s.seen = true
		s.setModel(src, pathModel)
	}
}

func (s *Stream) gemini(data []byte) {
	if !mayHaveKey(data, keyUsageMetadata) {
		return
	}
	src := text(data)
	if u, ok := s.f.gemini(src); ok {
		s.usage = u
		s.seen = true
		if !s.setModel(src, pathModelVersion) {
			s.setModel(src, pathResponseModelVersion)
		}
	}
}

// gemini reads the usage of one Gemini response object, bare or wrapped in "response".
func (f *finder) gemini(src string) (billing.Usage, bool) {
	raw, ok := f.object(src, pathUsageMetadata)
	if !ok {
		if raw, ok = f.object(src, pathResponseUsageMetadata); !ok {
			return billing.Usage{}, false
		}
	}
	c := scanCounts(raw)
	return geminiUsage(&c), true
}

// setModel records the model at path unless one is already known.
func (s *Stream) setModel(src string, path []any) bool {
	if len(s.model) > 0 {
		return true
	}
	m, ok := s.f.str(src, path)
	if ok && m != "" {
		s.model = append(s.model[:0], m...)
		return true
	}
	return false
}
