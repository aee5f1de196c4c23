package sse

import "sync"

// buffers holds what a Scanner must keep across Feed calls. They are pooled per stream rather
// than per chunk: a relayed stream takes one set and grows it to its longest line once, after
// which feeding is allocation-free.
type buffers struct {
	line  []byte // the start of a line whose end has not arrived
	data  []byte // the pending event's data, once it cannot alias the chunk
	event []byte // the pending event's name
}

// maxPooled bounds the buffer capacity kept in the pool: an occasional huge event (a
// Responses "response.completed" carrying a long answer) should not pin its buffers in every
// pooled set forever.
const maxPooled = 256 << 10

var bufPool = sync.Pool{New: func() any { return new(buffers) }}

func getBuffers() *buffers { return bufPool.Get().(*buffers) }

func putBuffers(b *buffers) {
	if cap(b.line)+cap(b.data)+cap(b.event) > maxPooled {
		return
	}
	b.reset()
	bufPool.Put(b)
}

func (b *buffers) reset() {
	b.line, b.data, b.event = b.line[:0], b.data[:0], b.event[:0]
}
