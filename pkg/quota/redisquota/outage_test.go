package redisquota

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cchub/cchub/pkg/gateway/catalog"
	"github.com/cchub/cchub/pkg/quota"
	"github.com/cchub/cchub/pkg/quota/quotatest"
)

// blackhole listens on 127.0.0.1 and accepts connections it never answers: a hung Redis.
func blackhole(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return ln.Addr().String()
}

// redisProc is a redis-server of the test's own on a free 127.0.0.1 port, which the test may
// kill and restart (the shared server is never touched).
type redisProc struct {
	t    *testing.T
	port int
	cmd  *exec.Cmd
}

func startRedisProc(t *testing.T) *redisProc {
	t.Helper()
	if os.Getenv("CCHUB_TEST_REDIS_URL") == "" {
		t.Skip("CCHUB_TEST_REDIS_URL not set (Redis tests are off)")
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatalf("Redis tests are on but redis-server is not installed: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	r := &redisProc{t: t, port: port}
	r.start()
	t.Cleanup(r.kill)
	return r
}

func (r *redisProc) addr() string { return "127.0.0.1:" + strconv.Itoa(r.port) }

func (r *redisProc) start() {
	r.t.Helper()
	r.cmd = exec.Command("redis-server", "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--daemonize", "no")
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	c := redis.NewClient(&redis.Options{Addr: r.addr(), MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for c.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			r.t.Fatal("redis-server did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// kill stops the server by its PID, losing its data as a crashed Redis without persistence.
func (r *redisProc) kill() {
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	_ = r.cmd.Wait()
	r.cmd = nil
}

// TestRedisKilledMidTest: Redis dies; the in-process limiter keeps enforcing from the ledger
// and what this instance spends; Redis restarts empty; within 10 s the limiter is back on it,
// and the rebuilt windows still hold all the spend.
func TestRedisKilledMidTest(t *testing.T) {
	proc := startRedisProc(t)
	opt := &redis.Options{Addr: proc.addr()}
	TuneOptions(opt, 200*time.Millisecond)
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	clock := quotatest.NewClock(quotatest.Start)
	ledger := &quotatest.Ledger{}
	var logs syncBuffer
	l := New(rdb, Options{Now: clock.Now, Ledger: ledger, Timeout: 200 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(&logs, nil))})
	defer l.Close(context.Background())
	f := newFixture()
	f.key.Limits.LimitDaily = usd
	ctx := context.Background()
	charge := func(tk *quota.Ticket, cost int64) {
		l.Settle(tk, cost)
		l.Flush(ctx)
		ledger.Add(tk.Start(), cost, quota.Entity{Kind: quota.KindKey, ID: 10}, quota.Entity{Kind: quota.KindUser, ID: 1})
	}
	for range 2 {
		tk := f.ticket(0)
		if r := l.Acquire(ctx, tk, nil); r != nil {
			t.Fatal(r)
		}
		charge(tk, 4*usd/10)
	}
	if l.Degraded() {
		t.Fatal("degraded before the outage")
	}

	proc.kill()
	tk := f.ticket(0)
	if r := l.Acquire(ctx, tk, nil); r != nil {
		t.Fatalf("0.8 of 1 spent, Redis down: want admitted by the fallback, got %+v", r)
	}
	if !l.Degraded() || l.Outages() != 1 {
		t.Fatalf("degraded %v outages %d", l.Degraded(), l.Outages())
	}
	charge(tk, 2*usd/10)
	r := l.Acquire(ctx, f.ticket(0), nil)
	if r == nil || r.Type != quota.LimitDaily || r.Status() != 402 || r.Current != usd {
		t.Fatalf("the fallback must keep enforcing: %+v", r)
	}
	fallbacks := l.Fallbacks()
	if fallbacks < 3 {
		t.Fatalf("fallbacks counted %d, want every decision of the outage", fallbacks)
	}

	proc.start()
	back := time.Now()
	deadline := back.Add(10 * time.Second)
	for l.Degraded() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if l.Degraded() {
		t.Fatal("still on the fallback 10 s after Redis came back")
	}
	t.Logf("back on Redis %v after it restarted", time.Since(back).Round(time.Millisecond))
	// Redis restarted empty: the namespace is rebuilt from the ledger, spend intact.
	r = l.Acquire(ctx, f.ticket(0), nil)
	if r == nil || r.Type != quota.LimitDaily || r.Current != usd {
		t.Fatalf("after recovery: %+v", r)
	}
	if l.Fallbacks() != fallbacks {
		t.Fatalf("decided in process after recovery (%d → %d fallbacks)", fallbacks, l.Fallbacks())
	}
	out := logs.String()
	if n := strings.Count(out, "Redis is unreachable"); n != 1 {
		t.Fatalf("outage logged %d times, want once:\n%s", n, out)
	}
	if !strings.Contains(out, "Redis answers again") {
		t.Fatalf("recovery not logged:\n%s", out)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestOutageReplayKeepsSpend: Redis is unreachable for a while without losing data; the
// settlements of the outage are replayed into it, so its windows include them.
func TestOutageReplayKeepsSpend(t *testing.T) {
	proc := startRedisProc(t)
	opt := &redis.Options{Addr: proc.addr()}
	TuneOptions(opt, 200*time.Millisecond)
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	clock := quotatest.NewClock(quotatest.Start)
	l := New(rdb, Options{Now: clock.Now, Timeout: 200 * time.Millisecond, Log: quietLog()}) // no ledger: only Redis knows
	defer l.Close(context.Background())
	f := newFixture()
	f.key.Limits.LimitTotal = 10 * usd
	f.prov.Limits.LimitTotal = 10 * usd
	ctx := context.Background()
	before := f.ticket(usd)
	if r := l.Acquire(ctx, before, f.prov); r != nil { // admitted by Redis, settled during the outage
		t.Fatal(r)
	}
	// Pause Redis instead of killing it, so its data survives.
	if err := proc.cmd.Process.Signal(stopSignal); err != nil {
		t.Fatal(err)
	}
	during := f.ticket(usd)
	if r := l.Acquire(ctx, during, f.prov); r != nil {
		t.Fatal(r)
	}
	if !l.Degraded() {
		t.Fatal("not degraded")
	}
	l.Settle(before, usd)
	l.Settle(during, 2*usd)
	if err := proc.cmd.Process.Signal(contSignal); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for l.Degraded() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if l.Degraded() {
		t.Fatal("still degraded 10 s after Redis answered again")
	}
	for _, e := range []struct {
		e quota.Entity
		l *catalog.Limits
	}{{quota.Entity{Kind: quota.KindKey, ID: 10}, &f.key.Limits}, {quota.Entity{Kind: quota.KindProvider, ID: 3}, &f.prov.Limits}} {
		u, err := l.Usage(ctx, e.e, e.l, 0)
		if err != nil {
			t.Fatal(err)
		}
		if u.Windows[quota.WindowTotal].Used != 3*usd || u.Reserved != 0 {
			t.Fatalf("%v after the replay: total %d reserved %d, want %d and 0", e.e, u.Windows[quota.WindowTotal].Used, u.Reserved, 3*usd)
		}
	}
}
