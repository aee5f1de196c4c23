package sse

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"
	"testing/iotest"
)

// splitReader returns data in reads whose sizes come from sizes (cycled; 0 means an empty read),
// like an upstream whose TCP segments fall anywhere.
type splitReader struct {
	data  []byte
	sizes []byte
	i     int
}

func (r *splitReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := len(r.data)
	if len(r.sizes) > 0 {
		n = int(r.sizes[r.i%len(r.sizes)])
		r.i++
	}
	n = min(n, len(r.data), len(p))
	copy(p, r.data[:n])
	r.data = r.data[n:]
	return n, nil
}

// closeCounter is an upstream that counts Close calls.
type closeCounter struct {
	io.Reader
	closes int
}

func (c *closeCounter) Close() error { c.closes++; return nil }

// relay drains a tap the way hertz does: read into one buffer, copy out what was returned.
func relay(t testing.TB, tap *Tap, bufSize int) []byte {
	t.Helper()
	var out bytes.Buffer
	buf := make([]byte, bufSize)
	for {
		n, err := tap.Read(buf)
		out.Write(buf[:n])
		if err == io.EOF {
			return out.Bytes()
		}
		if err != nil {
			t.Fatalf("read: %v", err)
		}
	}
}

const sample = "event: message_start\ndata: {\"type\":\"message_start\"}\n\n: ping\r\nevent: delta\r\ndata: {\"t\":\"a\"}\r\n\r\ndata: tail"

func TestTapForwardsUnchanged(t *testing.T) {
	want := refParse([]byte(sample), MaxLineSize)
	readers := map[string]func() io.Reader{
		"whole":    func() io.Reader { return bytes.NewReader([]byte(sample)) },
		"one byte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader([]byte(sample))) },
		"half":     func() io.Reader { return iotest.HalfReader(bytes.NewReader([]byte(sample))) },
		"data+EOF": func() io.Reader { return iotest.DataErrReader(bytes.NewReader([]byte(sample))) },
		"uneven":   func() io.Reader { return &splitReader{data: []byte(sample), sizes: []byte{3, 0, 17, 1, 40}} },
	}
	for name, mk := range readers {
		t.Run(name, func(t *testing.T) {
			var r recorder
			tap := NewTap(mk(), &r)
			got := relay(t, tap, 4096)
			if string(got) != sample {
				t.Fatalf("forwarded %q", got)
			}
			if tap.Forwarded() != int64(len(sample)) || !tap.EOF() {
				t.Fatalf("Forwarded=%d EOF=%v", tap.Forwarded(), tap.EOF())
			}
			if !reflect.DeepEqual(r.events, want) {
				t.Fatalf("events %q, want %q", r.events, want)
			}
		})
	}
}

func TestTapCloseClosesUpstreamOnce(t *testing.T) {
	up := &closeCounter{Reader: bytes.NewReader([]byte("data: 1\n\n"))}
	var r recorder
	tap := NewTap(up, &r)
	relay(t, tap, 64)
	if err := tap.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tap.Close(); err != nil {
		t.Fatal(err)
	}
	if up.closes != 1 {
		t.Fatalf("upstream closed %d times, want 1", up.closes)
	}
	if n, err := tap.Read(make([]byte, 8)); n != 0 || !errors.Is(err, ErrClosed) {
		t.Fatalf("Read after Close = %d, %v", n, err)
	}
	if len(r.events) != 1 {
		t.Fatalf("events %q", r.events)
	}
}

func TestTapCloseBeforeEOFDropsPending(t *testing.T) {
	// A client that leaves mid-event: the half-received event is not reported, and nothing is
	// reported after Close.
	var r recorder
	tap := NewTap(&splitReader{data: []byte("data: 1\n\ndata: 2\n"), sizes: []byte{9}}, &r)
	buf := make([]byte, 64)
	for range 2 {
		if _, err := tap.Read(buf); err != nil {
			t.Fatal(err)
		}
	}
	tap.Close()
	if want := []event{{"", "1"}}; !reflect.DeepEqual(r.events, want) || tap.EOF() {
		t.Fatalf("events %q EOF=%v", r.events, tap.EOF())
	}
}

func TestTapUpstreamErrorDoesNotFlush(t *testing.T) {
	boom := errors.New("reset by peer")
	var r recorder
	tap := NewTap(io.MultiReader(bytes.NewReader([]byte("data: 1\n\ndata: cut")), iotest.ErrReader(boom)), &r)
	buf := make([]byte, 64)
	var err error
	for err == nil {
		_, err = tap.Read(buf)
	}
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if want := []event{{"", "1"}}; !reflect.DeepEqual(r.events, want) || tap.EOF() {
		t.Fatalf("events %q EOF=%v", r.events, tap.EOF())
	}
}

func TestTapReuse(t *testing.T) {
	var tap Tap
	for i, in := range []string{"data: a\n\n", "event: e\ndata: b\n\n"} {
		var r recorder
		tap.Reset(bytes.NewReader([]byte(in)), &r)
		relay(t, &tap, 3)
		tap.Close()
		if len(r.events) != 1 {
			t.Fatalf("stream %d: events %q", i, r.events)
		}
	}
}

// TestTapAllocs: relaying a stream in 4 KiB reads allocates nothing once the buffers are warm.
func TestTapAllocs(t *testing.T) {
	in := bytes.Repeat([]byte("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello, world\"}}\n\n"), 600)
	src := bytes.NewReader(in)
	n := 0
	h := HandlerFunc(func(_, d []byte) { n++ })
	var tap Tap
	buf := make([]byte, 4096)
	run := func() {
		src.Reset(in)
		tap.Reset(src, h)
		for {
			if _, err := tap.Read(buf); err != nil {
				break
			}
		}
	}
	run()
	if a := testing.AllocsPerRun(20, run); a != 0 {
		t.Fatalf("%v allocs per %d-byte stream, want 0", a, len(in))
	}
	if n == 0 {
		t.Fatal("no events")
	}
}

// readSizes turns fuzz bytes into a read-size schedule (zeros are empty reads); nil, or all
// zeros, means a single read.
func readSizes(seed []byte) []byte {
	if len(seed) > 64 {
		seed = seed[:64]
	}
	if len(bytes.Trim(seed, "\x00")) == 0 {
		return nil
	}
	return seed
}

// FuzzTap checks, for any input and any way upstream splits it into reads, that (a) the bytes
// relayed are exactly the input and (b) the events equal those of one whole-input read and
// those of the naive reference parser; both at the real line limit and at a tiny one that
// exercises the overlong paths.
func FuzzTap(f *testing.F) {
	for _, tc := range scannerCases {
		f.Add([]byte(tc.in), []byte{1})
		f.Add([]byte(tc.in), []byte{3, 0, 7})
	}
	f.Add([]byte(sample), []byte{5, 2, 250})
	f.Add([]byte("data: 0123456789abcdef0123\r\n\r\ndata: x\r"), []byte{17, 1})
	f.Add([]byte("\r\n\r\r\n\n\r"), []byte{1, 2})
	f.Fuzz(func(t *testing.T, in, seed []byte) {
		for _, maxLine := range []int{MaxLineSize, 8} {
			whole := scanChunks(maxLine, in)
			if ref := refParse(in, maxLine); !reflect.DeepEqual(whole, ref) {
				t.Fatalf("max %d: whole read %q, reference %q", maxLine, whole, ref)
			}
			var r recorder
			tap := NewTap(&splitReader{data: bytes.Clone(in), sizes: readSizes(seed)}, &r)
			tap.sc.maxLine = maxLine
			got := relay(t, tap, 4096)
			tap.Close()
			if !bytes.Equal(got, in) {
				t.Fatalf("forwarded %q, want %q", got, in)
			}
			if !reflect.DeepEqual(r.events, whole) {
				t.Fatalf("max %d split %v: events %q, want %q", maxLine, seed, r.events, whole)
			}
		}
	})
}
