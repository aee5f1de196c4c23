package admin

import (
	"testing"
	"time"
)

func TestLockout(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newLockout(clock.Now, 3, time.Minute, 10*time.Minute)
	l.fail("a")
	clock.Advance(30 * time.Second)
	l.fail("a")
	if _, locked := l.locked("a"); locked {
		t.Fatal("locked after 2 of 3")
	}
	// The first failure leaves the window: still two in it.
	clock.Advance(30 * time.Second)
	l.fail("a")
	if _, locked := l.locked("a"); locked {
		t.Fatal("an expired failure still counted")
	}
	l.fail("a")
	left, locked := l.locked("a")
	if !locked || left != 10*time.Minute {
		t.Fatalf("locked=%v left=%v", locked, left)
	}
	if _, locked := l.locked("b"); locked {
		t.Fatal("another address is locked")
	}
	clock.Advance(10*time.Minute - time.Nanosecond)
	if _, locked := l.locked("a"); !locked {
		t.Fatal("unlocked early")
	}
	clock.Advance(time.Nanosecond)
	if _, locked := l.locked("a"); locked {
		t.Fatal("still locked after the lock duration")
	}
	l.fail("a")
	if _, locked := l.locked("a"); locked {
		t.Fatal("the count did not restart after the lock")
	}
}

func TestLockoutSweepBoundsMemory(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newLockout(clock.Now, 2, time.Minute, time.Hour)
	l.fail("locked")
	l.fail("locked")
	for i := range lockoutSweepAt {
		l.fail("idle-" + itoa(i))
	}
	clock.Advance(time.Minute)
	l.fail("new") // triggers the sweep: idle addresses go, the locked one stays
	if len(l.addrs) != 2 {
		t.Fatalf("%d addresses tracked after the sweep", len(l.addrs))
	}
	if _, locked := l.locked("locked"); !locked {
		t.Fatal("the sweep dropped a running lock")
	}
}
