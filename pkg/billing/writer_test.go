package billing

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeSink records batches and reports each call on calls; fail decides per call whether
// it errors; gate, when set, holds every call until closed or the context ends.
type fakeSink struct {
	mu      sync.Mutex
	batches [][]Record
	attempt int
	fail    func(attempt int) error
	gate    chan struct{}
	entered chan struct{}
	calls   chan int // size of each successful batch
}

func newFakeSink() *fakeSink {
	return &fakeSink{calls: make(chan int, 1000), entered: make(chan struct{}, 1000)}
}

func (s *fakeSink) WriteBatch(ctx context.Context, recs []Record) error {
	s.entered <- struct{}{}
	if s.gate != nil {
		select {
		case <-s.gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	s.mu.Lock()
	s.attempt++
	a := s.attempt
	s.mu.Unlock()
	if s.fail != nil {
		if err := s.fail(a); err != nil {
			return err
		}
	}
	s.mu.Lock()
	s.batches = append(s.batches, append([]Record(nil), recs...))
	s.mu.Unlock()
	s.calls <- len(recs)
	return nil
}

func (s *fakeSink) ids() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for _, b := range s.batches {
		for _, r := range b {
			ids = append(ids, r.RequestID)
		}
	}
	return ids
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func rec(i int) Record { return Record{RequestID: "req-" + strconv.Itoa(i)} }

// waitCall returns the size of the next successful batch, failing the test after a generous
// deadline (a guard against hangs, not a synchronisation device).
func waitCall(t *testing.T, s *fakeSink) int {
	t.Helper()
	select {
	case n := <-s.calls:
		return n
	case <-time.After(10 * time.Second):
		t.Fatal("timed out waiting for a flush")
		return 0
	}
}

func TestWriterFlushesBySize(t *testing.T) {
	sink := newFakeSink()
	w := newWriter(sink, WriterConfig{BatchSize: 3, Logger: quietLogger()}, nil) // no ticks
	for i := 0; i < 7; i++ {
		if !w.Submit(rec(i)) {
			t.Fatal("submit refused")
		}
	}
	if a, b := waitCall(t, sink), waitCall(t, sink); a != 3 || b != 3 {
		t.Errorf("batches %d, %d; want 3, 3", a, b)
	}
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := waitCall(t, sink); n != 1 {
		t.Errorf("final batch %d; want 1", n)
	}
	if w.Written() != 7 || w.QueueDepth() != 0 || w.Dropped() != 0 {
		t.Errorf("written %d depth %d dropped %d", w.Written(), w.QueueDepth(), w.Dropped())
	}
}

func TestWriterFlushesByTime(t *testing.T) {
	sink := newFakeSink()
	ticks := make(chan time.Time) // unbuffered: a send returns once the flusher took the tick
	w := newWriter(sink, WriterConfig{BatchSize: 100, Logger: quietLogger()}, ticks)
	defer w.Close(context.Background())
	w.Submit(rec(1))
	w.Submit(rec(2))
	if len(sink.calls) != 0 {
		t.Fatal("flushed before the batch filled or the interval passed")
	}
	ticks <- time.Now()
	if n := waitCall(t, sink); n != 2 {
		t.Errorf("time flush wrote %d; want 2", n)
	}
	// An empty tick writes nothing.
	ticks <- time.Now()
	w.Submit(rec(3))
	ticks <- time.Now()
	if n := waitCall(t, sink); n != 1 {
		t.Errorf("second time flush wrote %d; want 1", n)
	}
}

func TestWriterRealTicker(t *testing.T) {
	sink := newFakeSink()
	w := NewWriter(sink, WriterConfig{FlushInterval: 5 * time.Millisecond, Logger: quietLogger()})
	defer w.Close(context.Background())
	w.Submit(rec(1))
	if n := waitCall(t, sink); n != 1 {
		t.Errorf("wrote %d; want 1", n)
	}
}

func TestWriterCloseDrainsUnderConcurrentSubmitters(t *testing.T) {
	sink := newFakeSink()
	sink.calls = make(chan int, 100000)
	sink.entered = make(chan struct{}, 100000)
	w := newWriter(sink, WriterConfig{Capacity: 50000, BatchSize: 64, Logger: quietLogger()}, nil)

	const goroutines, each = 8, 2000
	var accepted, refused atomic.Int64
	acceptedIDs := make([][]string, goroutines)
	var started, wg sync.WaitGroup
	started.Add(goroutines)
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if i == each/4 {
					started.Done()
				}
				r := rec(g*each + i)
				if w.Submit(r) {
					accepted.Add(1)
					acceptedIDs[g] = append(acceptedIDs[g], r.RequestID)
				} else {
					refused.Add(1)
				}
			}
		}()
	}
	started.Wait() // every submitter is mid-stream when Close begins
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	wg.Wait()

	got := map[string]int{}
	for _, id := range sink.ids() {
		got[id]++
	}
	for _, ids := range acceptedIDs {
		for _, id := range ids {
			if got[id] != 1 {
				t.Fatalf("accepted %s written %d times", id, got[id])
			}
		}
	}
	if int64(len(got)) != accepted.Load() || w.Written() != uint64(accepted.Load()) {
		t.Errorf("written %d (sink %d), accepted %d", w.Written(), len(got), accepted.Load())
	}
	if w.Dropped() != uint64(refused.Load()) || accepted.Load()+refused.Load() != goroutines*each {
		t.Errorf("dropped %d, refused %d", w.Dropped(), refused.Load())
	}
	if accepted.Load() < goroutines*each/4 {
		t.Errorf("only %d accepted", accepted.Load())
	}
	if w.Submit(rec(-1)) {
		t.Error("submit accepted after Close")
	}
	if err := w.Close(context.Background()); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestWriterDropsWhenFull(t *testing.T) {
	sink := newFakeSink()
	sink.gate = make(chan struct{})
	w := newWriter(sink, WriterConfig{Capacity: 4, BatchSize: 1, Logger: quietLogger()}, nil)
	w.Submit(rec(0))
	<-sink.entered // the flusher is now stuck in the sink with record 0
	for i := 1; i <= 4; i++ {
		if !w.Submit(rec(i)) {
			t.Fatalf("submit %d refused with room in the queue", i)
		}
	}
	for i := 5; i <= 7; i++ {
		if w.Submit(rec(i)) {
			t.Fatalf("submit %d accepted into a full queue", i)
		}
	}
	if w.Dropped() != 3 || w.QueueDepth() != 5 {
		t.Errorf("dropped %d depth %d; want 3, 5", w.Dropped(), w.QueueDepth())
	}
	close(sink.gate)
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if w.Written() != 5 || w.QueueDepth() != 0 {
		t.Errorf("written %d depth %d; want 5, 0", w.Written(), w.QueueDepth())
	}
}

func TestWriterRetriesFailedBatch(t *testing.T) {
	sink := newFakeSink()
	sink.fail = func(a int) error {
		if a <= 2 {
			return errors.New("database is locked")
		}
		return nil
	}
	w := newWriter(sink, WriterConfig{BatchSize: 3, RetryBackoff: time.Millisecond, Logger: quietLogger()}, nil)
	for i := 0; i < 3; i++ {
		w.Submit(rec(i))
	}
	if n := waitCall(t, sink); n != 3 {
		t.Errorf("batch %d; want 3", n)
	}
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if sink.attempt != 3 || w.Written() != 3 || w.Failed() != 0 {
		t.Errorf("attempts %d written %d failed %d; want 3, 3, 0", sink.attempt, w.Written(), w.Failed())
	}
}

func TestWriterGivesUpAfterRetries(t *testing.T) {
	sink := newFakeSink()
	sink.fail = func(int) error { return errors.New("disk full") }
	w := newWriter(sink, WriterConfig{BatchSize: 2, MaxRetries: 2, RetryBackoff: time.Millisecond, Logger: quietLogger()}, nil)
	w.Submit(rec(1))
	w.Submit(rec(2))
	w.Submit(rec(3))
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Two batches ({1,2} and {3}), three attempts each.
	if sink.attempt != 6 || w.Failed() != 3 || w.Written() != 0 || w.QueueDepth() != 0 {
		t.Errorf("attempts %d failed %d written %d depth %d", sink.attempt, w.Failed(), w.Written(), w.QueueDepth())
	}
}

func TestWriterCloseDeadlineAbandons(t *testing.T) {
	sink := newFakeSink()
	sink.gate = make(chan struct{}) // never opened: the sink hangs until its context ends
	w := newWriter(sink, WriterConfig{BatchSize: 1, Logger: quietLogger()}, nil)
	w.Submit(rec(1))
	<-sink.entered
	w.Submit(rec(2))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := w.Close(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Close = %v; want context.Canceled", err)
	}
	if w.Failed() != 2 || w.Written() != 0 || w.QueueDepth() != 0 {
		t.Errorf("failed %d written %d depth %d; want 2, 0, 0", w.Failed(), w.Written(), w.QueueDepth())
	}
}

type countingSink struct{ n atomic.Int64 }

func (s *countingSink) WriteBatch(_ context.Context, recs []Record) error {
	s.n.Add(int64(len(recs)))
	return nil
}

// BenchmarkWriterSubmit measures the hot-path cost of Submit with parallel submitters.
func BenchmarkWriterSubmit(b *testing.B) {
	sink := &countingSink{}
	w := newWriter(sink, WriterConfig{Capacity: 1 << 16, Logger: quietLogger()}, nil)
	r := rec(1)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w.Submit(r)
		}
	})
	b.StopTimer()
	w.Close(context.Background())
	b.ReportMetric(float64(w.Dropped()), "dropped")
}

// BenchmarkWriterSubmitSerial measures Submit from one goroutine with the flusher keeping up.
func BenchmarkWriterSubmitSerial(b *testing.B) {
	sink := &countingSink{}
	w := newWriter(sink, WriterConfig{Capacity: 1 << 16, Logger: quietLogger()}, nil)
	r := rec(1)
	b.ReportAllocs()
	for b.Loop() {
		w.Submit(r)
	}
	b.StopTimer()
	w.Close(context.Background())
	b.ReportMetric(float64(w.Dropped()), "dropped")
}
