package sse

import (
	"errors"
	"io"
)

// ErrClosed is returned by Read after Close.
var ErrClosed = errors.New("sse: read from closed tap")

// Tap relays an upstream SSE body unchanged while scanning it for events. It is meant to be
// handed to hertz as `c.Response.SetBodyStream(tap, -1)`: hertz then writes each Read's bytes
// as one chunk and flushes it, so the client sees every upstream read as soon as it arrives and
// the hub neither buffers nor re-encodes the stream. Read fills the caller's buffer straight
// from upstream and scans those same bytes in place, so relaying costs one copy (the one the
// upstream reader makes) and no allocation per chunk.
//
// Closing: hertz calls Close when it is done with the body (after EOF, an error or a client
// disconnect), from the goroutine that was reading. Close releases the scanner's buffers and,
// if the upstream reader is an io.Closer, closes it once. A hertz client body stream's Close
// drains the rest of the upstream response, so on client abort the gateway must ForceClose the
// upstream stream itself (for example from a goroutine watching ctx.Done()), which also
// unblocks a pending Read; pass a reader that is not an io.Closer if the gateway wants to close
// upstream on its own. To act when the stream ends (settle usage), embed Tap in a struct whose
// Close calls Tap.Close first; the handler's state is complete by then.
//
// A Tap is not safe for concurrent use: Read and Close must not run at the same time. A Tap can
// be embedded by value and reused with Reset.
type Tap struct {
	r      io.Reader
	sc     Scanner
	n      int64
	eof    bool
	closed bool
}

// NewTap returns a Tap relaying r and reporting its events to h (which may be nil).
func NewTap(r io.Reader, h Handler) *Tap {
	t := &Tap{}
	t.Reset(r, h)
	return t
}

// Reset prepares t to relay a new stream, keeping its scanner's buffers if it still has them.
func (t *Tap) Reset(r io.Reader, h Handler) {
	t.r, t.n, t.eof, t.closed = r, 0, false, false
	t.sc.Reset(h)
}

// Read reads from upstream into p, scans the bytes read, and returns them unchanged. At
// upstream EOF it flushes the scanner, so an event lacking its final blank line still counts.
func (t *Tap) Read(p []byte) (int, error) {
	if t.closed {
		return 0, ErrClosed
	}
	n, err := t.r.Read(p)
	if n > 0 {
		t.n += int64(n)
		t.sc.Feed(p[:n])
	}
	if err == io.EOF && !t.eof {
		t.eof = true
		t.sc.Flush()
	}
	return n, err
}

// Close releases the scanner's buffers and closes the upstream reader if it is an io.Closer.
// Only the first call does anything; the handler is never called after Close.
func (t *Tap) Close() error {
	if t.closed {
		return nil
	}
	t.closed = true
	t.sc.Release()
	r := t.r
	t.r = nil
	t.sc.h = nil
	if c, ok := r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// Forwarded returns the number of bytes relayed so far.
func (t *Tap) Forwarded() int64 { return t.n }

// EOF reports whether upstream ended normally (Read saw io.EOF), as opposed to an error or a
// Close before the end.
func (t *Tap) EOF() bool { return t.eof }
