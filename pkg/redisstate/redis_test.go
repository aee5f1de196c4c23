package redisstate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// testClient connects to CCHUB_TEST_REDIS_URL. Unset skips the test; set but unreachable fails
// it, so a CI that meant to test Redis cannot pass by accident.
func testClient(t *testing.T) *redis.Client {
	t.Helper()
	url := os.Getenv("CCHUB_TEST_REDIS_URL")
	if url == "" {
		t.Skip("CCHUB_TEST_REDIS_URL not set")
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("CCHUB_TEST_REDIS_URL: %v", err)
	}
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("CCHUB_TEST_REDIS_URL is set but Redis does not answer: %v", err)
	}
	return rdb
}

// testPrefix is a key prefix no other test (or CI run sharing the server) uses, and registers
// the deletion of every key under it.
func testPrefix(t *testing.T, rdb *redis.Client) string {
	t.Helper()
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		t.Fatal(err)
	}
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, t.Name())
	prefix := "test-" + name + "-" + hex.EncodeToString(rnd[:])
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		deleteMatching(t, ctx, rdb, "cchub:"+prefix+":*")
	})
	return prefix
}

func deleteMatching(t *testing.T, ctx context.Context, rdb *redis.Client, pattern string) {
	t.Helper()
	iter := rdb.Scan(ctx, 0, pattern, 100).Iterator()
	for iter.Next(ctx) {
		if err := rdb.Del(ctx, iter.Val()).Err(); err != nil {
			t.Errorf("cleanup %s: %v", iter.Val(), err)
		}
	}
	if err := iter.Err(); err != nil {
		t.Errorf("cleanup scan %s: %v", pattern, err)
	}
}

// advanceTTLs makes Redis behave as if d had passed for every key matching pattern: each TTL is
// shortened by d and keys whose TTL runs out are deleted. Redis keeps real time, so this is how
// a shared suite written against a fake clock runs against it without sleeping.
func advanceTTLs(t *testing.T, rdb *redis.Client, pattern string, d time.Duration) {
	t.Helper()
	ctx := context.Background()
	iter := rdb.Scan(ctx, 0, pattern, 100).Iterator()
	for iter.Next(ctx) {
		key := iter.Val()
		left, err := rdb.PTTL(ctx, key).Result()
		if err != nil {
			t.Fatalf("PTTL %s: %v", key, err)
		}
		if left < 0 { // no expiry (-1) or already gone (-2)
			continue
		}
		if left -= d; left <= 0 {
			err = rdb.Del(ctx, key).Err()
		} else {
			err = rdb.PExpire(ctx, key, left).Err()
		}
		if err != nil {
			t.Fatalf("advance %s: %v", key, err)
		}
	}
	if err := iter.Err(); err != nil {
		t.Fatalf("advance scan: %v", err)
	}
}
