// Package sse scans Server-Sent Events as they stream past, without buffering the stream and
// without allocating per chunk. The gateway relays upstream SSE bytes unchanged (see Tap) and
// only needs to look at the events, for example to read token usage; it never re-encodes them.
package sse

import "bytes"

// MaxLineSize is the longest line, and the largest event data, that the scanner parses.
// Longer lines are still forwarded by a Tap but are skipped by the parser, so one hostile or
// broken upstream line cannot make the hub hold an unbounded buffer.
const MaxLineSize = 1 << 20

// Handler receives each dispatched event.
type Handler interface {
	// OnEvent is called once per event, at the blank line that ends it. event is the value of
	// the event's last "event:" field (empty when it had none; the SSE default type "message"
	// is not filled in). data is the event's "data:" lines joined by "\n". Both slices alias
	// the scanner's or the caller's buffers and are valid only during the call: copy what you
	// keep.
	OnEvent(event, data []byte)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(event, data []byte)

// OnEvent calls f(event, data).
func (f HandlerFunc) OnEvent(event, data []byte) { f(event, data) }

// bom is the UTF-8 byte-order mark, which the SSE specification allows at the start of a stream.
var bom = []byte("\xEF\xBB\xBF")

// Scanner splits a byte stream, fed in arbitrary chunks, into SSE lines and events, following
// the WHATWG event-stream rules: lines end in "\n", "\r\n" or a lone "\r"; "data:" lines of one
// event are joined with "\n"; a blank line dispatches the event and clears its type; lines
// starting with ":" are comments; "id", "retry" and unknown fields are ignored; a single space
// after the colon is dropped.
//
// It copies nothing in the common case: when an event's data line lies within one fed chunk,
// the handler sees a sub-slice of that chunk. Only bytes that must outlive a Feed call (a line
// split across chunks, an event whose blank line has not arrived yet, the event name) are copied
// into pooled buffers that are reused for the life of the stream, so steady-state feeding does
// not allocate.
//
// The zero value is ready to use with no handler; a Scanner is not safe for concurrent use.
type Scanner struct {
	h       Handler
	maxLine int      // 0 means MaxLineSize; tests lower it to reach the overlong paths
	buf     *buffers // nil until something must be kept across Feed calls

	overlong bool // the unterminated line in progress exceeded maxLine and is being discarded
	skipLF   bool // the last chunk ended in "\r": a "\n" starting the next one ends no new line
	started  bool // a line has been completed, so a BOM is no longer stripped

	hasData   bool   // the pending event has at least one data line
	dropData  bool   // the pending event's data exceeded maxLine; it will not be dispatched
	dataOwned bool   // the pending data lives in buf.data rather than dataRef
	dataRef   []byte // the pending data when it is one line of the chunk being fed
}

// NewScanner returns a scanner that reports events to h.
func NewScanner(h Handler) *Scanner { return &Scanner{h: h} }

// Reset prepares s for a new stream reporting to h. It keeps its buffers, so a reused Scanner
// does not allocate again.
func (s *Scanner) Reset(h Handler) {
	buf, maxLine := s.buf, s.maxLine
	*s = Scanner{h: h, buf: buf, maxLine: maxLine}
	if buf != nil {
		buf.reset()
	}
}

// Feed scans p, the next chunk of the stream. Complete events are reported before it returns.
// p is not modified or retained.
func (s *Scanner) Feed(p []byte) {
	if s.skipLF && len(p) > 0 {
		s.skipLF = false
		if p[0] == '\n' {
			p = p[1:]
		}
	}
	// Most streams end lines in "\n" only; one vectorised look for "\r" per chunk lets those
	// use a single IndexByte per line.
	cr := bytes.IndexByte(p, '\r') >= 0
	for len(p) > 0 {
		var i int
		if cr {
			i = indexEOL(p)
		} else {
			i = bytes.IndexByte(p, '\n')
		}
		if i < 0 {
			s.carry(p)
			break
		}
		line := p[:i]
		next := i + 1
		if p[i] == '\r' {
			if next == len(p) {
				s.skipLF = true
			} else if p[next] == '\n' {
				next++
			}
		}
		p = p[next:]
		s.complete(line)
	}
	s.detach()
}

// Flush ends the stream: a final line without a line end is parsed, and a pending event whose
// blank line never came is dispatched. The specification would discard that event, but by then
// the bytes have been relayed to the client, so for accounting it is better counted than lost.
// The scanner can be fed again afterwards as a fresh stream.
func (s *Scanner) Flush() {
	if s.overlong {
		s.overlong = false
		s.started = true
	} else if s.buf != nil && len(s.buf.line) > 0 {
		s.process(s.buf.line, false)
		s.buf.line = s.buf.line[:0]
	}
	s.skipLF = false
	s.dispatch()
	s.started = false
}

// Release returns the scanner's buffers to the pool. The scanner stays usable (it takes buffers
// again when needed), but any partial line or pending event is forgotten.
func (s *Scanner) Release() {
	if s.buf != nil {
		putBuffers(s.buf)
		s.buf = nil
	}
	s.overlong, s.skipLF = false, false
	s.hasData, s.dropData, s.dataOwned, s.dataRef = false, false, false, nil
}

func (s *Scanner) limit() int {
	if s.maxLine > 0 {
		return s.maxLine
	}
	return MaxLineSize
}

func (s *Scanner) buffers() *buffers {
	if s.buf == nil {
		s.buf = getBuffers()
	}
	return s.buf
}

// carry keeps the unterminated tail of a chunk until its line end arrives.
func (s *Scanner) carry(p []byte) {
	if s.overlong {
		return
	}
	b := s.buffers()
	if len(b.line)+len(p) > s.limit() {
		s.overlong = true
		b.line = b.line[:0]
		return
	}
	b.line = append(b.line, p...)
}

// complete handles a line whose end has just been seen; line is its part in the current chunk.
func (s *Scanner) complete(line []byte) {
	switch {
	case s.overlong:
		s.overlong = false
		s.started = true
	case s.buf != nil && len(s.buf.line) > 0:
		b := s.buf
		if len(b.line)+len(line) > s.limit() {
			s.started = true
		} else {
			b.line = append(b.line, line...)
			s.process(b.line, false)
		}
		b.line = b.line[:0]
	case len(line) > s.limit():
		s.started = true
	default:
		s.process(line, true)
	}
}

// process interprets one complete line. inChunk reports that line aliases the chunk being fed,
// so data may be referenced rather than copied until the Feed call ends.
func (s *Scanner) process(line []byte, inChunk bool) {
	if !s.started {
		s.started = true
		line = bytes.TrimPrefix(line, bom)
	}
	if len(line) == 0 {
		s.dispatch()
		return
	}
	if line[0] == ':' {
		return
	}
	name, value := line, line[len(line):]
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		name, value = line[:i], line[i+1:]
		if len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
	}
	switch string(name) {
	case "data":
		s.appendData(value, inChunk)
	case "event":
		b := s.buffers()
		b.event = append(b.event[:0], value...)
	}
}

func (s *Scanner) appendData(value []byte, inChunk bool) {
	if s.dropData {
		return
	}
	if !s.hasData {
		s.hasData = true
		if inChunk {
			s.dataRef = value
			return
		}
		b := s.buffers()
		b.data = append(b.data[:0], value...)
		s.dataOwned = true
		return
	}
	b := s.buffers()
	if !s.dataOwned {
		b.data = append(b.data[:0], s.dataRef...)
		s.dataOwned, s.dataRef = true, nil
	}
	if len(b.data)+1+len(value) > s.limit() {
		s.dropData = true
		b.data = b.data[:0]
		return
	}
	b.data = append(b.data, '\n')
	b.data = append(b.data, value...)
}

// dispatch reports the pending event, if any, and starts a new one.
func (s *Scanner) dispatch() {
	if s.hasData && !s.dropData && s.h != nil {
		data := s.dataRef
		var event []byte
		if s.buf != nil {
			event = s.buf.event
			if s.dataOwned {
				data = s.buf.data
			}
		}
		s.h.OnEvent(event, data)
	}
	s.hasData, s.dropData, s.dataOwned, s.dataRef = false, false, false, nil
	if s.buf != nil {
		s.buf.event = s.buf.event[:0]
		s.buf.data = s.buf.data[:0]
	}
}

// detach copies pending data that still points into the chunk, which the caller may reuse as
// soon as Feed returns.
func (s *Scanner) detach() {
	if s.hasData && !s.dataOwned && !s.dropData {
		b := s.buffers()
		b.data = append(b.data[:0], s.dataRef...)
		s.dataOwned, s.dataRef = true, nil
	}
}

// indexEOL returns the index of the first "\r" or "\n" in p, or -1.
func indexEOL(p []byte) int {
	n := bytes.IndexByte(p, '\n')
	end := n
	if n < 0 {
		end = len(p)
	}
	if r := bytes.IndexByte(p[:end], '\r'); r >= 0 {
		return r
	}
	return n
}
