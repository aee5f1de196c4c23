package usage

import (
	"testing"

	"github.com/cchub/cchub/pkg/billing"
)

func TestNormalize(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in, out billing.Usage
	}{
		{"nothing to do", billing.Usage{InputTokens: 5}, billing.Usage{InputTokens: 5}},
		{"unsplit goes to 5m", billing.Usage{CacheCreationTokens: 10}, billing.Usage{CacheCreationTokens: 10, CacheCreation5mTokens: 10}},
		{"split matches", billing.Usage{CacheCreationTokens: 10, CacheCreation5mTokens: 4, CacheCreation1hTokens: 6},
			billing.Usage{CacheCreationTokens: 10, CacheCreation5mTokens: 4, CacheCreation1hTokens: 6}},
		{"rest of a partial split to 5m", billing.Usage{CacheCreationTokens: 10, CacheCreation1hTokens: 6},
			billing.Usage{CacheCreationTokens: 10, CacheCreation5mTokens: 4, CacheCreation1hTokens: 6}},
		{"split without total", billing.Usage{CacheCreation1hTokens: 6},
			billing.Usage{CacheCreationTokens: 6, CacheCreation1hTokens: 6}},
		{"split above total wins", billing.Usage{CacheCreationTokens: 5, CacheCreation5mTokens: 4, CacheCreation1hTokens: 6},
			billing.Usage{CacheCreationTokens: 10, CacheCreation5mTokens: 4, CacheCreation1hTokens: 6}},
	} {
		if got := normalize(tc.in); got != tc.out {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.out)
		}
	}
}

func TestSubset(t *testing.T) {
	for _, tc := range []struct{ total, part, want int64 }{
		{100, 40, 60}, {100, 100, 0}, {100, 0, 100}, {40, 100, 40}, {0, 0, 0},
	} {
		if got := subset(tc.total, tc.part); got != tc.want {
			t.Errorf("subset(%d, %d) = %d, want %d", tc.total, tc.part, got, tc.want)
		}
	}
}
