package admin

import (
	"net"
	"sync"
	"time"
)

// Login lockout numbers copied from Claude Code Hub's login-abuse policy: 10 failures from one
// address within 5 minutes lock that address out for 15 minutes.
const (
	loginMaxFailures   = 10
	loginFailureWindow = 5 * time.Minute
	loginLockDuration  = 15 * time.Minute
	// lockoutSweepAt bounds memory: past this many tracked addresses, idle ones are dropped.
	lockoutSweepAt = 10_000
)

// lockout counts failed logins per client address in memory. It is per instance on purpose:
// an attacker spreading guesses over N instances gets N×10 tries per 15 minutes, still far too
// few against a 128-bit key or a reasonable admin token, and no shared store is needed.
type lockout struct {
	mu     sync.Mutex
	now    func() time.Time
	max    int
	window time.Duration
	lock   time.Duration
	addrs  map[string]*loginFailures
}

type loginFailures struct {
	times []time.Time // failures inside the window, oldest first
	until time.Time   // locked until this instant (zero: not locked)
}

func newLockout(now func() time.Time, max int, window, lock time.Duration) *lockout {
	return &lockout{now: now, max: max, window: window, lock: lock, addrs: map[string]*loginFailures{}}
}

// locked reports whether addr is locked out and for how much longer.
func (l *lockout) locked(addr string) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.addrs[addr]
	if f == nil {
		return 0, false
	}
	now := l.now()
	if left := f.until.Sub(now); left > 0 {
		return left, true
	}
	return 0, false
}

// fail records a failed login from addr; the max-th failure inside the window starts the lock.
// A successful login deliberately resets nothing: otherwise holding one valid (low-privilege)
// key would let an attacker interleave logins to keep guessing the admin token forever.
func (l *lockout) fail(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	f := l.addrs[addr]
	if f == nil {
		if len(l.addrs) >= lockoutSweepAt {
			l.sweep(now)
		}
		f = &loginFailures{}
		l.addrs[addr] = f
	}
	f.times = append(f.times, now)
	f.prune(now, l.window)
	if len(f.times) >= l.max {
		f.until = now.Add(l.lock)
		f.times = f.times[:0] // after the lock, the address starts with a clean count
	}
}

func (f *loginFailures) prune(now time.Time, window time.Duration) {
	i := 0
	for i < len(f.times) && now.Sub(f.times[i]) >= window {
		i++
	}
	f.times = append(f.times[:0], f.times[i:]...)
}

// sweep drops addresses with no failure inside the window and no running lock.
func (l *lockout) sweep(now time.Time) {
	for addr, f := range l.addrs {
		f.prune(now, l.window)
		if len(f.times) == 0 && !now.Before(f.until) {
			delete(l.addrs, addr)
		}
	}
}

// clientKey maps an address to the unit that is counted: the IP itself for IPv4, the /64 for
// IPv6, since one host usually controls a whole /64 and could otherwise rotate addresses.
func clientKey(ip string) string {
	p := net.ParseIP(ip)
	if p == nil {
		return ip
	}
	if p.To4() != nil {
		return p.String()
	}
	return p.Mask(net.CIDRMask(64, 128)).String() + "/64"
}
