package admin

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

// fakeCircuits is a gateway's breakers as the admin API sees them.
type fakeCircuits struct {
	mu     sync.Mutex
	states map[int]string
	fails  map[int]int
	until  map[int]time.Time
	resets []int
}

func newFakeCircuits() *fakeCircuits {
	return &fakeCircuits{states: map[int]string{}, fails: map[int]int{}, until: map[int]time.Time{}}
}

func (f *fakeCircuits) set(id int, state string, failures int, until time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.states[id], f.fails[id], f.until[id] = state, failures, until
}

func (f *fakeCircuits) Reset(id int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.resets = append(f.resets, id)
	delete(f.states, id)
	delete(f.fails, id)
	delete(f.until, id)
}

func (f *fakeCircuits) Status(id int) (string, int, time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.states[id]
	if st == "" {
		st = "closed"
	}
	return st, f.fails[id], f.until[id]
}

func (f *fakeCircuits) resetCalls() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.resets)
}

// fakeTester answers every test with res and err and records the ids it was asked about.
type fakeTester struct {
	mu    sync.Mutex
	res   ProviderTestResult
	err   error
	calls []int
}

func (f *fakeTester) TestProvider(ctx context.Context, id int) (ProviderTestResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, id)
	return f.res, f.err
}

func (f *fakeTester) answer(res ProviderTestResult, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.res, f.err = res, err
}

func (f *fakeTester) called() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

type notInSnapshot struct{}

func (notInSnapshot) Error() string  { return "provider not found" }
func (notInSnapshot) NotFound() bool { return true }

func withGateway(c Circuits, t Tester) harnessOption {
	return func(cfg *Config) {
		cfg.Circuits = c
		cfg.Tester = t
	}
}

func TestProviderCircuitInViews(t *testing.T) {
	circuits := newFakeCircuits()
	h := newSQLiteHarness(t, withGateway(circuits, &fakeTester{}))
	open := h.admin("POST", "/api/v1/providers", validProvider()).want(201).id()
	p2 := validProvider()
	p2["name"] = "second"
	closed := h.admin("POST", "/api/v1/providers", p2).want(201).id()
	until := time.Date(2026, 3, 1, 12, 30, 0, 0, time.FixedZone("CET", 3600))
	circuits.set(open, "open", 5, until)

	var v providerView
	h.admin("GET", "/api/v1/providers/"+itoa(open), nil).want(200).decode(&v)
	if v.circuitView == nil || *v.circuitView != (circuitView{CircuitState: "open", CircuitFailures: 5, CircuitOpenUntil: v.CircuitOpenUntil}) ||
		v.CircuitOpenUntil == nil || *v.CircuitOpenUntil != "2026-03-01T11:30:00Z" {
		t.Fatalf("open provider circuit %+v", v.circuitView)
	}
	r := h.admin("GET", "/api/v1/providers/"+itoa(closed), nil).want(200)
	if !r.contains(`"circuit_state":"closed","circuit_failures":0,"circuit_open_until":null`) {
		t.Fatalf("closed provider: %s", r.Body)
	}
	var l list[providerView]
	h.admin("GET", "/api/v1/providers", nil).want(200).decode(&l)
	if len(l.Items) != 2 || l.Items[0].circuitView == nil || l.Items[0].CircuitState != "open" ||
		l.Items[1].circuitView == nil || l.Items[1].CircuitState != "closed" {
		t.Fatalf("list %+v", l.Items)
	}

	// Without a gateway the members are absent, not null.
	plain := newHarness(t, h.store)
	r = plain.admin("GET", "/api/v1/providers/"+itoa(open), nil).want(200)
	if r.contains("circuit_state") || r.contains("circuit_failures") || r.contains("circuit_open_until") {
		t.Fatalf("circuit members without a gateway: %s", r.Body)
	}
}

func TestProviderCircuitReset(t *testing.T) {
	circuits := newFakeCircuits()
	h := newSQLiteHarness(t, withGateway(circuits, &fakeTester{}))
	id := h.admin("POST", "/api/v1/providers", validProvider()).want(201).id()
	circuits.set(id, "half_open", 5, time.Time{})

	r := h.admin("POST", "/api/v1/providers/"+itoa(id)+"/circuit/reset", nil).want(204)
	if len(r.Body) != 0 {
		t.Fatalf("204 with a body: %s", r.Body)
	}
	if got := circuits.resetCalls(); !slices.Equal(got, []int{id}) {
		t.Fatalf("resets %v", got)
	}
	var v providerView
	h.admin("GET", "/api/v1/providers/"+itoa(id), nil).want(200).decode(&v)
	if v.CircuitState != "closed" || v.CircuitFailures != 0 {
		t.Fatalf("after reset %+v", v.circuitView)
	}
	// Unknown ids are 404 and reach no breaker.
	for _, p := range []string{itoa(id + 1), "0", "abc"} {
		h.admin("POST", "/api/v1/providers/"+p+"/circuit/reset", nil).wantError(404, "")
	}
	h.admin("DELETE", "/api/v1/providers/"+itoa(id), nil).want(204)
	h.admin("POST", "/api/v1/providers/"+itoa(id)+"/circuit/reset", nil).wantError(404, "")
	if got := circuits.resetCalls(); len(got) != 1 {
		t.Fatalf("resets %v", got)
	}
	// The admin guard applies: no token, and cookie mutations need a same-origin request.
	h.req("POST", "/api/v1/providers/"+itoa(id)+"/circuit/reset", nil).wantError(401, "")
	ck := h.login(testToken)
	id2 := h.admin("POST", "/api/v1/providers", validProvider()).want(201).id()
	h.req("POST", "/api/v1/providers/"+itoa(id2)+"/circuit/reset", nil, cookie(ck), origin("https://evil.example")).wantError(403, "")
	h.req("POST", "/api/v1/providers/"+itoa(id2)+"/circuit/reset", nil, cookie(ck), origin(testOrigin)).want(204)
	if got := circuits.resetCalls(); !slices.Equal(got, []int{id, id2}) {
		t.Fatalf("resets %v", got)
	}
}

func TestProviderTest(t *testing.T) {
	tester := &fakeTester{res: ProviderTestResult{OK: false, StatusCode: 401, LatencyMs: 87,
		Message: "invalid x-api-key", Model: "claude-haiku-4-5"}}
	h := newSQLiteHarness(t, withGateway(newFakeCircuits(), tester))
	id := h.admin("POST", "/api/v1/providers", validProvider()).want(201).id()

	r := h.admin("POST", "/api/v1/providers/"+itoa(id)+"/test", nil).want(200)
	want := `{"ok":false,"status_code":401,"latency_ms":87,"message":"invalid x-api-key","model":"claude-haiku-4-5"}`
	if string(r.Body) != want {
		t.Fatalf("body %s\nwant %s", r.Body, want)
	}
	okRes := ProviderTestResult{OK: true, StatusCode: 200, LatencyMs: 5, Message: "ok", Model: "m"}
	tester.answer(okRes, nil)
	var got ProviderTestResult
	h.admin("POST", "/api/v1/providers/"+itoa(id)+"/test", nil).want(200).decode(&got)
	if got != okRes {
		t.Fatalf("result %+v", got)
	}
	if calls := tester.called(); !slices.Equal(calls, []int{id, id}) {
		t.Fatalf("tester calls %v", calls)
	}

	// Unknown ids are 404 without reaching the gateway.
	for _, p := range []string{itoa(id + 1), "0", "-3", "abc"} {
		h.admin("POST", "/api/v1/providers/"+p+"/test", nil).wantError(404, "")
	}
	if calls := tester.called(); len(calls) != 2 {
		t.Fatalf("tester calls %v", calls)
	}
	// Known to the database but not to the gateway: 404 too.
	tester.answer(okRes, notInSnapshot{})
	h.admin("POST", "/api/v1/providers/"+itoa(id)+"/test", nil).wantError(404, "")
	// Any other gateway failure is a 500 that does not leak its text.
	tester.answer(okRes, errors.New("boom: secret detail"))
	r = h.admin("POST", "/api/v1/providers/"+itoa(id)+"/test", nil).wantError(500, "")
	if r.contains("secret detail") {
		t.Fatalf("500 leaks the cause: %s", r.Body)
	}
	h.req("POST", "/api/v1/providers/"+itoa(id)+"/test", nil).wantError(401, "")
}

func TestProviderOpsWithoutGateway(t *testing.T) {
	h := newSQLiteHarness(t)
	id := h.admin("POST", "/api/v1/providers", validProvider()).want(201).id()
	h.admin("POST", "/api/v1/providers/"+itoa(id)+"/test", nil).wantError(501, "")
	h.admin("POST", "/api/v1/providers/"+itoa(id)+"/circuit/reset", nil).wantError(501, "")
}
