package selector

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/cchub/cchub/pkg/gateway/catalog"
)

// prov builds an enabled claude provider in the default group; opts adjust it.
func prov(id int, opts ...func(*catalog.Provider)) *catalog.Provider {
	p := &catalog.Provider{
		ID: id, Name: "p" + string(rune('0'+id%10)), Type: catalog.TypeClaude, Enabled: true,
		Weight: 1, CostMultiplier: 1, GroupTags: []string{"default"},
	}
	for _, o := range opts {
		o(p)
	}
	return p
}

func disabled(p *catalog.Provider) { p.Enabled = false }
func typ(t catalog.ProviderType) func(*catalog.Provider) {
	return func(p *catalog.Provider) { p.Type = t }
}
func tags(t ...string) func(*catalog.Provider) { return func(p *catalog.Provider) { p.GroupTags = t } }
func models(m ...string) func(*catalog.Provider) {
	return func(p *catalog.Provider) { p.AllowedModels = m }
}
func prio(n int) func(*catalog.Provider)   { return func(p *catalog.Provider) { p.Priority = n } }
func weight(n int) func(*catalog.Provider) { return func(p *catalog.Provider) { p.Weight = n } }
func cost(c float64) func(*catalog.Provider) {
	return func(p *catalog.Provider) { p.CostMultiplier = c }
}

// healthStub marks listed ids as circuit-open.
type healthStub map[int]bool

func (h healthStub) Available(p *catalog.Provider, _ time.Time) bool { return !h[p.ID] }

// first always returns 0, i.e. the first provider of the sorted tier.
func first(int) int { return 0 }

func ids(fs []Filtered) map[int]string {
	out := map[int]string{}
	for _, f := range fs {
		out[f.ID] = f.Reason
	}
	return out
}

func TestSelectFilters(t *testing.T) {
	tests := []struct {
		name      string
		in        Input
		want      int            // chosen id, 0 for none
		filtered  map[int]string // id → reason
		candidate int
	}{
		{
			name:     "disabled",
			in:       Input{Providers: []*catalog.Provider{prov(1, disabled), prov(2)}, Format: catalog.FormatAnthropic},
			want:     2,
			filtered: map[int]string{1: ReasonDisabled}, candidate: 1,
		},
		{
			name: "format: anthropic sees claude and claude-auth only",
			in: Input{Providers: []*catalog.Provider{
				prov(1, typ(catalog.TypeCodex)), prov(2, typ(catalog.TypeOpenAI)), prov(3, typ(catalog.TypeGemini)),
				prov(4, typ(catalog.TypeClaudeAuth)), prov(5),
			}, Format: catalog.FormatAnthropic},
			want:     4,
			filtered: map[int]string{1: ReasonFormat, 2: ReasonFormat, 3: ReasonFormat}, candidate: 2,
		},
		{
			name: "format: responses sees codex",
			in: Input{Providers: []*catalog.Provider{prov(1), prov(2, typ(catalog.TypeCodex))},
				Format: catalog.FormatResponses},
			want: 2, filtered: map[int]string{1: ReasonFormat}, candidate: 1,
		},
		{
			name: "format: Accepts widens it",
			in: Input{Providers: []*catalog.Provider{prov(1, typ(catalog.TypeOpenAI)), prov(2, typ(catalog.TypeGemini))},
				Format: catalog.FormatAnthropic,
				Accepts: func(p *catalog.Provider) bool {
					return p.Type == catalog.TypeOpenAI
				}},
			want: 1, filtered: map[int]string{2: ReasonFormat}, candidate: 1,
		},
		{
			name: "model allowlist is case-insensitive exact on the requested model",
			in: Input{Providers: []*catalog.Provider{
				prov(1, models("claude-sonnet-4-5")), prov(2, models("claude-sonnet")), prov(3, models()),
			}, Format: catalog.FormatAnthropic, Model: "Claude-Sonnet-4-5"},
			want: 1, filtered: map[int]string{2: ReasonModel}, candidate: 2,
		},
		{
			name: "excluded",
			in: Input{Providers: []*catalog.Provider{prov(1), prov(2), prov(3)},
				Format: catalog.FormatAnthropic, Exclude: []int{1, 3}},
			want: 2, filtered: map[int]string{1: ReasonExcluded, 3: ReasonExcluded}, candidate: 1,
		},
		{
			name: "circuit open",
			in: Input{Providers: []*catalog.Provider{prov(1), prov(2)},
				Format: catalog.FormatAnthropic, Health: healthStub{1: true}},
			want: 2, filtered: map[int]string{1: ReasonCircuitOpen}, candidate: 1,
		},
		{
			name: "eligible with and without a reason",
			in: Input{Providers: []*catalog.Provider{prov(1), prov(2), prov(3)}, Format: catalog.FormatAnthropic,
				Eligible: func(p *catalog.Provider) (bool, string) {
					switch p.ID {
					case 1:
						return false, "rate_limited"
					case 2:
						return false, ""
					}
					return true, ""
				}},
			want: 3, filtered: map[int]string{1: "rate_limited", 2: ReasonIneligible}, candidate: 1,
		},
		{
			name: "first failing filter is the reason",
			in: Input{Providers: []*catalog.Provider{
				prov(1, disabled, tags("other"), typ(catalog.TypeCodex)),
				prov(2, tags("other"), typ(catalog.TypeCodex)),
				prov(3, typ(catalog.TypeCodex), models("x")),
				prov(4, models("x")),
				prov(5),
			}, Format: catalog.FormatAnthropic, Model: "y", Exclude: []int{5}},
			filtered: map[int]string{1: ReasonDisabled, 2: ReasonGroup, 3: ReasonFormat, 4: ReasonModel, 5: ReasonExcluded},
		},
		{
			name: "nothing configured",
			in:   Input{Format: catalog.FormatAnthropic},
		},
		{
			name:     "nil providers are skipped",
			in:       Input{Providers: []*catalog.Provider{nil, prov(7)}, Format: catalog.FormatAnthropic},
			want:     7,
			filtered: map[int]string{}, candidate: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := Select(tc.in, first)
			got := 0
			if res.Provider != nil {
				got = res.Provider.ID
			}
			if got != tc.want {
				t.Errorf("chose %d, want %d", got, tc.want)
			}
			if tc.filtered == nil {
				tc.filtered = map[int]string{}
			}
			if f := ids(res.Filtered); !mapsEqual(f, tc.filtered) {
				t.Errorf("filtered %v, want %v", f, tc.filtered)
			}
			if res.Candidates != tc.candidate {
				t.Errorf("candidates %d, want %d", res.Candidates, tc.candidate)
			}
		})
	}
}

func mapsEqual(a, b map[int]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestSelectGroups(t *testing.T) {
	ps := []*catalog.Provider{
		prov(1),                        // default
		prov(2, tags()),                // no tags: default
		prov(3, tags("team-a")),        // team-a only
		prov(4, tags("team-a", "vip")), // two tags
		prov(5, tags("vip")),
	}
	tests := []struct {
		group string
		see   []int
	}{
		{"", []int{1, 2}},
		{"default", []int{1, 2}},
		{"team-a", []int{3, 4}},
		{"vip", []int{4, 5}},
		{"team-a, vip", []int{3, 4, 5}},
		{"default,vip", []int{1, 2, 4, 5}},
		{"*", []int{1, 2, 3, 4, 5}},
		{"team-a,*", []int{1, 2, 3, 4, 5}},
		{"nobody", nil},
		{" , ", []int{1, 2}}, // only separators: same as empty
	}
	for _, tc := range tests {
		t.Run(tc.group, func(t *testing.T) {
			res := Select(Input{Providers: ps, Group: tc.group, Format: catalog.FormatAnthropic}, first)
			var seen []int
			filtered := ids(res.Filtered)
			for _, p := range ps {
				if _, ok := filtered[p.ID]; !ok {
					seen = append(seen, p.ID)
				} else if filtered[p.ID] != ReasonGroup {
					t.Errorf("provider %d filtered as %q", p.ID, filtered[p.ID])
				}
			}
			if !slices.Equal(seen, tc.see) {
				t.Errorf("group %q sees %v, want %v", tc.group, seen, tc.see)
			}
		})
	}
}

func TestEffectiveGroup(t *testing.T) {
	tests := []struct {
		key, user, want string
		nilKey, nilUser bool
	}{
		{key: "k", user: "u", want: "k"},
		{key: "", user: "u", want: "u"},
		{key: "  ", user: "u", want: "u"},
		{key: "", user: "", want: "default"},
		{nilKey: true, user: "u", want: "u"},
		{nilKey: true, nilUser: true, want: "default"},
		{key: "a,b", user: "u", want: "a,b"},
	}
	for _, tc := range tests {
		var k *catalog.Key
		var u *catalog.User
		if !tc.nilKey {
			k = &catalog.Key{ProviderGroup: tc.key}
		}
		if !tc.nilUser {
			u = &catalog.User{ProviderGroup: tc.user}
		}
		if got := EffectiveGroup(k, u); got != tc.want {
			t.Errorf("EffectiveGroup(%q, %q) = %q, want %q", tc.key, tc.user, got, tc.want)
		}
	}
}

func TestSelectPriorityTier(t *testing.T) {
	ps := []*catalog.Provider{
		prov(1, prio(2), weight(100)),
		prov(2, prio(1), weight(1)),
		prov(3, prio(1), weight(1)),
		prov(4, prio(0), weight(1), disabled), // best tier but filtered
	}
	seen := map[int]bool{}
	for n := range 2 {
		res := Select(Input{Providers: ps, Format: catalog.FormatAnthropic}, func(int) int { return n })
		if res.Priority != 1 || res.Tier != 2 || res.Candidates != 3 {
			t.Fatalf("priority %d tier %d candidates %d, want 1, 2, 3", res.Priority, res.Tier, res.Candidates)
		}
		seen[res.Provider.ID] = true
	}
	if !seen[2] || !seen[3] || seen[1] {
		t.Errorf("picked %v, want only the priority-1 providers 2 and 3", seen)
	}
	// Negative priorities are just smaller numbers.
	res := Select(Input{Providers: append(ps, prov(5, prio(-1))), Format: catalog.FormatAnthropic}, first)
	if res.Provider.ID != 5 {
		t.Errorf("chose %d, want the priority -1 provider", res.Provider.ID)
	}
}

func TestSelectWeightedOrder(t *testing.T) {
	// Sorted by cost, then id: 4, 5 (zero width), 3 [0,2), 1 [2,5), 2 [5,6).
	ps := []*catalog.Provider{
		prov(2, cost(1), weight(1)),
		prov(1, cost(1), weight(3)),
		prov(3, cost(0.5), weight(2)),
		prov(4, cost(0.1), weight(0)), // weight 0: never picked while others have weight
		prov(5, cost(0.1), weight(-5)),
	}
	want := []int{3, 3, 1, 1, 1, 2}
	for r, id := range want {
		var gotN int
		res := Select(Input{Providers: ps, Format: catalog.FormatAnthropic}, func(n int) int { gotN = n; return r })
		if gotN != 6 {
			t.Fatalf("rnd called with n=%d, want the total weight 6", gotN)
		}
		if res.Provider.ID != id {
			t.Errorf("r=%d chose %d, want %d", r, res.Provider.ID, id)
		}
	}
}

func TestSelectZeroWeightsUniform(t *testing.T) {
	ps := []*catalog.Provider{prov(1, weight(0), cost(2)), prov(2, weight(0), cost(1)), prov(3, weight(-1), cost(3))}
	want := []int{2, 1, 3} // cost order
	for r, id := range want {
		res := Select(Input{Providers: ps, Format: catalog.FormatAnthropic}, func(n int) int {
			if n != 3 {
				t.Fatalf("rnd called with n=%d, want 3", n)
			}
			return r
		})
		if res.Provider.ID != id {
			t.Errorf("r=%d chose %d, want %d", r, res.Provider.ID, id)
		}
	}
}

func TestSelectWeightedDistribution(t *testing.T) {
	ps := []*catalog.Provider{prov(1, weight(1)), prov(2, weight(3)), prov(3, weight(6))}
	rng := rand.New(rand.NewPCG(1, 2))
	counts := map[int]int{}
	const n = 20000
	for range n {
		counts[Select(Input{Providers: ps, Format: catalog.FormatAnthropic}, rng.IntN).Provider.ID]++
	}
	for id, w := range map[int]float64{1: 0.1, 2: 0.3, 3: 0.6} {
		got := float64(counts[id]) / n
		if got < w-0.02 || got > w+0.02 {
			t.Errorf("provider %d picked %.3f of the time, want about %.2f", id, got, w)
		}
	}
	// The nil random source works too.
	if Select(Input{Providers: ps, Format: catalog.FormatAnthropic}, nil).Provider == nil {
		t.Error("nil rnd chose nothing")
	}
}

func TestSelectDoesNotModifyInput(t *testing.T) {
	ps := []*catalog.Provider{prov(3, cost(3)), prov(1, cost(1)), prov(2, cost(2))}
	before := slices.Clone(ps)
	Select(Input{Providers: ps, Format: catalog.FormatAnthropic}, first)
	if !slices.Equal(ps, before) {
		t.Error("Select reordered the caller's slice")
	}
	// More providers than the stack buffer holds.
	var many []*catalog.Provider
	for i := range 40 {
		many = append(many, prov(i+1, cost(float64(40-i))))
	}
	if got := Select(Input{Providers: many, Format: catalog.FormatAnthropic}, first).Provider.ID; got != 40 {
		t.Errorf("chose %d, want the cheapest (40)", got)
	}
}

func TestReuse(t *testing.T) {
	ps := []*catalog.Provider{
		prov(1, prio(0)),
		prov(2, prio(5)), // worse priority: still reusable
		prov(3, models("claude-opus")),
		prov(4),
	}
	in := Input{Providers: ps, Format: catalog.FormatAnthropic, Model: "claude-sonnet", Health: healthStub{4: true}}
	tests := []struct {
		id     int
		want   int
		reason string
	}{
		{id: 2, want: 2},
		{id: 3, reason: ReasonModel},
		{id: 4, reason: ReasonCircuitOpen},
		{id: 99, reason: ReasonUnknown},
	}
	for _, tc := range tests {
		p, reason := Reuse(in, tc.id)
		got := 0
		if p != nil {
			got = p.ID
		}
		if got != tc.want || reason != tc.reason {
			t.Errorf("Reuse(%d) = %d %q, want %d %q", tc.id, got, reason, tc.want, tc.reason)
		}
	}
	in.Group = "vip"
	if p, reason := Reuse(in, 2); p != nil || reason != ReasonGroup {
		t.Errorf("Reuse outside the group = %v %q, want nil %q", p, reason, ReasonGroup)
	}
	in.Group, in.Exclude = "", []int{2}
	if p, reason := Reuse(in, 2); p != nil || reason != ReasonExcluded {
		t.Errorf("Reuse of an excluded provider = %v %q, want nil %q", p, reason, ReasonExcluded)
	}
}

func TestSelectWithBreakers(t *testing.T) {
	clk := newClock()
	b := NewBreakers(BreakerOptions{Now: clk.Now})
	p1 := prov(1, prio(0))
	p1.Breaker = catalog.BreakerConfig{FailureThreshold: 1, OpenDuration: time.Minute, SuccessThreshold: 1}
	p2 := prov(2, prio(1))
	in := Input{Providers: []*catalog.Provider{p1, p2}, Format: catalog.FormatAnthropic, Health: b}

	in.Now = clk.Now()
	if got := Select(in, first).Provider; got != p1 {
		t.Fatalf("chose %v, want p1", got.ID)
	}
	tk, _ := b.Allow(p1)
	b.Report(tk, false)
	in.Now = clk.Now()
	res := Select(in, first)
	if res.Provider != p2 || ids(res.Filtered)[1] != ReasonCircuitOpen {
		t.Fatalf("chose %d filtered %v, want p2 with p1 circuit_open", res.Provider.ID, res.Filtered)
	}
	clk.Advance(time.Minute)
	in.Now = clk.Now()
	if got := Select(in, first).Provider; got != p1 {
		t.Fatalf("after the open period chose %d, want p1 for the probe", got.ID)
	}
}
