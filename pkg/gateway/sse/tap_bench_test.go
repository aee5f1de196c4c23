package sse

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// benchStream builds an Anthropic-like stream of at least size bytes, with the given line end.
func benchStream(size int, eol string) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "event: content_block_delta%sdata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"chunk %d of the answer, a few words long\"}}%s%s", eol, i, eol, eol)
	}
	return b.Bytes()
}

func benchTap(b *testing.B, in []byte, readSize int, h Handler) {
	src := bytes.NewReader(in)
	buf := make([]byte, readSize)
	var tap Tap
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		src.Reset(in)
		tap.Reset(src, h)
		for {
			if _, err := tap.Read(buf); err == io.EOF {
				break
			}
		}
	}
}

func BenchmarkTap(b *testing.B) {
	events := 0
	count := HandlerFunc(func(_, _ []byte) { events++ })
	for _, c := range []struct {
		name     string
		eol      string
		readSize int
		h        Handler
	}{
		{"64KiB/4KiB-reads/LF", "\n", 4096, count},
		{"64KiB/4KiB-reads/CRLF", "\r\n", 4096, count},
		{"64KiB/512B-reads/LF", "\n", 512, count},
		{"64KiB/4KiB-reads/no-handler", "\n", 4096, nil},
	} {
		b.Run(c.name, func(b *testing.B) { benchTap(b, benchStream(64<<10, c.eol), c.readSize, c.h) })
	}
}

// BenchmarkCopy is the floor: the same reads with no scanning at all.
func BenchmarkCopy(b *testing.B) {
	in := benchStream(64<<10, "\n")
	src := bytes.NewReader(in)
	buf := make([]byte, 4096)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		src.Reset(in)
		for {
			if _, err := src.Read(buf); err == io.EOF {
				break
			}
		}
	}
}
