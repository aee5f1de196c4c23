package redisstate

import (
	"context"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Invalidator tells the other cchub instances sharing a Redis that the admin changed keys,
// users or providers, so each reloads its in-memory catalog within milliseconds instead of
// waiting for its periodic refresh.
type Invalidator struct {
	rdb      redis.UniversalClient
	channel  string
	instance string
}

// NewInvalidator uses channel cchub:{prefix}:catalog. instance identifies this process so it
// ignores its own messages (it has already reloaded).
func NewInvalidator(rdb redis.UniversalClient, prefix, instance string) *Invalidator {
	return &Invalidator{rdb: rdb, channel: keyPrefix(prefix, "catalog") + "changed", instance: instance}
}

// Publish announces a change ("providers", "users", "keys").
func (i *Invalidator) Publish(ctx context.Context, what string) error {
	return i.rdb.Publish(ctx, i.channel, i.instance+"|"+what).Err()
}

// Subscribe calls fn for every change published by another instance until ctx ends. It returns
// once the subscription is active, so no message published after it returns is missed.
func (i *Invalidator) Subscribe(ctx context.Context, fn func(what string)) error {
	sub := i.rdb.Subscribe(ctx, i.channel)
	if _, err := sub.Receive(ctx); err != nil { // waits for the subscription confirmation
		sub.Close()
		return err
	}
	go func() {
		defer sub.Close()
		ch := sub.Channel()
		for {
			select {
			case <-ctx.Done():
				return
			case m, ok := <-ch:
				if !ok {
					return
				}
				from, what, _ := strings.Cut(m.Payload, "|")
				if from != i.instance {
					fn(what)
				}
			}
		}
	}()
	return nil
}
