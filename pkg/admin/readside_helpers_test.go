package admin

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cchub/cchub/pkg/billing"
)

var recSeq atomic.Int64

// rec is a billing record for the read-side tests: 200, 100 input and 10 output tokens,
// 1000 ms, TTFB 100 ms, cost 1 µUSD, unless set changes it.
func rec(at time.Time, userID, keyID, providerID int, model string, set ...func(*billing.Record)) billing.Record {
	r := billing.Record{
		RequestID: fmt.Sprintf("req-%d", recSeq.Add(1)), CreatedAt: at,
		UserID: userID, KeyID: keyID, ProviderID: providerID, Model: model, OriginalModel: model,
		Endpoint: "/v1/messages", StatusCode: 200, DurationMs: 1000, TTFBMs: 100,
		SessionID: "sess-" + model,
		Usage:     billing.Usage{InputTokens: 100, OutputTokens: 10},
		CostNano:  1000, CostMultiplier: 1, Ledger: true,
		ProviderChain: []byte(`[{"provider_id":1,"provider_name":"upstream-secret-name","reason":"request_success"}]`),
	}
	for _, f := range set {
		f(&r)
	}
	return r
}

// write stores records through the billing writer's path (logs, ledger and rollups together).
func (h *harness) write(recs ...billing.Record) {
	h.t.Helper()
	if err := h.store.WriteBatch(context.Background(), recs); err != nil {
		h.t.Fatal(err)
	}
}

func withLocation(loc *time.Location) harnessOption {
	return func(c *Config) { c.Location = loc }
}

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// keyLogin creates a user with a key that may log in and returns the ids and the session.
func (h *harness) keyLogin(name string) (userID, keyID int, session string) {
	h.t.Helper()
	userID = h.createUser(name, nil)
	keyID, secret := h.createKey(userID, map[string]any{"name": name + "-key", "can_login_web_ui": true})
	return userID, keyID, h.login(secret)
}

// num reads a JSON number member (sonic decodes into int64 or float64).
func num(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return -1
}
