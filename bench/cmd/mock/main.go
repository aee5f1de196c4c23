// Command mock is the bench's stand-in AI provider: pkg/fakeupstream as a process of its own, so
// the bench can measure its CPU apart from the hub's and the load generator's. It answers
// Anthropic Messages, OpenAI Responses and Chat Completions as JSON or SSE, instantly unless
// told to wait, and prints its URL on stdout.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/cchub/cchub/pkg/fakeupstream"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	chunks := flag.Int("chunks", 8, "text deltas per stream (the JSON answer carries their concatenation)")
	size := flag.Int("size", 32, "bytes of text per delta")
	delay := flag.Duration("delay", 0, "pause before each stream event after the first")
	firstByte := flag.Duration("first-byte-delay", 0, "pause before the response headers")
	inTok := flag.Int("input-tokens", 120, "input tokens reported in usage (non-zero, so the hub prices every request)")
	outTok := flag.Int("output-tokens", 40, "output tokens reported in usage")
	flag.Parse()
	if *size < 1 || *chunks < 1 {
		fmt.Fprintln(os.Stderr, "mock: -size and -chunks must be at least 1")
		os.Exit(2)
	}

	srv, err := fakeupstream.StartOn(*addr, fakeupstream.Options{
		Chunks:         *chunks,
		Delay:          *delay,
		FirstByteDelay: *firstByte,
		InputTokens:    *inTok,
		OutputTokens:   *outTok,
		Text:           text(*size),
	}, false)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mock:", err)
		os.Exit(1)
	}
	// The bench waits for this exact line.
	fmt.Printf("mock listening on %s\n", srv.URL)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	<-ctx.Done()
	stop()
	_ = srv.Close()
}

// text is n bytes of plain words: nothing JSON needs to escape, so the body size is exactly what
// the flags say.
func text(n int) string {
	const words = "lorem ipsum dolor sit amet consectetur adipiscing elit "
	return strings.Repeat(words, n/len(words)+1)[:n]
}
