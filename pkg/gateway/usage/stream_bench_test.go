package usage

import (
	"bytes"
	"io"
	"testing"

	"github.com/cchub/cchub/pkg/gateway/catalog"
	"github.com/cchub/cchub/pkg/gateway/sse"
)

// growStream builds a stream of at least size bytes from a fixture: its events in order, with
// the first event containing marker (a content delta) repeated until the size is reached. The
// usage events stay where they are, so the parser does its real per-stream work.
func growStream(b *testing.B, file, marker string, size int) []byte {
	in := fixture(b, file)
	sep := []byte("\n\n")
	if bytes.Contains(in, []byte("\r\n")) {
		sep = []byte("\r\n\r\n")
	}
	i := bytes.Index(in, []byte(marker))
	start := bytes.LastIndex(in[:i], sep) + len(sep) // 0 when the delta is the first event
	if start < len(sep) {
		start = 0
	}
	end := i + bytes.Index(in[i:], sep) + len(sep)
	delta := in[start:end]
	var out bytes.Buffer
	out.Write(in[:end])
	for out.Len()+len(in)-end < size {
		out.Write(delta)
	}
	out.Write(in[end:])
	return out.Bytes()
}

func benchRelay(b *testing.B, format catalog.Format, in []byte, readSize int) {
	src := bytes.NewReader(in)
	st := NewStream(format)
	var tap sse.Tap
	buf := make([]byte, readSize)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		src.Reset(in)
		st.Reset(format)
		tap.Reset(src, st)
		for {
			if _, err := tap.Read(buf); err == io.EOF {
				break
			}
		}
	}
	if !st.Seen() {
		b.Fatal("no usage found")
	}
}

// BenchmarkTapWithUsage relays 64 KiB streams in 4 KiB reads with the usage parser attached.
func BenchmarkTapWithUsage(b *testing.B) {
	for _, c := range []struct {
		name, file, marker string
		format             catalog.Format
	}{
		{"anthropic", "anthropic_stream.sse", "text_delta", catalog.FormatAnthropic},
		{"anthropic-no-event-lines-CRLF", "anthropic_relay_stream.sse", "text_delta", catalog.FormatAnthropic},
		{"responses", "responses_stream.sse", "output_text.delta", catalog.FormatResponses},
		{"chat", "chat_stream.sse", `"content":"Sure"`, catalog.FormatChat},
		{"gemini", "gemini_stream.sse", "usageMetadata field", catalog.FormatGemini},
	} {
		in := growStream(b, c.file, c.marker, 64<<10)
		b.Run(c.name+"/64KiB/4KiB-reads", func(b *testing.B) { benchRelay(b, c.format, in, 4096) })
	}
}

// BenchmarkOnEvent prices single events: what a content delta costs against a usage event.
func BenchmarkOnEvent(b *testing.B) {
	for _, c := range []struct {
		name   string
		format catalog.Format
		file   string
		marker string
	}{
		{"anthropic/text_delta", catalog.FormatAnthropic, "anthropic_stream.sse", "text_delta"},
		{"anthropic/message_start", catalog.FormatAnthropic, "anthropic_stream.sse", "message_start"},
		{"anthropic/message_delta", catalog.FormatAnthropic, "anthropic_stream.sse", `"message_delta"`},
		{"responses/output_text.delta", catalog.FormatResponses, "responses_stream.sse", "output_text.delta"},
		{"responses/completed", catalog.FormatResponses, "responses_stream.sse", "response.completed"},
		{"chat/delta", catalog.FormatChat, "chat_stream.sse", `"content":"Sure"`},
		{"chat/usage", catalog.FormatChat, "chat_stream.sse", `"prompt_tokens"`},
		{"gemini/chunk", catalog.FormatGemini, "gemini_stream.sse", "STOP"},
	} {
		ev := pick(b, c.file, c.marker)
		b.Run(c.name, func(b *testing.B) {
			st := NewStream(c.format)
			b.SetBytes(int64(len(ev.data)))
			b.ReportAllocs()
			for b.Loop() {
				st.OnEvent(ev.event, ev.data)
			}
		})
	}
}

func BenchmarkFromJSON(b *testing.B) {
	for _, c := range []struct {
		file   string
		format catalog.Format
	}{
		{"anthropic.json", catalog.FormatAnthropic},
		{"responses.json", catalog.FormatResponses},
		{"chat.json", catalog.FormatChat},
		{"gemini.json", catalog.FormatGemini},
		{"gemini_array.json", catalog.FormatGemini},
	} {
		body := fixture(b, c.file)
		b.Run(c.file, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				FromJSON(c.format, body)
			}
		})
	}
}
