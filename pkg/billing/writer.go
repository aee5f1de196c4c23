package billing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Sink stores a batch of records, all or nothing (one transaction). WriteBatch must be
// idempotent per RequestID, because a batch whose commit outcome is unknown is retried, and it
// must not keep recs after returning: the Writer reuses the slice.
type Sink interface {
	WriteBatch(ctx context.Context, recs []Record) error
}

// WriterConfig tunes a Writer; zero values select the defaults.
type WriterConfig struct {
	// Capacity bounds the queue between Submit and the flusher (default 10000). When it is full
	// Submit drops the record rather than stall a request.
	Capacity int
	// BatchSize flushes as soon as this many records are waiting (default 200).
	BatchSize int
	// FlushInterval flushes whatever is waiting at least this often (default 250ms), which
	// bounds what a crash can lose.
	FlushInterval time.Duration
	// MaxRetries is how often a failed batch is retried before it is given up (default 5;
	// negative disables retries).
	MaxRetries int
	// RetryBackoff is the first wait between attempts, doubling up to 5s (default 100ms).
	RetryBackoff time.Duration
	// WriteTimeout bounds one WriteBatch call (default 30s).
	WriteTimeout time.Duration
	// Logger receives drops and failures (default slog.Default()).
	Logger *slog.Logger
}

const maxRetryBackoff = 5 * time.Second

func (c WriterConfig) withDefaults() WriterConfig {
	if c.Capacity <= 0 {
		c.Capacity = 10000
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 200
	}
	if c.FlushInterval <= 0 {
		c.FlushInterval = 250 * time.Millisecond
	}
	if c.MaxRetries < 0 {
		c.MaxRetries = 0
	} else if c.MaxRetries == 0 {
		c.MaxRetries = 5
	}
	if c.RetryBackoff <= 0 {
		c.RetryBackoff = 100 * time.Millisecond
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 30 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Writer moves records off the request path: Submit queues without blocking, and one
// goroutine writes them to the Sink in batches, by size or by time. Close drains the queue, so a
// graceful shutdown loses nothing; a crash loses at most what was queued.
type Writer struct {
	sink Sink
	cfg  WriterConfig
	log  *slog.Logger

	// mu orders Submit against Close: Submit sends under the read lock, Close closes the
	// channel under the write lock, so no send can hit a closed channel and every record
	// accepted before Close is drained.
	mu     sync.RWMutex
	closed bool
	ch     chan Record

	// runCtx is cancelled when Close's context expires, to abandon writes and backoffs.
	runCtx context.Context
	abort  context.CancelFunc
	done   chan struct{}

	pending atomic.Int64 // records taken off the channel but not yet written or given up
	dropped atomic.Uint64
	written atomic.Uint64
	failed  atomic.Uint64
}

// NewWriter starts a Writer feeding sink. Call Close to stop it.
func NewWriter(sink Sink, cfg WriterConfig) *Writer {
	cfg = cfg.withDefaults()
	t := time.NewTicker(cfg.FlushInterval)
	w := newWriter(sink, cfg, t.C)
	go func() {
		<-w.done
		t.Stop()
	}()
	return w
}

// newWriter starts a Writer whose time-based flushes follow ticks (tests inject a channel).
func newWriter(sink Sink, cfg WriterConfig, ticks <-chan time.Time) *Writer {
	if sink == nil {
		panic("billing: NewWriter with a nil Sink")
	}
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	w := &Writer{
		sink:   sink,
		cfg:    cfg,
		log:    cfg.Logger,
		ch:     make(chan Record, cfg.Capacity),
		runCtx: ctx,
		abort:  cancel,
		done:   make(chan struct{}),
	}
	go w.run(ticks)
	return w
}

// Submit queues r for writing and reports whether it was accepted. It never blocks: when the
// queue is full, or the Writer is closed, the record is dropped and counted (see Dropped).
func (w *Writer) Submit(r Record) bool {
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		w.drop(r, "writer closed")
		return false
	}
	select {
	case w.ch <- r:
		w.mu.RUnlock()
		return true
	default:
		w.mu.RUnlock()
		w.drop(r, "queue full")
		return false
	}
}

func (w *Writer) drop(r Record, why string) {
	n := w.dropped.Add(1)
	// Log the 1st, 2nd, 4th, 8th… drop: overload must show in the log without flooding it.
	if n&(n-1) == 0 {
		w.log.Error("billing: record dropped", "reason", why, "request_id", r.RequestID,
			"dropped_total", n, "queue_capacity", w.cfg.Capacity)
	}
}

// QueueDepth returns the number of records accepted but not yet written or given up.
func (w *Writer) QueueDepth() int { return len(w.ch) + int(w.pending.Load()) }

// Dropped returns the number of records Submit refused (queue full or writer closed).
func (w *Writer) Dropped() uint64 { return w.dropped.Load() }

// Written returns the number of records the Sink accepted.
func (w *Writer) Written() uint64 { return w.written.Load() }

// Failed returns the number of accepted records given up after the Sink kept failing, or
// abandoned because Close's context expired.
func (w *Writer) Failed() uint64 { return w.failed.Load() }

// Close stops accepting records, writes everything already queued and returns when done. If
// ctx expires first, pending writes are abandoned (and counted in Failed) and ctx's error is
// returned. Close may be called more than once.
func (w *Writer) Close(ctx context.Context) error {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.ch)
	}
	w.mu.Unlock()
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		w.abort()
		<-w.done
		return fmt.Errorf("billing writer: closed before the queue drained: %w", ctx.Err())
	}
}

func (w *Writer) run(ticks <-chan time.Time) {
	defer close(w.done)
	defer w.abort()
	batch := make([]Record, 0, w.cfg.BatchSize)
	for {
		select {
		case r, ok := <-w.ch:
			if !ok {
				w.flush(batch)
				return
			}
			batch = w.add(batch, r)
			if len(batch) >= w.cfg.BatchSize {
				batch = w.flush(batch)
			}
		case <-ticks:
			// Take what is already queued too: the tick promises that nothing waits longer than
			// an interval, and the channel may hold records the select did not pick yet.
			var open bool
			batch, open = w.drain(batch)
			batch = w.flush(batch)
			if !open {
				return
			}
		}
	}
}

// drain moves already-queued records into batch without waiting, up to the batch size. It
// reports false once the channel is closed and empty.
func (w *Writer) drain(batch []Record) ([]Record, bool) {
	for len(batch) < w.cfg.BatchSize {
		select {
		case r, ok := <-w.ch:
			if !ok {
				return batch, false
			}
			batch = w.add(batch, r)
		default:
			return batch, true
		}
	}
	return batch, true
}

func (w *Writer) add(batch []Record, r Record) []Record {
	w.pending.Add(1)
	return append(batch, r)
}

// flush writes batch with retries and returns it emptied for reuse.
func (w *Writer) flush(batch []Record) []Record {
	if len(batch) == 0 {
		return batch
	}
	n := len(batch)
	if err := w.writeWithRetry(batch); err != nil {
		w.failed.Add(uint64(n))
		w.log.Error("billing: batch lost after retries", "records", n,
			"first_request_id", batch[0].RequestID, "last_request_id", batch[n-1].RequestID,
			"failed_total", w.failed.Load(), "err", err)
	} else {
		w.written.Add(uint64(n))
	}
	w.pending.Add(-int64(n))
	clear(batch) // drop references to strings and chains before reuse
	return batch[:0]
}

func (w *Writer) writeWithRetry(batch []Record) error {
	backoff := w.cfg.RetryBackoff
	var err error
	for attempt := 0; ; attempt++ {
		if w.runCtx.Err() != nil {
			return errors.Join(err, w.runCtx.Err())
		}
		ctx, cancel := context.WithTimeout(w.runCtx, w.cfg.WriteTimeout)
		err = w.sink.WriteBatch(ctx, batch)
		cancel()
		if err == nil {
			if attempt > 0 {
				w.log.Info("billing: batch written after retry", "records", len(batch), "attempts", attempt+1)
			}
			return nil
		}
		if attempt >= w.cfg.MaxRetries {
			return err
		}
		w.log.Warn("billing: batch write failed, retrying", "records", len(batch),
			"attempt", attempt+1, "backoff", backoff, "err", err)
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-w.runCtx.Done():
			t.Stop()
		}
		backoff = min(backoff*2, maxRetryBackoff)
	}
}
