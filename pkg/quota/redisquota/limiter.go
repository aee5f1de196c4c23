// Package redisquota is the shared quota backend: every check-and-track is one Lua script in
// one Redis round trip, so several hub instances enforce one set of limits. When Redis errors
// or times out the limiter falls back to an in-process quota.Local (limits still hold, per
// instance), logs it once per outage, and returns to Redis when a health probe succeeds.
package redisquota

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cchub/cchub/pkg/gateway/catalog"
	"github.com/cchub/cchub/pkg/quota"
)

// Options configures a Limiter.
type Options struct {
	// Prefix namespaces the keys ("{cchub:<Prefix>}:q:…"); installations sharing a Redis, and
	// tests, each use their own.
	Prefix string
	// Location is TZ (default UTC); Now the clock (default time.Now).
	Location *time.Location
	Now      func() time.Time
	// Ledger rebuilds a cold namespace (first use, flushed Redis, changed reset rules).
	Ledger quota.Ledger
	// SessionTTL (default 5 min) and HoldTTL (default 30 min) as in quota.LocalOptions.
	SessionTTL, HoldTTL time.Duration
	// Timeout bounds one Redis round trip (default 300 ms); past it the request is decided
	// by the in-process limiter.
	Timeout time.Duration
	// ProbeInterval is the health check period while Redis is unreachable (default 1 s).
	ProbeInterval time.Duration
	// SettleDelay is how long a settlement waits for an admission to carry it to Redis in
	// the same round trip before it is sent alone (default 20 ms).
	SettleDelay time.Duration
	// RefusalTTL is how long a provider's spend refusal keeps it out of selection without
	// asking Redis (default 2 s).
	RefusalTTL time.Duration
	// MaxOutageQueue bounds the settlements kept during an outage to replay afterwards
	// (default 100,000); beyond it the affected namespaces are rebuilt from the ledger.
	MaxOutageQueue int
	Log            *slog.Logger
}

func (o *Options) defaults() {
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = 5 * time.Minute
	}
	if o.HoldTTL <= 0 {
		o.HoldTTL = 30 * time.Minute
	}
	if o.Timeout <= 0 {
		o.Timeout = 300 * time.Millisecond
	}
	if o.ProbeInterval <= 0 {
		o.ProbeInterval = time.Second
	}
	if o.SettleDelay <= 0 {
		o.SettleDelay = 20 * time.Millisecond
	}
	if o.RefusalTTL <= 0 {
		o.RefusalTTL = 2 * time.Second
	}
	if o.MaxOutageQueue <= 0 {
		o.MaxOutageQueue = 100_000
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
}

// Limiter is the Redis quota.Limiter.
type Limiter struct {
	rdb redis.UniversalClient
	o   Options
	ks  keyspace

	local     atomic.Pointer[quota.Local]
	degraded  atomic.Bool
	fallbacks atomic.Int64
	outages   atomic.Int64

	mu       sync.Mutex
	pending  []*settleOp // settlements waiting for a round trip
	outage   []*settleOp // settled while Redis was unreachable, replayed when it is back
	overflow bool        // outage dropped some: rebuild the touched namespaces instead

	refusals sync.Map // provider id → refusal

	kick    chan struct{}
	stop    chan struct{}
	stopped sync.Once
	wg      sync.WaitGroup
}

type refusal struct {
	until  time.Time
	reason string
}

var _ quota.Limiter = (*Limiter)(nil)

// TuneOptions prepares the options of the limiter's own Redis client: context deadlines are
// honoured (a hung Redis costs timeout, not the 3 s read timeout), commands are never retried
// (a retried script could run twice), dialling is short, and the pool is large enough that a
// burst of admissions does not queue for a connection (a pool timeout would read as an outage).
func TuneOptions(o *redis.Options, timeout time.Duration) {
	o.ContextTimeoutEnabled = true
	o.MaxRetries = -1
	o.DialTimeout = max(timeout, time.Second)
	o.ReadTimeout = timeout
	o.WriteTimeout = timeout
	o.PoolTimeout = timeout
	o.PoolSize = max(o.PoolSize, 128)
}

// New returns a limiter over rdb (see TuneOptions); the caller owns rdb. Close stops it.
func New(rdb redis.UniversalClient, o Options) *Limiter {
	o.defaults()
	l := &Limiter{rdb: rdb, o: o, ks: newKeyspace(o.Prefix, o.Location), kick: make(chan struct{}, 1), stop: make(chan struct{})}
	l.local.Store(quota.NewLocal(l.localOptions()))
	l.wg.Add(1)
	go l.flusher()
	return l
}

func (l *Limiter) localOptions() quota.LocalOptions {
	return quota.LocalOptions{Location: l.o.Location, Now: l.o.Now, Ledger: l.o.Ledger, SessionTTL: l.o.SessionTTL,
		HoldTTL: l.o.HoldTTL, Log: l.o.Log}
}

// Degraded reports whether the limiter currently runs on the in-process fallback.
func (l *Limiter) Degraded() bool { return l.degraded.Load() }

// Fallbacks counts operations the in-process limiter decided because Redis could not.
func (l *Limiter) Fallbacks() int64 { return l.fallbacks.Load() }

// Outages counts the times Redis became unreachable.
func (l *Limiter) Outages() int64 { return l.outages.Load() }

// KeyPattern matches every key of this limiter (for cleanup tools and tests).
func (l *Limiter) KeyPattern() string { return l.ks.pattern() }

// Close stops the background work and sends pending settlements.
func (l *Limiter) Close(ctx context.Context) error {
	l.stopped.Do(func() { close(l.stop) })
	l.wg.Wait()
	l.Flush(ctx)
	return nil
}

// ledgerError marks a failure to read the ledger, which says nothing about Redis.
type ledgerError struct{ err error }

func (e *ledgerError) Error() string { return "read usage ledger: " + e.err.Error() }
func (e *ledgerError) Unwrap() error { return e.err }

// Acquire implements quota.Limiter.
func (l *Limiter) Acquire(ctx context.Context, t *quota.Ticket, p *catalog.Provider) *quota.Rejection {
	st := t.State()
	if st.Admitted && (p == nil || p == st.Provider) {
		return nil
	}
	if !l.degraded.Load() {
		r, err := l.acquireRemote(ctx, t, p)
		if err == nil {
			return r
		}
		var le *ledgerError
		switch {
		case errors.As(err, &le):
			l.o.Log.Warn("quota: cannot rebuild windows from the ledger; deciding in process", "err", err)
		case ctx.Err() != nil:
			// The client left; nothing to learn about Redis.
		default:
			l.degrade(err)
		}
	}
	l.fallbacks.Add(1)
	return l.local.Load().Acquire(ctx, t, p)
}

// acquireRemote runs ACQUIRE, carrying pending settlements in the same round trip, and
// rebuilds cold namespaces from the ledger when the script asks for it.
func (l *Limiter) acquireRemote(ctx context.Context, t *quota.Ticket, p *catalog.Provider) (*quota.Rejection, error) {
	st := t.State()
	admit := !st.Admitted
	settles := l.takePending(64)
	for try := 0; try < 3; try++ {
		now := l.o.Now()
		args := l.acquireArgs(t, p, now)
		cmd, err := l.exec(ctx, settles, func(c redis.Scripter) *redis.Cmd {
			return scriptAcquire.EvalSha(ctx, c, l.ks.keys, args...)
		})
		if err != nil {
			if ctx.Err() != nil {
				l.requeue(settles)
			} else {
				// Switch to the fallback first, so the failed settlements land in it.
				l.degrade(err)
				l.settleFailed(settles)
			}
			return nil, err
		}
		settles = nil
		res, err := cmd.Slice()
		if err != nil || len(res) == 0 {
			return nil, fmt.Errorf("quota acquire: unexpected reply %v: %w", res, err)
		}
		switch res[0] {
		case "ok":
			if admit {
				st.Admitted, st.Start, st.Remote = true, now, true
			}
			if p != nil {
				prevProvider, prevNew, prevLocal := st.Provider, st.ProviderNew, st.Provider != nil && !st.ProviderRemote
				st.Provider, st.ProviderNew, st.ProviderRemote = p, asInt(res, 1) == 1, true
				if prevLocal {
					l.local.Load().Release(t, prevProvider, prevNew)
				}
			}
			return nil, nil
		case "rej":
			r := l.rejection(res, t, p)
			if r.Provider && r.Type != quota.LimitSessions {
				l.refusals.Store(p.ID, refusal{until: now.Add(l.o.RefusalTTL), reason: r.Reason()})
			}
			return r, nil
		case "cold":
			for _, idx := range res[1:] {
				e, lim := l.entityAt(idx, t, p)
				if err := l.load(ctx, e, lim); err != nil {
					return nil, err
				}
			}
		default:
			return nil, fmt.Errorf("quota acquire: unexpected reply %v", res)
		}
	}
	return nil, errors.New("quota acquire: windows stayed cold after rebuilding them")
}

// acquireArgs builds ACQUIRE's arguments (see lua/acquire.lua).
func (l *Limiter) acquireArgs(t *quota.Ticket, p *catalog.Provider, now time.Time) []any {
	st := t.State()
	admit := !st.Admitted
	ms := now.UnixMilli()
	args := make([]any, 0, 11+3*17)
	var prev string
	if st.Provider != nil && st.ProviderRemote && p != nil {
		prev = l.ks.base(quota.Entity{Kind: quota.KindProvider, ID: st.Provider.ID})
	}
	args = append(args, l.ks.p, ms, t.RequestID, t.SessionMember(), l.o.SessionTTL.Milliseconds(),
		ms+l.o.HoldTTL.Milliseconds(), bit(admit), bit(p != nil), 0, prev, bit(st.ProviderNew))
	if admit {
		args[8] = t.User.RPMLimit
		args = l.ks.group(args, quota.Entity{Kind: quota.KindKey, ID: t.Key.ID}, &t.Key.Limits,
			quota.EffectiveSessions(t.Key, t.User), now, t.Hold)
		args = l.ks.group(args, quota.Entity{Kind: quota.KindUser, ID: t.User.ID}, &t.User.Limits,
			t.User.Limits.ConcurrentSessions, now, t.Hold)
	}
	if p != nil {
		args = l.ks.group(args, quota.Entity{Kind: quota.KindProvider, ID: p.ID}, &p.Limits, p.Limits.ConcurrentSessions, now, t.Hold)
	}
	return args
}

// entityAt maps a script's entity index (1 key, 2 user, 3 provider) to the entity.
func (l *Limiter) entityAt(idx any, t *quota.Ticket, p *catalog.Provider) (quota.Entity, *catalog.Limits) {
	switch idx {
	case int64(1):
		return quota.Entity{Kind: quota.KindKey, ID: t.Key.ID}, &t.Key.Limits
	case int64(2):
		return quota.Entity{Kind: quota.KindUser, ID: t.User.ID}, &t.User.Limits
	}
	return quota.Entity{Kind: quota.KindProvider, ID: p.ID}, &p.Limits
}

func (l *Limiter) rejection(res []any, t *quota.Ticket, p *catalog.Provider) *quota.Rejection {
	typ, _ := res[1].(string)
	e, _ := l.entityAt(res[2], t, p)
	r := &quota.Rejection{Type: typ, Scope: e.Kind, ID: e.ID, Current: asInt(res, 3), Limit: asInt(res, 4),
		Reserved: asInt(res, 5), Provider: e.Kind == quota.KindProvider}
	switch reset := asInt(res, 6); {
	case reset < 0:
		r.Reset = quota.TotalReset
	case reset > 0:
		r.Reset = time.UnixMilli(reset)
	}
	return r
}

func asInt(res []any, i int) int64 {
	if i >= len(res) {
		return 0
	}
	v, _ := res[i].(int64)
	return v
}

// load rebuilds e's namespace from the ledger (LOAD is a no-op when another instance already
// did).
func (l *Limiter) load(ctx context.Context, e quota.Entity, lim *catalog.Limits) error {
	now := l.o.Now()
	var h quota.History
	if l.o.Ledger != nil {
		from, since := quota.LoadRange(lim, now, l.o.Location)
		var err error
		if h, err = l.o.Ledger.History(ctx, e, from, since); err != nil {
			return &ledgerError{err}
		}
	}
	s := quota.Summarize(h, lim, now, l.o.Location)
	ms := now.UnixMilli()
	args := make([]any, 0, 14+2*len(s.Events))
	args = append(args, l.ks.base(e)+":"+l.ks.sig(lim),
		ms-quota.FiveHours.Milliseconds(), s.Rolling5h, ms-quota.Day.Milliseconds(), s.Rolling24h,
		s.DailyStart, s.Daily, s.WeeklyStart, s.Weekly, s.MonthlyStart, s.Monthly, s.Total, s.Fixed5hStart, s.Fixed5h)
	for _, ev := range s.Events {
		args = append(args, ev.At, ev.Cost)
	}
	ctx, cancel := context.WithTimeout(ctx, l.o.Timeout)
	defer cancel()
	return scriptLoad.Run(ctx, l.rdb, l.ks.keys, args...).Err()
}

// ProviderAvailable implements quota.Limiter: a provider Redis refused for spend in the last
// RefusalTTL is skipped without asking again; everything else is decided by Acquire.
func (l *Limiter) ProviderAvailable(p *catalog.Provider, sid string) (bool, string) {
	if l.degraded.Load() {
		return l.local.Load().ProviderAvailable(p, sid)
	}
	v, ok := l.refusals.Load(p.ID)
	if !ok {
		return true, ""
	}
	r := v.(refusal)
	if l.o.Now().Before(r.until) {
		return false, r.reason
	}
	l.refusals.CompareAndDelete(p.ID, v)
	return true, ""
}

// Usage implements quota.Limiter.
func (l *Limiter) Usage(ctx context.Context, e quota.Entity, lim *catalog.Limits, rpmLimit int) (quota.EntityUsage, error) {
	if !l.degraded.Load() {
		u, err := l.usageRemote(ctx, e, lim, rpmLimit)
		if err == nil {
			return u, nil
		}
		var le *ledgerError
		if !errors.As(err, &le) && ctx.Err() == nil {
			l.degrade(err)
		}
	}
	return l.local.Load().Usage(ctx, e, lim, rpmLimit)
}

func (l *Limiter) usageRemote(ctx context.Context, e quota.Entity, lim *catalog.Limits, rpmLimit int) (quota.EntityUsage, error) {
	for try := 0; try < 2; try++ {
		now := l.o.Now()
		ms := now.UnixMilli()
		args := []any{ms, l.o.SessionTTL.Milliseconds()}
		args = l.ks.group(args, e, lim, lim.ConcurrentSessions, now, 0)
		cctx, cancel := context.WithTimeout(ctx, l.o.Timeout)
		res, err := scriptUsage.Run(cctx, l.rdb, l.ks.keys, args...).Slice()
		cancel()
		if err != nil {
			return quota.EntityUsage{}, err
		}
		if len(res) > 0 && res[0] == "cold" {
			if err := l.load(ctx, e, lim); err != nil {
				return quota.EntityUsage{}, err
			}
			continue
		}
		u := quota.EntityUsage{Reserved: asInt(res, 7), Sessions: int(asInt(res, 8)), SessionLimit: lim.ConcurrentSessions,
			RPM: int(asInt(res, 9)), RPMLimit: rpmLimit}
		if e.Kind != quota.KindUser {
			u.RPM, u.RPMLimit = 0, 0
		}
		used := [...]int64{asInt(res, 1), asInt(res, 3), asInt(res, 4), asInt(res, 5), asInt(res, 6)}
		var f5 time.Time
		if r5 := asInt(res, 2); r5 > 0 {
			f5 = time.UnixMilli(r5).Add(-quota.FiveHours)
		}
		for _, w := range quota.Windows {
			sp := quota.SpanOf(w, lim, now, l.o.Location, f5)
			u.Windows[w] = quota.WindowUsage{Window: w, Rolling: sp.Rolling, Used: used[w], Limit: w.Limit(lim),
				Start: sp.Start, Reset: sp.Reset}
		}
		return u, nil
	}
	return quota.EntityUsage{}, errors.New("quota usage: windows stayed cold after rebuilding them")
}

// exec sends the settlements and the command built by extra (if any) in one pipeline: one
// round trip. A command whose script the server lost (a restarted Redis) is rerun with EVAL.
func (l *Limiter) exec(ctx context.Context, settles []*settleOp, extra func(redis.Scripter) *redis.Cmd) (*redis.Cmd, error) {
	ctx, cancel := context.WithTimeout(ctx, l.o.Timeout)
	defer cancel()
	pipe := l.rdb.Pipeline()
	scmds := make([]*redis.Cmd, len(settles))
	for i, op := range settles {
		scmds[i] = scriptSettle.EvalSha(ctx, pipe, l.ks.keys, l.settleArgs(op)...)
	}
	var cmd *redis.Cmd
	if extra != nil {
		cmd = extra(pipe)
	}
	if _, err := pipe.Exec(ctx); err != nil && !noScript(err) {
		return nil, err
	}
	for i, c := range scmds {
		if noScript(c.Err()) {
			scmds[i] = evalFallback(ctx, l.rdb, c)
		}
		if err := scmds[i].Err(); err != nil {
			return nil, err
		}
	}
	if cmd != nil && noScript(cmd.Err()) {
		// Only the digest was missing (a restarted Redis); the script did not run.
		cmd = evalFallback(ctx, l.rdb, cmd)
	}
	if cmd != nil && cmd.Err() != nil {
		return nil, cmd.Err()
	}
	return cmd, nil
}

// evalFallback reruns a failed EVALSHA as EVAL.
func evalFallback(ctx context.Context, c redis.Scripter, failed *redis.Cmd) *redis.Cmd {
	args := failed.Args() // evalsha, sha, numkeys, keys…, args…
	for _, s := range []*redis.Script{scriptAcquire, scriptSettle, scriptLoad, scriptUsage} {
		if len(args) > 3 && args[1] == s.Hash() {
			nk, _ := args[2].(int)
			keys := make([]string, 0, nk)
			for _, k := range args[3 : 3+nk] {
				keys = append(keys, k.(string))
			}
			return s.Eval(ctx, c, keys, args[3+nk:]...)
		}
	}
	return failed
}

func noScript(err error) bool { return err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") }

// degrade switches to the in-process limiter: a fresh one, which rebuilds every entity it
// meets from the ledger, so it starts from everyone's spend, not from what it saw last time.
func (l *Limiter) degrade(err error) {
	if !l.degraded.CompareAndSwap(false, true) {
		return
	}
	l.outages.Add(1)
	l.local.Store(quota.NewLocal(l.localOptions()))
	l.o.Log.Warn("quota: Redis is unreachable; enforcing limits in process until it answers", "err", err)
	l.wg.Add(1)
	go l.probe()
}
