package quota

// inflight is what one entity tracks about requests in flight and recent ones: budget
// reservations, active sessions and (for users) the RPM window. Times are Unix ms. It is not
// safe for concurrent use (the entity's mutex guards it).
type inflight struct {
	held     int64
	holds    map[string]hold
	nextExp  int64 // earliest hold expiry; 0 when there are none
	sessions map[string]int64
	pruned   int64 // when sessions were last swept
	// rpm[rpmHead:] are the admission times of the last minute, ascending.
	rpm     []int64
	rpmHead int
}

type hold struct{ amount, expires int64 }

// reserve holds amount for request id until expires.
func (f *inflight) reserve(id string, amount, expires int64) {
	if amount <= 0 {
		return
	}
	if f.holds == nil {
		f.holds = make(map[string]hold)
	}
	if old, ok := f.holds[id]; ok {
		f.held -= old.amount
	}
	f.holds[id] = hold{amount, expires}
	f.held += amount
	if f.nextExp == 0 || expires < f.nextExp {
		f.nextExp = expires
	}
}

// release frees request id's reservation.
func (f *inflight) release(id string) {
	if h, ok := f.holds[id]; ok {
		f.held -= h.amount
		delete(f.holds, id)
	}
}

// expire drops reservations of requests that never settled (a crash between admission and
// settlement must not hold budget forever).
func (f *inflight) expire(now int64) {
	if f.nextExp == 0 || now < f.nextExp {
		return
	}
	f.nextExp = 0
	for id, h := range f.holds {
		if h.expires <= now {
			f.held -= h.amount
			delete(f.holds, id)
		} else if f.nextExp == 0 || h.expires < f.nextExp {
			f.nextExp = h.expires
		}
	}
}

// activeSessions counts sessions seen within ttl of now. The sweep runs at most once a second
// unless exact is set (a rejection is decided on an exact count).
func (f *inflight) activeSessions(now, ttl int64, exact bool) int {
	if exact || now-f.pruned >= 1000 {
		f.pruned = now
		for id, seen := range f.sessions {
			if seen <= now-ttl {
				delete(f.sessions, id)
			}
		}
	}
	return len(f.sessions)
}

// hasSession reports whether session id is active.
func (f *inflight) hasSession(id string, now, ttl int64) bool {
	seen, ok := f.sessions[id]
	return ok && seen > now-ttl
}

// touchSession marks session id active at now and reports whether it was not active before.
func (f *inflight) touchSession(id string, now, ttl int64) bool {
	if f.sessions == nil {
		f.sessions = make(map[string]int64)
	}
	fresh := !f.hasSession(id, now, ttl)
	f.sessions[id] = now
	return fresh
}

func (f *inflight) dropSession(id string) { delete(f.sessions, id) }

// rpmCount is the number of requests admitted in the minute before now, and when the oldest of
// them leaves the window.
func (f *inflight) rpmCount(now int64) (int, int64) {
	cut := now - 60_000
	for f.rpmHead < len(f.rpm) && f.rpm[f.rpmHead] <= cut {
		f.rpmHead++
	}
	// Compact once the expired prefix is most of the slice: amortised O(1) per request.
	if f.rpmHead > 64 && f.rpmHead*2 > len(f.rpm) {
		f.rpm = f.rpm[:copy(f.rpm, f.rpm[f.rpmHead:])]
		f.rpmHead = 0
	}
	n := len(f.rpm) - f.rpmHead
	if n == 0 {
		return 0, 0
	}
	return n, f.rpm[f.rpmHead] + 60_000
}

func (f *inflight) addRequest(now int64) {
	if n := len(f.rpm); n > f.rpmHead && f.rpm[n-1] > now {
		now = f.rpm[n-1] // clocks read outside the lock may be a hair out of order
	}
	f.rpm = append(f.rpm, now)
}
