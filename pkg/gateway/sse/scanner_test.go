package sse

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

type event struct{ Event, Data string }

// recorder collects events, copying them because the slices die with the call.
type recorder struct{ events []event }

func (r *recorder) OnEvent(ev, data []byte) {
	r.events = append(r.events, event{string(ev), string(data)})
}

// scanChunks feeds chunks to a fresh scanner with the given line limit, then flushes.
func scanChunks(maxLine int, chunks ...[]byte) []event {
	var r recorder
	s := Scanner{h: &r, maxLine: maxLine}
	for _, c := range chunks {
		s.Feed(c)
	}
	s.Flush()
	s.Release()
	return r.events
}

// refParse is an independent, deliberately naive reading of the event-stream rules that the
// scanner must agree with: split the whole input into lines first, then interpret them.
func refParse(in []byte, maxLine int) []event {
	var lines [][]byte
	start := 0
	for i := 0; i < len(in); i++ {
		if c := in[i]; c == '\n' || c == '\r' {
			lines = append(lines, in[start:i])
			if c == '\r' && i+1 < len(in) && in[i+1] == '\n' {
				i++
			}
			start = i + 1
		}
	}
	if start < len(in) {
		lines = append(lines, in[start:]) // Flush parses an unterminated last line
	}
	var (
		out      []event
		name     string
		data     []byte
		has      bool
		dropData bool
	)
	dispatch := func() {
		if has && !dropData {
			out = append(out, event{name, string(data)})
		}
		name, data, has, dropData = "", nil, false, false
	}
	for k, l := range lines {
		if len(l) > maxLine {
			continue
		}
		if k == 0 {
			l = bytes.TrimPrefix(l, bom)
		}
		if len(l) == 0 {
			dispatch()
			continue
		}
		if l[0] == ':' {
			continue
		}
		field, value := string(l), ""
		if i := bytes.IndexByte(l, ':'); i >= 0 {
			field, value = string(l[:i]), strings.TrimPrefix(string(l[i+1:]), " ")
		}
		switch field {
		case "event":
			name = value
		case "data":
			if dropData {
				continue
			}
			if has {
				if len(data)+1+len(value) > maxLine {
					dropData, data = true, nil
					continue
				}
				data = append(data, '\n')
			}
			has = true
			data = append(data, value...)
		}
	}
	dispatch()
	return out
}

var scannerCases = []struct {
	name string
	in   string
	want []event
}{
	{"lf", "event: a\ndata: 1\n\n", []event{{"a", "1"}}},
	{"crlf", "event: a\r\ndata: 1\r\n\r\n", []event{{"a", "1"}}},
	{"cr only", "event: a\rdata: 1\r\r", []event{{"a", "1"}}},
	{"mixed ends", "event: a\r\ndata: 1\r\rdata: 2\n\r\n", []event{{"a", "1"}, {"", "2"}}},
	{"no space after colon", "event:a\ndata:{\"x\":1}\n\n", []event{{"a", `{"x":1}`}}},
	{"only one space dropped", "data:  two\n\n", []event{{"", " two"}}},
	{"no event name", "data: x\n\ndata: y\n\n", []event{{"", "x"}, {"", "y"}}},
	{"name resets after dispatch", "event: a\ndata: 1\n\ndata: 2\n\n", []event{{"a", "1"}, {"", "2"}}},
	{"name without data is dropped", "event: a\n\ndata: 2\n\n", []event{{"", "2"}}},
	{"last event line wins", "event: a\nevent: b\ndata: 1\n\n", []event{{"b", "1"}}},
	{"multi-line data", "data: a\ndata: b\ndata:\n\n", []event{{"", "a\nb\n"}}},
	{"empty data dispatches", "data:\n\n", []event{{"", ""}}},
	{"bare field name", "data\n\n", []event{{"", ""}}},
	{"comments ignored", ": keep-alive\n:x\ndata: 1\n: mid\n\n", []event{{"", "1"}}},
	{"id retry unknown ignored", "id: 7\nretry: 10\nfoo: bar\ndata: 1\n\n", []event{{"", "1"}}},
	{"blank lines alone", "\n\n\r\n", nil},
	{"missing final blank line", "event: e\ndata: last\n", []event{{"e", "last"}}},
	{"missing final line end", "event: e\ndata: last", []event{{"e", "last"}}},
	{"bom stripped at start", "\xEF\xBB\xBFdata: 1\n\n", []event{{"", "1"}}},
	{"bom kept later", "data: 1\n\n\xEF\xBB\xBFdata: 2\n\n", []event{{"", "1"}}},
	{"data colon in value", "data: {\"a\":\"b:c\"}\n\n", []event{{"", `{"a":"b:c"}`}}},
	{"done marker", "data: {\"x\":1}\n\ndata: [DONE]\n\n", []event{{"", `{"x":1}`}, {"", "[DONE]"}}},
	{"anthropic", "event: message_start\ndata: {\"type\":\"message_start\"}\n\nevent: ping\ndata: {\"type\": \"ping\"}\n\n",
		[]event{{"message_start", `{"type":"message_start"}`}, {"ping", `{"type": "ping"}`}}},
}

func TestScannerCases(t *testing.T) {
	for _, tc := range scannerCases {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(tc.in)
			if got := scanChunks(0, in); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("one chunk: got %q, want %q", got, tc.want)
			}
			if got := refParse(in, MaxLineSize); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("reference parser disagrees with the table: %q", got)
			}
			// Every way of cutting the input into three chunks must give the same events.
			for i := 0; i <= len(in); i++ {
				for j := i; j <= len(in); j++ {
					got := scanChunks(0, in[:i], in[i:j], in[j:])
					if !reflect.DeepEqual(got, tc.want) {
						t.Fatalf("split %d,%d: got %q, want %q", i, j, got, tc.want)
					}
				}
			}
		})
	}
}

func TestScannerOverlongLines(t *testing.T) {
	const max = 16
	long := strings.Repeat("x", max) // "data: " + 16 bytes is over the limit
	in := []byte("data: a\n\ndata: " + long + "\n\nevent: e\ndata: ok\n\n" +
		"data: 0123456789\ndata: 0123456789\n\n" + // each line fits, the joined data does not
		"data: b\r\n\r\n")
	want := []event{{"", "a"}, {"e", "ok"}, {"", "b"}}
	if got := refParse(in, max); !reflect.DeepEqual(got, want) {
		t.Fatalf("reference: got %q, want %q", got, want)
	}
	for i := 0; i <= len(in); i++ {
		for j := i; j <= len(in); j++ {
			if got := scanChunks(max, in[:i], in[i:j], in[j:]); !reflect.DeepEqual(got, want) {
				t.Fatalf("split %d,%d: got %q, want %q", i, j, got, want)
			}
		}
	}
}

func TestScannerLineAtLimitIsParsed(t *testing.T) {
	line := "data: " + strings.Repeat("y", 10) // exactly 16 bytes
	in := []byte(line + "\n\n")
	for i := 0; i <= len(in); i++ {
		got := scanChunks(len(line), in[:i], in[i:])
		if want := []event{{"", strings.Repeat("y", 10)}}; !reflect.DeepEqual(got, want) {
			t.Fatalf("split %d: got %q, want %q", i, got, want)
		}
	}
}

func TestScannerDataAliasesChunkOnlyDuringFeed(t *testing.T) {
	// The handler may be given a slice of the caller's chunk; after Feed returns the caller may
	// reuse that chunk, so an event completed in a later chunk must not see the overwrite.
	var r recorder
	s := NewScanner(&r)
	chunk := []byte("data: hello\n")
	s.Feed(chunk)
	copy(chunk, "XXXXXXXXXXXX")
	s.Feed([]byte("\n"))
	if want := []event{{"", "hello"}}; !reflect.DeepEqual(r.events, want) {
		t.Fatalf("got %q, want %q", r.events, want)
	}
}

func TestScannerReset(t *testing.T) {
	var a, b recorder
	s := NewScanner(&a)
	s.Feed([]byte("event: x\ndata: partial"))
	s.Reset(&b)
	s.Feed([]byte("data: fresh\n\n"))
	if len(a.events) != 0 {
		t.Fatalf("old handler got %q", a.events)
	}
	if want := []event{{"", "fresh"}}; !reflect.DeepEqual(b.events, want) {
		t.Fatalf("got %q, want %q", b.events, want)
	}
}

func TestScannerNilHandler(t *testing.T) {
	var s Scanner
	s.Feed([]byte("data: x\n\ndata: y"))
	s.Flush()
}

// TestScannerAllocs pins the zero-allocation promise: once a stream's buffers exist, feeding
// chunks (including ones that split lines and events) allocates nothing.
func TestScannerAllocs(t *testing.T) {
	var stream bytes.Buffer
	for i := range 200 {
		fmt.Fprintf(&stream, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"token %d\"}}\n\n", i)
	}
	in := stream.Bytes()
	n := 0
	s := NewScanner(HandlerFunc(func(_, data []byte) { n += len(data) }))
	for _, size := range []int{4096, 1000, 97, 1} {
		feed := func() {
			for off := 0; off < len(in); off += size {
				s.Feed(in[off:min(off+size, len(in))])
			}
			s.Flush()
		}
		feed() // warm up: grow the carry buffers once
		if a := testing.AllocsPerRun(20, feed); a != 0 {
			t.Errorf("%d-byte chunks: %v allocs per stream, want 0", size, a)
		}
	}
	if n == 0 {
		t.Fatal("handler saw no data")
	}
}
