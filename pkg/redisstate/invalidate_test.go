package redisstate

import (
	"context"
	"testing"
	"time"
)

func TestInvalidatorReachesOtherInstances(t *testing.T) {
	rdb := testClient(t)
	prefix := testPrefix(t, rdb)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := NewInvalidator(rdb, prefix, "a")
	b := NewInvalidator(rdb, prefix, "b")
	gotA := make(chan string, 4)
	gotB := make(chan string, 4)
	if err := a.Subscribe(ctx, func(w string) { gotA <- w }); err != nil {
		t.Fatal(err)
	}
	if err := b.Subscribe(ctx, func(w string) { gotB <- w }); err != nil {
		t.Fatal(err)
	}
	if err := a.Publish(ctx, "keys"); err != nil {
		t.Fatal(err)
	}
	select {
	case w := <-gotB:
		if w != "keys" {
			t.Fatalf("b got %q", w)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("b never heard of the change")
	}
	// a ignores its own message: publish from b and make sure a's first message is b's.
	if err := b.Publish(ctx, "providers"); err != nil {
		t.Fatal(err)
	}
	select {
	case w := <-gotA:
		if w != "providers" {
			t.Fatalf("a received %q (its own message?)", w)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a never heard of b's change")
	}
}
