package gateway

import (
	"context"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/cloudwego/hertz/pkg/app/server"
	"github.com/cloudwego/hertz/pkg/common/hlog"

	"github.com/cchub/cchub/pkg/billing"
	"github.com/cchub/cchub/pkg/fakeupstream"
	"github.com/cchub/cchub/pkg/gateway/catalog"
)

func TestMain(m *testing.M) {
	// hertz's logger is global; set it once, before any server runs.
	hlog.SetLevel(hlog.LevelError)
	os.Exit(m.Run())
}

const testKey = "sk-0123456789abcdef0123456789abcdef"

// recordSink collects submitted records and lets a test wait for them.
type recordSink struct {
	mu   sync.Mutex
	recs []billing.Record
	ch   chan struct{}
}

func newRecordSink() *recordSink { return &recordSink{ch: make(chan struct{}, 1024)} }

func (s *recordSink) Submit(r billing.Record) bool {
	s.mu.Lock()
	s.recs = append(s.recs, r)
	s.mu.Unlock()
	s.ch <- struct{}{}
	return true
}

// wait returns the n-th record (1-based) once it has been submitted.
func (s *recordSink) wait(t *testing.T, n int) billing.Record {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		s.mu.Lock()
		if len(s.recs) >= n {
			r := s.recs[n-1]
			s.mu.Unlock()
			return r
		}
		s.mu.Unlock()
		select {
		case <-s.ch:
		case <-deadline:
			t.Fatalf("record %d never submitted", n)
		}
	}
}

type harness struct {
	g    *Gateway
	url  string
	sink *recordSink
	user *catalog.User
	key  *catalog.Key
}

// testProvider returns a provider of type typ pointing at url with test-friendly defaults.
func testProvider(id int, typ catalog.ProviderType, url string) *catalog.Provider {
	return &catalog.Provider{
		ID: id, Name: "p" + string(rune('0'+id)), Type: typ, URL: url, APIKey: "upstream-secret",
		Enabled: true, Weight: 1, CostMultiplier: 1, GroupTags: []string{"default"}, MaxAttempts: 2,
		Breaker: catalog.BreakerConfig{FailureThreshold: 5, OpenDuration: 30 * time.Minute, SuccessThreshold: 2},
	}
}

func startFake(t testing.TB, opts fakeupstream.Options) *fakeupstream.Server {
	t.Helper()
	s, err := fakeupstream.Start(opts, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func defaultUsage() fakeupstream.Options {
	return fakeupstream.Options{InputTokens: 25, OutputTokens: 12, CacheCreation5m: 100, CacheRead: 200}
}

// newHarness serves a gateway on 127.0.0.1:0 with one user and key and the given providers.
func newHarness(t testing.TB, providers ...*catalog.Provider) *harness {
	t.Helper()
	sink := newRecordSink()
	g, err := New(Config{Sink: sink, RetryDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{
		g:    g,
		sink: sink,
		user: &catalog.User{ID: 1, Name: "alice", Enabled: true, ProviderGroup: "default"},
		key:  &catalog.Key{ID: 7, UserID: 1, Name: "k", Enabled: true},
	}
	h.setProviders(providers...)
	entries, err := billing.ParseLiteLLM(billing.DefaultPrices())
	if err != nil {
		t.Fatal(err)
	}
	g.SetPrices(billing.NewTable(entries))

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.WithListener(ln), server.WithSenseClientDisconnection(true), server.WithDisablePrintRoute(true),
		server.WithExitWaitTime(50*time.Millisecond))
	g.Register(srv.Engine)
	go srv.Run()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	// The listener already accepts; requests queue until Run serves them.
	h.url = "http://" + ln.Addr().String()
	return h
}

func (h *harness) setProviders(ps ...*catalog.Provider) {
	h.g.SetCatalog(catalog.NewSnapshot([]*catalog.User{h.user},
		[]catalog.KeyEntry{{Hash: catalog.HashKey([]byte(testKey)), Key: h.key}}, ps))
}
