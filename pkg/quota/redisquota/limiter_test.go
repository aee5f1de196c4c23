package redisquota

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cchub/cchub/pkg/quota"
	"github.com/cchub/cchub/pkg/quota/quotatest"
)

// testClient connects to CCHUB_TEST_REDIS_URL: unset skips, set but unreachable fails.
func testClient(t testing.TB) *redis.Client {
	t.Helper()
	url := os.Getenv("CCHUB_TEST_REDIS_URL")
	if url == "" {
		t.Skip("CCHUB_TEST_REDIS_URL not set")
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("CCHUB_TEST_REDIS_URL: %v", err)
	}
	TuneOptions(opt, time.Second)
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("CCHUB_TEST_REDIS_URL is set but Redis does not answer: %v", err)
	}
	return rdb
}

// testPrefix is a key prefix of this test only; its keys are deleted when the test ends.
func testPrefix(t testing.TB, rdb *redis.Client) string {
	t.Helper()
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, t.Name())
	prefix := "test-" + name + "-" + hex.EncodeToString(rnd[:])
	ks := newKeyspace(prefix, time.UTC)
	t.Cleanup(func() { deleteMatching(t, rdb, ks.pattern()) })
	return prefix
}

func deleteMatching(t testing.TB, rdb *redis.Client, pattern string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	iter := rdb.Scan(ctx, 0, pattern, 500).Iterator()
	for iter.Next(ctx) {
		if err := rdb.Del(ctx, iter.Val()).Err(); err != nil {
			t.Errorf("cleanup %s: %v", iter.Val(), err)
		}
	}
	if err := iter.Err(); err != nil {
		t.Errorf("cleanup scan %s: %v", pattern, err)
	}
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestRedisSuite(t *testing.T) {
	rdb := testClient(t)
	quotatest.Run(t, func(t *testing.T, o quotatest.Options) *quotatest.Env {
		prefix := testPrefix(t, rdb)
		build := func() *Limiter {
			l := New(rdb, Options{Prefix: prefix, Location: o.Location, Now: o.Clock.Now, Ledger: o.Ledger,
				SessionTTL: o.SessionTTL, Log: quietLog()})
			t.Cleanup(func() { _ = l.Close(context.Background()) })
			return l
		}
		cur := build()
		env := &quotatest.Env{Limiter: cur}
		env.Flush = func() {
			cur.Flush(context.Background())
			if cur.Degraded() {
				t.Fatal("the limiter fell back to in-process limits during the suite")
			}
		}
		env.Restart = func() quota.Limiter {
			_ = cur.Close(context.Background())
			deleteMatching(t, rdb, cur.KeyPattern()) // a flushed Redis: only the ledger remains
			cur = build()
			return cur
		}
		return env
	})
}
