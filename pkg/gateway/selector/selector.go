// Package selector picks the upstream provider for a request and decides what to do when an
// attempt fails. Everything here is a pure function of its inputs (the random source and the
// clock are injected) except Breakers, whose state is in-process and safe for concurrent use.
// It imports only the standard library and the catalog types, so the rules can be table-tested
// without a server.
package selector

import (
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/cchub/cchub/pkg/gateway/catalog"
)

// Reasons a provider is filtered out. They are written into the decision chain and counted in the
// 503 message, so they are stable strings rather than an enum.
const (
	ReasonDisabled    = "disabled"
	ReasonGroup       = "group_mismatch"
	ReasonFormat      = "format_mismatch"
	ReasonModel       = "model_not_allowed"
	ReasonExcluded    = "excluded"
	ReasonCircuitOpen = "circuit_open"
	// ReasonIneligible is used when Input.Eligible refuses a provider without saying why.
	ReasonIneligible = "ineligible"
	// ReasonUnknown is returned by Reuse when the bound provider is no longer in the list.
	ReasonUnknown = "unknown_provider"
)

// Health reports whether a provider's circuit lets a request through at now. Breakers
// implements it; tests use a stub.
type Health interface {
	Available(p *catalog.Provider, now time.Time) bool
}

// Input is everything one selection looks at. The slice and providers are read, never modified.
type Input struct {
	Providers []*catalog.Provider
	// Group is the caller's effective provider group (see EffectiveGroup); "" means "default".
	Group string
	// Format is the inbound wire format.
	Format catalog.Format
	// Model is the model the client asked for, before any redirect: allowlists are written
	// against what clients send, and redirects apply only after a provider is chosen.
	Model string
	// Exclude lists providers that already failed this request.
	Exclude []int
	// Health filters providers whose circuit is open; nil treats all as healthy.
	Health Health
	// Now is passed to Health; set it, because a zero time reads as "before every deadline"
	// and so keeps open circuits open.
	Now time.Time
	// Accepts reports whether p can serve Format. Nil means same format only
	// (p.Type.Format() == Format); cross-format conversion widens it when a translator exists.
	Accepts func(p *catalog.Provider) bool
	// Eligible is the last filter, for per-provider spend and concurrency limits that live
	// outside this package; nil accepts every provider.
	Eligible func(p *catalog.Provider) (ok bool, reason string)
}

// Filtered is one provider that did not make it past the filters. It carries the id and name
// rather than the provider so a decision chain built from it can never leak the upstream key.
type Filtered struct {
	ID     int
	Name   string
	Reason string
}

// Result is the outcome of Select.
type Result struct {
	// Provider is the chosen provider, nil when none passed the filters.
	Provider *catalog.Provider
	// Candidates counts providers that passed every filter.
	Candidates int
	// Tier counts the candidates in the chosen (lowest) priority tier.
	Tier int
	// Priority is the chosen tier's priority number.
	Priority int
	// Filtered lists every provider that was filtered out, in input order, with its reason.
	// Group mismatches are included for the admin's decision chain; a client-facing message
	// should leave them out, since groups exist to keep providers invisible to other users.
	Filtered []Filtered
}

// EffectiveGroup is the provider group a request routes in: the key's group overrides the
// user's, and an empty one means "default".
func EffectiveGroup(k *catalog.Key, u *catalog.User) string {
	if k != nil && strings.TrimSpace(k.ProviderGroup) != "" {
		return k.ProviderGroup
	}
	if u != nil && strings.TrimSpace(u.ProviderGroup) != "" {
		return u.ProviderGroup
	}
	return defaultGroup
}

// Select filters in.Providers, keeps the lowest priority number, and picks one of those at
// random in proportion to Weight. rnd returns a uniform int in [0, n); nil uses math/rand/v2.
// Filters run in this order and a provider is reported under the first one it fails: enabled,
// group, format, model allowlist, excluded, circuit, Eligible.
func Select(in Input, rnd func(n int) int) Result {
	var res Result
	// Most hubs have a handful of providers; the array keeps the candidate list on the stack.
	var buf [16]*catalog.Provider
	cands := buf[:0]
	for _, p := range in.Providers {
		if p == nil {
			continue
		}
		if reason := in.reject(p); reason != "" {
			res.Filtered = append(res.Filtered, Filtered{ID: p.ID, Name: p.Name, Reason: reason})
			continue
		}
		cands = append(cands, p)
	}
	res.Candidates = len(cands)
	if len(cands) == 0 {
		return res
	}

	minPrio := cands[0].Priority
	for _, p := range cands[1:] {
		minPrio = min(minPrio, p.Priority)
	}
	tier := cands[:0]
	for _, p := range cands {
		if p.Priority == minPrio {
			tier = append(tier, p)
		}
	}
	// Cheaper providers first, so the low end of the random range (and every tie in a
	// zero-weight tier walked in order) leans toward them; id last makes the order, and so a
	// seeded pick, independent of the snapshot's slice order.
	slices.SortFunc(tier, func(a, b *catalog.Provider) int {
		if a.CostMultiplier != b.CostMultiplier {
			if a.CostMultiplier < b.CostMultiplier {
				return -1
			}
			return 1
		}
		return a.ID - b.ID
	})
	res.Tier = len(tier)
	res.Priority = minPrio
	res.Provider = weighted(tier, rnd)
	return res
}

// Reuse returns the provider bound to a session if it still passes every filter of in, and
// otherwise nil with the reason. Priority is deliberately not checked: a session stays on a
// healthy lower-priority provider so the upstream prompt cache keeps paying off.
func Reuse(in Input, providerID int) (*catalog.Provider, string) {
	for _, p := range in.Providers {
		if p == nil || p.ID != providerID {
			continue
		}
		if reason := in.reject(p); reason != "" {
			return nil, reason
		}
		return p, ""
	}
	return nil, ReasonUnknown
}

// reject returns the first filter p fails, or "".
func (in *Input) reject(p *catalog.Provider) string {
	if !p.Enabled {
		return ReasonDisabled
	}
	if !GroupsIntersect(in.Group, p.GroupTags) {
		return ReasonGroup
	}
	if in.Accepts != nil {
		if !in.Accepts(p) {
			return ReasonFormat
		}
	} else if p.Type.Format() != in.Format {
		return ReasonFormat
	}
	if !ModelAllowed(p.AllowedModels, in.Model) {
		return ReasonModel
	}
	if slices.Contains(in.Exclude, p.ID) {
		return ReasonExcluded
	}
	if in.Health != nil && !in.Health.Available(p, in.Now) {
		return ReasonCircuitOpen
	}
	if in.Eligible != nil {
		if ok, reason := in.Eligible(p); !ok {
			if reason == "" {
				reason = ReasonIneligible
			}
			return reason
		}
	}
	return ""
}

// ModelAllowed reports whether model is on an allowlist (empty allows all). It matches case-insensitively: the catalog lower-cases the list, but clients send
// whatever case their config has.
func ModelAllowed(allowed []string, model string) bool {
	if len(allowed) == 0 {
		return true
	}
	for _, m := range allowed {
		if strings.EqualFold(m, model) {
			return true
		}
	}
	return false
}

// weighted picks from tier in proportion to Weight; negative weights count as zero and an
// all-zero tier is uniform, so a misconfigured weight never makes a provider unreachable.
func weighted(tier []*catalog.Provider, rnd func(n int) int) *catalog.Provider {
	if len(tier) == 1 {
		return tier[0]
	}
	if rnd == nil {
		rnd = rand.IntN
	}
	total := 0
	for _, p := range tier {
		total += max(p.Weight, 0)
	}
	if total == 0 {
		return tier[rnd(len(tier))]
	}
	r := rnd(total)
	for _, p := range tier {
		w := max(p.Weight, 0)
		if r < w {
			return p
		}
		r -= w
	}
	// Unreachable with a correct rnd; a bad one still gets a valid provider.
	return tier[len(tier)-1]
}
