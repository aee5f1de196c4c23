// Package fakeupstream is an AI provider stand-in that speaks the real wire formats: Anthropic
// Messages, OpenAI Responses and Chat Completions, as SSE streams or JSON. Tests and the bench
// run it on 127.0.0.1:0; it records every request and can fail, delay or hang on demand.
package fakeupstream

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Request is one request the fake upstream received.
type Request struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   []byte
}

// Options shape the answers.
type Options struct {
	// Chunks is the number of text deltas in a stream (default 4).
	Chunks int
	// Delay is slept before each stream event after the first.
	Delay time.Duration
	// FirstByteDelay is slept before the response headers.
	FirstByteDelay time.Duration
	// Usage reported by every answer.
	InputTokens, OutputTokens, CacheCreation5m, CacheCreation1h, CacheRead int
	// Text is the content of each delta (default "hello ").
	Text string
}

// Server is a running fake upstream.
type Server struct {
	URL  string
	opts Options
	srv  *http.Server
	ln   net.Listener

	mu       sync.Mutex
	requests []Request
	record   bool

	// FailNext makes the next n requests answer FailStatus.
	failNext   atomic.Int64
	failStatus atomic.Int64
	// Hang makes streams stop after the first event and wait until the client goes away.
	hang atomic.Bool
	// Cancelled counts streams whose client (the hub) went away before the end.
	Cancelled atomic.Int64
	cancelCh  chan struct{}
}

// Start runs a fake upstream on 127.0.0.1:0. recordRequests keeps every request for
// inspection (off in the bench).
func Start(opts Options, recordRequests bool) (*Server, error) {
	if opts.Chunks <= 0 {
		opts.Chunks = 4
	}
	if opts.Text == "" {
		opts.Text = "hello "
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{URL: "http://" + ln.Addr().String(), opts: opts, ln: ln, record: recordRequests, cancelCh: make(chan struct{}, 1024)}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// FailNext makes the next n requests fail with status.
func (s *Server) FailNext(n int, status int) {
	s.failStatus.Store(int64(status))
	s.failNext.Store(int64(n))
}

// Hang makes streams send one event and then block until the client disconnects.
func (s *Server) Hang(on bool) { s.hang.Store(on) }

// CancelledCh receives a value each time a stream's client goes away early.
func (s *Server) CancelledCh() <-chan struct{} { return s.cancelCh }

// Requests returns the recorded requests.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if s.record {
		s.mu.Lock()
		s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
		s.mu.Unlock()
	}
	if s.opts.FirstByteDelay > 0 {
		select {
		case <-time.After(s.opts.FirstByteDelay):
		case <-r.Context().Done():
			return
		}
	}
	if n := s.failNext.Load(); n > 0 && s.failNext.CompareAndSwap(n, n-1) {
		status := int(s.failStatus.Load())
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"type":"error","error":{"type":"api_error","message":"injected failure %d"}}`, status)
		return
	}
	stream := bytes.Contains(body, []byte(`"stream":true`)) || bytes.Contains(body, []byte(`"stream": true`))
	switch {
	case strings.HasSuffix(r.URL.Path, "/messages/count_tokens"):
		writeJSON(w, `{"input_tokens":42}`)
	case strings.HasSuffix(r.URL.Path, "/messages"):
		if stream {
			s.streamEvents(w, r, s.anthropicEvents())
		} else {
			writeJSON(w, s.anthropicJSON())
		}
	case strings.HasSuffix(r.URL.Path, "/responses"):
		if stream {
			s.streamEvents(w, r, s.responsesEvents())
		} else {
			writeJSON(w, s.responsesJSON())
		}
	case strings.HasSuffix(r.URL.Path, "/chat/completions"):
		if stream {
			s.streamEvents(w, r, s.chatEvents(bytes.Contains(body, []byte(`"include_usage":true`))))
		} else {
			writeJSON(w, s.chatJSON())
		}
	case strings.HasSuffix(r.URL.Path, "/models"):
		writeJSON(w, `{"object":"list","data":[{"id":"fake-model","object":"model","created":0,"owned_by":"fake"}]}`)
	default:
		w.WriteHeader(404)
		fmt.Fprint(w, `{"error":{"message":"not found"}}`)
	}
}

func writeJSON(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-Id", "req_fake")
	io.WriteString(w, body)
}

// streamEvents writes SSE events, flushing each, and watches for the client going away.
func (s *Server) streamEvents(w http.ResponseWriter, r *http.Request, events []string) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(200)
	f := w.(http.Flusher)
	for i, ev := range events {
		if i > 0 && s.opts.Delay > 0 {
			select {
			case <-time.After(s.opts.Delay):
			case <-r.Context().Done():
				s.cancelled()
				return
			}
		}
		if _, err := io.WriteString(w, ev); err != nil {
			s.cancelled()
			return
		}
		f.Flush()
		if i == 0 && s.hang.Load() {
			<-r.Context().Done()
			s.cancelled()
			return
		}
	}
}

func (s *Server) cancelled() {
	s.Cancelled.Add(1)
	select {
	case s.cancelCh <- struct{}{}:
	default:
	}
}
