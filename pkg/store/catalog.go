package store

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/cchub/cchub/ent"
	"github.com/cchub/cchub/pkg/gateway/catalog"
)

// DefaultMaxAttempts is the per-provider attempt count when a provider does not set one.
const DefaultMaxAttempts = 2

// LoadCatalog reads every user, key and provider into an immutable snapshot for the hot path.
func (s *Store) LoadCatalog(ctx context.Context) (*catalog.Snapshot, error) {
	users, err := s.Reader.User.Query().All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load users: %w", err)
	}
	keys, err := s.Reader.Key.Query().All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load keys: %w", err)
	}
	providers, err := s.Reader.Provider.Query().All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load providers: %w", err)
	}
	cu := make([]*catalog.User, 0, len(users))
	for _, u := range users {
		cu = append(cu, catalogUser(u))
	}
	ck := make([]catalog.KeyEntry, 0, len(keys))
	for _, k := range keys {
		var h catalog.KeyHash
		if b, err := hex.DecodeString(k.KeyHash); err == nil && len(b) == len(h) {
			copy(h[:], b)
			ck = append(ck, catalog.KeyEntry{Hash: h, Key: catalogKey(k)})
		}
	}
	cp := make([]*catalog.Provider, 0, len(providers))
	for _, p := range providers {
		cp = append(cp, CatalogProvider(p))
	}
	return catalog.NewSnapshot(cu, ck, cp), nil
}

func catalogUser(u *ent.User) *catalog.User {
	return &catalog.User{
		ID:            u.ID,
		Name:          u.Name,
		Role:          string(u.Role),
		Enabled:       u.IsEnabled,
		ExpiresAt:     deref(u.ExpiresAt),
		ProviderGroup: u.ProviderGroup,
		RPMLimit:      derefInt(u.RpmLimit),
		AllowedModels: lower(u.AllowedModels),
		Limits: limits(u.Limit5hNano, string(u.Limit5hResetMode), u.LimitDailyNano, string(u.DailyResetMode),
			u.DailyResetTime, u.LimitWeeklyNano, u.LimitMonthlyNano, u.LimitTotalNano, u.CostResetAt, u.LimitConcurrentSessions),
	}
}

func catalogKey(k *ent.Key) *catalog.Key {
	return &catalog.Key{
		ID:            k.ID,
		UserID:        k.UserID,
		Name:          k.Name,
		Enabled:       k.IsEnabled,
		ExpiresAt:     deref(k.ExpiresAt),
		CanLoginWebUI: k.CanLoginWebUI,
		ProviderGroup: k.ProviderGroup,
		Limits: limits(k.Limit5hNano, string(k.Limit5hResetMode), k.LimitDailyNano, string(k.DailyResetMode),
			k.DailyResetTime, k.LimitWeeklyNano, k.LimitMonthlyNano, k.LimitTotalNano, k.CostResetAt, k.LimitConcurrentSessions),
	}
}

// CatalogProvider converts a provider row into the hot-path view.
func CatalogProvider(p *ent.Provider) *catalog.Provider {
	attempts := DefaultMaxAttempts
	if p.MaxRetryAttempts != nil {
		attempts = *p.MaxRetryAttempts
	}
	return &catalog.Provider{
		ID:             p.ID,
		Name:           p.Name,
		Type:           catalog.ProviderType(p.Type),
		URL:            p.URL,
		APIKey:         p.APIKey,
		Enabled:        p.IsEnabled,
		Weight:         p.Weight,
		Priority:       p.Priority,
		CostMultiplier: p.CostMultiplier,
		GroupTags:      SplitTags(p.GroupTag),
		ModelRedirects: p.ModelRedirects,
		AllowedModels:  lower(p.AllowedModels),
		MaxAttempts:    attempts,
		Breaker: catalog.BreakerConfig{
			FailureThreshold: p.CircuitBreakerFailureThreshold,
			OpenDuration:     time.Duration(p.CircuitBreakerOpenDurationMs) * time.Millisecond,
			SuccessThreshold: p.CircuitBreakerHalfOpenSuccessThreshold,
		},
		FirstByteTimeout:  time.Duration(p.FirstByteTimeoutMs) * time.Millisecond,
		StreamIdleTimeout: time.Duration(p.StreamingIdleTimeoutMs) * time.Millisecond,
		RequestTimeout:    time.Duration(p.RequestTimeoutMs) * time.Millisecond,
		ProxyURL:          p.ProxyURL,
		Limits: limits(p.Limit5hNano, string(p.Limit5hResetMode), p.LimitDailyNano, string(p.DailyResetMode),
			p.DailyResetTime, p.LimitWeeklyNano, p.LimitMonthlyNano, p.LimitTotalNano, p.CostResetAt, p.LimitConcurrentSessions),
	}
}

// SplitTags parses a comma-separated tag list; an empty list means ["default"].
func SplitTags(s string) []string {
	var out []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return []string{"default"}
	}
	return out
}

func limits(l5h *int64, mode5h string, daily *int64, dailyMode, dailyTime string, weekly, monthly, total *int64, resetAt *time.Time, conc int) catalog.Limits {
	return catalog.Limits{
		Limit5h:            derefInt64(l5h),
		Limit5hFixed:       mode5h == "fixed",
		LimitDaily:         derefInt64(daily),
		DailyRolling:       dailyMode == "rolling",
		DailyResetTime:     dailyTime,
		LimitWeekly:        derefInt64(weekly),
		LimitMonthly:       derefInt64(monthly),
		LimitTotal:         derefInt64(total),
		CostResetAt:        deref(resetAt),
		ConcurrentSessions: conc,
	}
}

func lower(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = strings.ToLower(s)
	}
	return out
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

func derefInt(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func derefInt64(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
