package usage

import (
	"strconv"
	"strings"
)

// slot names one spelling of a token count that some upstream reports. Each spelling has its
// own slot, so that the format mapping (convert.go) decides which spelling wins and whether
// cached tokens are a subset of the input; the walker below only records what is there.
type slot uint8

const (
	sInputTokens             slot = iota // input_tokens (Anthropic, Responses)
	sOutputTokens                        // output_tokens (Anthropic, Responses)
	sCacheCreationInput                  // cache_creation_input_tokens
	sCacheReadInput                      // cache_read_input_tokens
	sEphemeral5m                         // cache_creation.ephemeral_5m_input_tokens
	sEphemeral1h                         // cache_creation.ephemeral_1h_input_tokens
	sFlat5m                              // cache_creation_5m_input_tokens (relays)
	sFlat1h                              // cache_creation_1h_input_tokens (relays)
	sClaude5m                            // claude_cache_creation_5_m_tokens (relays)
	sClaude1h                            // claude_cache_creation_1_h_tokens (relays)
	sPromptTokens                        // prompt_tokens (Chat)
	sCompletionTokens                    // completion_tokens (Chat)
	sPromptCached                        // prompt_tokens_details.cached_tokens
	sPromptCacheWrite                    // prompt_tokens_details.cache_write_tokens (relays)
	sInputCached                         // input_tokens_details.cached_tokens (Responses)
	sInputCacheWrite                     // input_tokens_details.cache_write_tokens (relays)
	sPromptTokenCount                    // promptTokenCount (Gemini)
	sCandidatesTokenCount                // candidatesTokenCount (Gemini)
	sCachedContentTokenCount             // cachedContentTokenCount (Gemini)
	sThoughtsTokenCount                  // thoughtsTokenCount (Gemini)
	nSlots

	// Objects inside a usage object whose members are read.
	oCacheCreation // cache_creation
	oPromptDetails // prompt_tokens_details
	oInputDetails  // input_tokens_details

	sNone slot = 255
)

// counts are the numbers found in one usage object.
type counts struct {
	v   [nSlots]int64
	set uint32 // bit s: slot s held a usable number
}

func (c *counts) has(s slot) bool { return c.set&(1<<s) != 0 }

// first returns the value of the first of the given spellings that is present.
func (c *counts) first(slots ...slot) (int64, bool) {
	for _, s := range slots {
		if c.has(s) {
			return c.v[s], true
		}
	}
	return 0, false
}

func topSlot(key string) slot {
	switch key {
	case "input_tokens":
		return sInputTokens
	case "output_tokens":
		return sOutputTokens
	case "cache_creation_input_tokens":
		return sCacheCreationInput
	case "cache_read_input_tokens":
		return sCacheReadInput
	case "cache_creation":
		return oCacheCreation
	case "cache_creation_5m_input_tokens":
		return sFlat5m
	case "cache_creation_1h_input_tokens":
		return sFlat1h
	case "claude_cache_creation_5_m_tokens":
		return sClaude5m
	case "claude_cache_creation_1_h_tokens":
		return sClaude1h
	case "prompt_tokens":
		return sPromptTokens
	case "completion_tokens":
		return sCompletionTokens
	case "prompt_tokens_details":
		return oPromptDetails
	case "input_tokens_details":
		return oInputDetails
	case "promptTokenCount":
		return sPromptTokenCount
	case "candidatesTokenCount":
		return sCandidatesTokenCount
	case "cachedContentTokenCount":
		return sCachedContentTokenCount
	case "thoughtsTokenCount":
		return sThoughtsTokenCount
	}
	return sNone
}

func nestedSlot(parent slot, key string) slot {
	switch parent {
	case oCacheCreation:
		switch key {
		case "ephemeral_5m_input_tokens":
			return sEphemeral5m
		case "ephemeral_1h_input_tokens":
			return sEphemeral1h
		}
	case oPromptDetails:
		switch key {
		case "cached_tokens":
			return sPromptCached
		case "cache_write_tokens":
			return sPromptCacheWrite
		}
	case oInputDetails:
		switch key {
		case "cached_tokens":
			return sInputCached
		case "cache_write_tokens":
			return sInputCacheWrite
		}
	}
	return sNone
}

// scanCounts reads the counts of one usage object in a single pass.
//
// Why not sonic: raw has already been located and validated by sonic, and looking each of a
// dozen spellings up with sonic's searcher costs a walk of the object per spelling (about 2.5µs
// per event, measured); this walk reads it once, in about a tenth of that, without allocating.
// Its answers are pinned to sonic's (first occurrence of a key wins, a non-number value counts
// as absent, numbers parse as sonic's Node.Int64 does) by TestScanCountsMatchesSonic and
// FuzzScanCounts. It never panics or loops on malformed input; it stops reading instead.
func scanCounts(raw string) counts {
	w := walker{s: raw}
	if i := skipWS(raw, 0); i < len(raw) && raw[i] == '{' {
		w.members(i+1, sNone)
	}
	return w.c
}

type walker struct {
	s    string
	c    counts
	seen uint32 // slots and objects already met: later duplicates are ignored, as sonic does
}

func (w *walker) once(s slot) bool {
	if w.seen&(1<<s) != 0 {
		return false
	}
	w.seen |= 1 << s
	return true
}

// members reads an object's members from i (just past its '{') and returns the index past its
// '}', or len(s) if the text is malformed.
func (w *walker) members(i int, parent slot) int {
	s := w.s
	for {
		i = skipWS(s, i)
		if i >= len(s) {
			return len(s)
		}
		switch s[i] {
		case '}':
			return i + 1
		case ',':
			i++
			continue
		case '"':
		default:
			return len(s)
		}
		key, escaped, next := stringAt(s, i)
		if escaped {
			key = unescape(key)
		}
		i = skipWS(s, next)
		if i >= len(s) || s[i] != ':' {
			return len(s)
		}
		i = skipWS(s, i+1)
		if i >= len(s) {
			return len(s)
		}
		sl := sNone
		if key != "" {
			if parent == sNone {
				sl = topSlot(key)
			} else {
				sl = nestedSlot(parent, key)
			}
		}
		switch {
		case sl == sNone || !w.once(sl):
			i = skipValue(s, i)
		case sl >= nSlots: // an object we read, at depth 1 only (nestedSlot returns none)
			if s[i] == '{' {
				i = w.members(i+1, sl)
			} else {
				i = skipValue(s, i)
			}
		default:
			end := skipValue(s, i)
			if n, ok := parseCount(s[i:end]); ok {
				w.c.v[sl] = n
				w.c.set |= 1 << sl
			}
			i = end
		}
	}
}

// stringAt reads the string starting at s[i] == '"'. It returns its raw contents, whether
// they contain escapes, and the index past the closing quote (len(s) if there is none).
func stringAt(s string, i int) (string, bool, int) {
	start := i + 1
	for j := start; j < len(s); {
		k := strings.IndexByte(s[j:], '"')
		if k < 0 {
			break
		}
		q := j + k
		// The quote is escaped when an odd run of backslashes precedes it.
		b := q
		for b > start && s[b-1] == '\\' {
			b--
		}
		if (q-b)%2 == 0 {
			return s[start:q], strings.IndexByte(s[start:q], '\\') >= 0, q + 1
		}
		j = q + 1
	}
	return "", false, len(s)
}

// unescape decodes the contents of a JSON string well enough to compare it with our ASCII key
// names: anything that decodes outside ASCII, or is malformed, returns "" and matches nothing.
// No upstream escapes its keys; this exists so the walker agrees with sonic on every input.
func unescape(raw string) string {
	b := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			b = append(b, c)
			continue
		}
		if i++; i >= len(raw) {
			return ""
		}
		switch raw[i] {
		case '"', '\\', '/':
			b = append(b, raw[i])
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			if i+4 >= len(raw) {
				return ""
			}
			r, err := strconv.ParseUint(raw[i+1:i+5], 16, 16)
			if err != nil || r >= 0x80 {
				return ""
			}
			b = append(b, byte(r))
			i += 4
		default:
			return ""
		}
	}
	return string(b)
}

// skipValue returns the index just past the JSON value starting at s[i].
func skipValue(s string, i int) int {
	if i >= len(s) {
		return len(s)
	}
	switch s[i] {
	case '"':
		_, _, end := stringAt(s, i)
		return end
	case '{', '[':
		depth := 0
		for j := i; j < len(s); j++ {
			switch s[j] {
			case '"':
				_, _, end := stringAt(s, j)
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return len(s)
	}
	// A number or a literal: up to the next delimiter.
	j := i
	for j < len(s) {
		switch s[j] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return j
		}
		j++
	}
	return j
}

// parseCount converts a JSON number token the way sonic's Node.Int64 does (as an integer, else
// as a float truncated toward zero), reading negative counts as zero so that garbage can never
// reduce a bill. Anything else (a string, null, an object) is not a count.
func parseCount(tok string) (int64, bool) {
	if n, ok := smallCount(tok); ok {
		return n, true
	}
	if tok == "" || (tok[0] != '-' && (tok[0] < '0' || tok[0] > '9')) {
		return 0, false
	}
	if n, err := strconv.ParseInt(tok, 10, 64); err == nil {
		return max(n, 0), true
	}
	f, err := strconv.ParseFloat(tok, 64)
	if err != nil {
		return 0, false
	}
	return max(int64(f), 0), true
}

// smallCount parses the common case, a non-negative integer of up to 18 digits (which cannot
// overflow), without strconv, whose failures allocate an error.
func smallCount(tok string) (int64, bool) {
	if tok == "" || len(tok) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(tok); i++ {
		d := tok[i]
		if d < '0' || d > '9' {
			return 0, false
		}
		n = n*10 + int64(d-'0')
	}
	return n, true
}

// skipWS returns the index of the first byte at or after i that is not JSON whitespace.
func skipWS(s string, i int) int {
	for i < len(s) {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}
