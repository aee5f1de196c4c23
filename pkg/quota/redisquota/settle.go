package redisquota

import (
	"context"
	"strconv"
	"time"

	"github.com/cchub/cchub/pkg/quota"
)

// settleOp is one request's settlement on its way to Redis.
type settleOp struct {
	t    *quota.Ticket
	cost int64
}

// Settle implements quota.Limiter. It never waits for Redis: the settlement rides along with
// the next admission's round trip, or goes alone after SettleDelay. Parts of the request the
// in-process limiter tracked (it was admitted during an outage) are released there at once.
func (l *Limiter) Settle(t *quota.Ticket, cost int64) {
	if !t.Admitted() || !t.ClaimSettle() {
		return
	}
	st := t.State()
	provLocal := st.Provider != nil && !st.ProviderRemote
	if !st.Remote || provLocal {
		l.local.Load().SettleParts(t, cost, !st.Remote, provLocal)
	}
	op := &settleOp{t: t, cost: cost}
	if l.degraded.Load() {
		l.settleFailed([]*settleOp{op})
		return
	}
	l.mu.Lock()
	first := len(l.pending) == 0
	l.pending = append(l.pending, op)
	l.mu.Unlock()
	if first {
		select {
		case l.kick <- struct{}{}:
		default:
		}
	}
}

// settleArgs builds SETTLE's arguments. The cost is booked at the request's start, as the
// ledger books it, in the windows of that instant.
func (l *Limiter) settleArgs(op *settleOp) []any {
	t, st := op.t, op.t.State()
	now := l.o.Now()
	at := t.Start()
	ams := at.UnixMilli()
	member := ""
	if t.SessionID == "" {
		member = t.SessionMember()
	}
	args := make([]any, 0, 7+3*17)
	args = append(args, l.ks.p, now.UnixMilli(), t.RequestID, member, ams,
		strconv.FormatInt(ams-ams%10_000, 10), op.cost)
	if st.Admitted {
		ku := int64(bit(st.Remote))
		args = l.ks.group(args, quota.Entity{Kind: quota.KindKey, ID: t.Key.ID}, &t.Key.Limits, 0, at, ku)
		args = l.ks.group(args, quota.Entity{Kind: quota.KindUser, ID: t.User.ID}, &t.User.Limits, 0, at, ku)
	}
	if p := st.Provider; p != nil {
		args = l.ks.group(args, quota.Entity{Kind: quota.KindProvider, ID: p.ID}, &p.Limits, 0, at, int64(bit(st.ProviderRemote)))
	}
	return args
}

// takePending removes up to n pending settlements.
func (l *Limiter) takePending(n int) []*settleOp {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.pending) == 0 {
		return nil
	}
	n = min(n, len(l.pending))
	ops := append([]*settleOp(nil), l.pending[:n]...)
	l.pending = append(l.pending[:0], l.pending[n:]...)
	return ops
}

// requeue puts settlements back at the front (the round trip that carried them was cancelled
// by its client).
func (l *Limiter) requeue(ops []*settleOp) {
	if len(ops) == 0 {
		return
	}
	l.mu.Lock()
	l.pending = append(ops, l.pending...)
	l.mu.Unlock()
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

// settleFailed books settlements Redis could not take in the in-process limiter, which
// enforces limits during the outage, and keeps them to replay when Redis is back.
func (l *Limiter) settleFailed(ops []*settleOp) {
	local := l.local.Load()
	for _, op := range ops {
		st := op.t.State()
		local.SettleParts(op.t, op.cost, st.Remote, st.Provider != nil && st.ProviderRemote)
		l.fallbacks.Add(1)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.degraded.Load() {
		// Redis came back in the meantime (recover flips the flag under mu).
		l.pending = append(l.pending, ops...)
		return
	}
	room := l.o.MaxOutageQueue - len(l.outage)
	if len(ops) > room {
		l.overflow = true
		ops = ops[:max(room, 0)]
	}
	l.outage = append(l.outage, ops...)
}

// Flush sends every pending settlement now.
func (l *Limiter) Flush(ctx context.Context) {
	for {
		ops := l.takePending(256)
		if len(ops) == 0 {
			return
		}
		if l.degraded.Load() {
			l.settleFailed(ops)
			continue
		}
		if _, err := l.exec(ctx, ops, nil); err != nil {
			if ctx.Err() != nil {
				l.requeue(ops)
				return
			}
			l.degrade(err)
			l.settleFailed(ops)
		}
	}
}

// flusher sends settlements no admission carried within SettleDelay.
func (l *Limiter) flusher() {
	defer l.wg.Done()
	for {
		select {
		case <-l.stop:
			return
		case <-l.kick:
		}
		t := time.NewTimer(l.o.SettleDelay)
		select {
		case <-l.stop:
			t.Stop()
			return
		case <-t.C:
		}
		l.Flush(context.Background())
	}
}

// probe pings Redis every ProbeInterval while it is unreachable and switches back when it
// answers and the settlements of the outage are replayed.
func (l *Limiter) probe() {
	defer l.wg.Done()
	tick := time.NewTicker(l.o.ProbeInterval)
	defer tick.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-tick.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), l.o.Timeout)
		err := l.rdb.Ping(ctx).Err()
		cancel()
		if err == nil && l.recover() {
			return
		}
	}
}

// recover replays the outage's settlements (Redis ignores any it already has, by request id)
// and switches back to Redis. If settlements were dropped, the namespaces this instance
// touched are marked cold instead, so they are rebuilt from the ledger.
func (l *Limiter) recover() bool {
	l.mu.Lock()
	ops, overflow := l.outage, l.overflow
	l.outage, l.overflow = nil, false
	l.mu.Unlock()
	giveBack := func(rest []*settleOp) bool {
		l.mu.Lock()
		l.outage = append(rest, l.outage...)
		l.overflow = l.overflow || overflow
		l.mu.Unlock()
		return false
	}
	replayed := len(ops)
	for len(ops) > 0 {
		n := min(256, len(ops))
		if _, err := l.exec(context.Background(), ops[:n], nil); err != nil {
			return giveBack(ops)
		}
		ops = ops[n:]
	}
	if overflow {
		ctx, cancel := context.WithTimeout(context.Background(), 10*l.o.Timeout)
		pipe := l.rdb.Pipeline()
		for _, e := range l.local.Load().Entities() {
			pipe.Del(ctx, l.ks.base(e)+":ok")
		}
		_, err := pipe.Exec(ctx)
		cancel()
		if err != nil {
			return giveBack(nil)
		}
	}
	l.mu.Lock()
	l.degraded.Store(false)
	late := l.outage
	l.outage = nil
	l.pending = append(l.pending, late...)
	l.mu.Unlock()
	if len(late) > 0 {
		select {
		case l.kick <- struct{}{}:
		default:
		}
	}
	l.o.Log.Info("quota: Redis answers again; limits are shared again", "replayed_settlements", replayed, "rebuilt", overflow)
	return true
}
