package admin

import (
	"context"
	"math"
	"net/http"
	"slices"
	"strings"

	"github.com/cloudwego/hertz/pkg/app"

	"github.com/cchub/cchub/ent"
	"github.com/cchub/cchub/ent/provider"
)

// maxUpstreamKey allows a Gemini OAuth JSON credential, the largest "key" CCH accepts (1 MiB).
const maxUpstreamKey = 1 << 20

var providerTypes = []string{"claude", "claude-auth", "codex", "openai-compatible", "gemini"}

var providerFields = slices.Concat([]string{
	"name", "description", "type", "url", "key", "is_enabled", "weight", "priority",
	"cost_multiplier", "group_tag", "model_redirects", "allowed_models", "max_retry_attempts",
	"circuit_breaker_failure_threshold", "circuit_breaker_open_duration_ms",
	"circuit_breaker_half_open_success_threshold", "first_byte_timeout_ms",
	"streaming_idle_timeout_ms", "request_timeout_ms", "proxy_url",
}, limitFields(dailyLimitOther))

type providerInput struct {
	Name, Description, Type, URL, Key, GroupTag, ProxyURL opt[string]
	IsEnabled                                             opt[bool]
	Weight, Priority, MaxRetryAttempts                    opt[int64]
	CBFailureThreshold, CBOpenMs, CBHalfOpenSuccesses     opt[int64]
	FirstByteMs, StreamIdleMs, RequestMs                  opt[int64]
	CostMultiplier                                        opt[float64]
	ModelRedirects                                        opt[map[string]string]
	AllowedModels                                         opt[[]string]
	Limits                                                limitsInput
}

func readProvider(in *input) providerInput {
	return providerInput{
		Name:        in.str("name", nonEmpty(128)),
		Description: in.str("description", maxLen(1024)),
		Type:        in.enum("type", providerTypes...),
		URL:         in.str("url", upstreamURL),
		// The key is trimmed below; a pasted key often carries a newline.
		Key: in.str("key", func(s string) string {
			if strings.TrimSpace(s) == "" {
				return "must not be empty"
			}
			if len(s) > maxUpstreamKey {
				return "must be at most 1 MiB"
			}
			return ""
		}),
		IsEnabled:           in.boolean("is_enabled"),
		Weight:              in.integer("weight", 1, 1000, false),
		Priority:            in.integer("priority", math.MinInt32, math.MaxInt32, false),
		CostMultiplier:      in.number("cost_multiplier", 0),
		GroupTag:            in.str("group_tag", maxLen(255)),
		ModelRedirects:      in.stringMap("model_redirects", redirect),
		AllowedModels:       in.stringList("allowed_models", modelName),
		MaxRetryAttempts:    in.integer("max_retry_attempts", 1, 10, true),
		CBFailureThreshold:  in.integer("circuit_breaker_failure_threshold", 0, math.MaxInt32, false),
		CBOpenMs:            in.integer("circuit_breaker_open_duration_ms", 0, math.MaxInt32, false),
		CBHalfOpenSuccesses: in.integer("circuit_breaker_half_open_success_threshold", 1, math.MaxInt32, false),
		FirstByteMs:         in.integer("first_byte_timeout_ms", 0, math.MaxInt32, false),
		StreamIdleMs:        in.integer("streaming_idle_timeout_ms", 0, math.MaxInt32, false),
		RequestMs:           in.integer("request_timeout_ms", 0, math.MaxInt32, false),
		ProxyURL:            in.str("proxy_url", proxyURL),
		Limits:              readLimits(in, dailyLimitOther),
	}
}

func (p providerInput) apply(m *ent.ProviderMutation) {
	setIf(p.Name, m.SetName)
	setIf(p.Description, m.SetDescription)
	if p.Type.Set {
		m.SetType(provider.Type(p.Type.V))
	}
	setIf(p.URL, m.SetURL)
	if p.Key.Set {
		m.SetAPIKey(strings.TrimSpace(p.Key.V))
	}
	setIf(p.IsEnabled, m.SetIsEnabled)
	setInt(p.Weight, m.SetWeight)
	setInt(p.Priority, m.SetPriority)
	setIf(p.CostMultiplier, m.SetCostMultiplier)
	setIf(p.GroupTag, m.SetGroupTag)
	setOrClear(p.ModelRedirects, m.SetModelRedirects, m.ClearModelRedirects)
	setOrClear(p.AllowedModels, m.SetAllowedModels, m.ClearAllowedModels)
	setOrClear(p.MaxRetryAttempts, func(v int64) { m.SetMaxRetryAttempts(int(v)) }, m.ClearMaxRetryAttempts)
	setInt(p.CBFailureThreshold, m.SetCircuitBreakerFailureThreshold)
	setIf(p.CBOpenMs, m.SetCircuitBreakerOpenDurationMs)
	setInt(p.CBHalfOpenSuccesses, m.SetCircuitBreakerHalfOpenSuccessThreshold)
	setIf(p.FirstByteMs, m.SetFirstByteTimeoutMs)
	setIf(p.StreamIdleMs, m.SetStreamingIdleTimeoutMs)
	setIf(p.RequestMs, m.SetRequestTimeoutMs)
	setIf(p.ProxyURL, m.SetProxyURL)
	applyLimits(m, p.Limits)
}

// providerView is a provider as the API shows it. The upstream key is never included, only
// key_masked.
type providerView struct {
	ID             int               `json:"id"`
	Name           string            `json:"name"`
	Description    string            `json:"description"`
	Type           string            `json:"type"`
	URL            string            `json:"url"`
	KeyMasked      string            `json:"key_masked"`
	IsEnabled      bool              `json:"is_enabled"`
	Weight         int               `json:"weight"`
	Priority       int               `json:"priority"`
	CostMultiplier float64           `json:"cost_multiplier"`
	GroupTag       string            `json:"group_tag"`
	ModelRedirects map[string]string `json:"model_redirects"`
	AllowedModels  []string          `json:"allowed_models"`
	LimitDailyUSD  *string           `json:"limit_daily_usd"`
	limitsView
	MaxRetryAttempts                       *int   `json:"max_retry_attempts"`
	CircuitBreakerFailureThreshold         int    `json:"circuit_breaker_failure_threshold"`
	CircuitBreakerOpenDurationMs           int64  `json:"circuit_breaker_open_duration_ms"`
	CircuitBreakerHalfOpenSuccessThreshold int    `json:"circuit_breaker_half_open_success_threshold"`
	FirstByteTimeoutMs                     int64  `json:"first_byte_timeout_ms"`
	StreamingIdleTimeoutMs                 int64  `json:"streaming_idle_timeout_ms"`
	RequestTimeoutMs                       int64  `json:"request_timeout_ms"`
	ProxyURL                               string `json:"proxy_url"`
	CreatedAt                              string `json:"created_at"`
	UpdatedAt                              string `json:"updated_at"`
	*circuitView
}

func viewProvider(p *ent.Provider) providerView {
	return providerView{
		ID: p.ID, Name: p.Name, Description: p.Description, Type: string(p.Type), URL: p.URL,
		KeyMasked: maskUpstreamKey(p.APIKey), IsEnabled: p.IsEnabled, Weight: p.Weight,
		Priority: p.Priority, CostMultiplier: p.CostMultiplier, GroupTag: p.GroupTag,
		ModelRedirects: mapOut(p.ModelRedirects), AllowedModels: listOut(p.AllowedModels),
		LimitDailyUSD: usdOut(p.LimitDailyNano),
		limitsView: limitsRow{
			L5h: p.Limit5hNano, Weekly: p.LimitWeeklyNano, Monthly: p.LimitMonthlyNano,
			Total: p.LimitTotalNano, Mode5h: string(p.Limit5hResetMode),
			DailyMode: string(p.DailyResetMode), DailyTime: p.DailyResetTime,
			Concurrent: p.LimitConcurrentSessions, CostResetAt: p.CostResetAt,
		}.view(),
		MaxRetryAttempts:                       p.MaxRetryAttempts,
		CircuitBreakerFailureThreshold:         p.CircuitBreakerFailureThreshold,
		CircuitBreakerOpenDurationMs:           p.CircuitBreakerOpenDurationMs,
		CircuitBreakerHalfOpenSuccessThreshold: p.CircuitBreakerHalfOpenSuccessThreshold,
		FirstByteTimeoutMs:                     p.FirstByteTimeoutMs,
		StreamingIdleTimeoutMs:                 p.StreamingIdleTimeoutMs,
		RequestTimeoutMs:                       p.RequestTimeoutMs,
		ProxyURL:                               p.ProxyURL,
		CreatedAt:                              timeOut(p.CreatedAt),
		UpdatedAt:                              timeOut(p.UpdatedAt),
	}
}

// viewProvider adds the live circuit state when the gateway is attached.
func (a *API) viewProvider(p *ent.Provider) providerView {
	v := viewProvider(p)
	v.circuitView = a.circuitOf(p.ID)
	return v
}

func (a *API) listProviders(ctx context.Context, c *app.RequestContext) {
	pg, aerr := readPage(c)
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	rows, err := a.cfg.Store.Reader.Provider.Query().
		Where(provider.IDGT(pg.after)).Order(provider.ByID()).Limit(pg.fetch()).All(ctx)
	if err != nil {
		a.fail(ctx, c, "provider", err)
		return
	}
	writeJSON(c, http.StatusOK, makeList(pg, rows, func(p *ent.Provider) int { return p.ID }, a.viewProvider))
}

func (a *API) getProvider(ctx context.Context, c *app.RequestContext) {
	id, aerr := pathID(c, "provider")
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	p, err := a.cfg.Store.Reader.Provider.Get(ctx, id)
	if err != nil {
		a.fail(ctx, c, "provider", err)
		return
	}
	writeJSON(c, http.StatusOK, a.viewProvider(p))
}

func (a *API) createProvider(ctx context.Context, c *app.RequestContext) {
	in, aerr := readInput(c, providerFields)
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	p := readProvider(in)
	in.require("name", p.Name.Set)
	in.require("type", p.Type.Set)
	in.require("url", p.URL.Set)
	in.require("key", p.Key.Set)
	if in.err != nil {
		writeError(c, in.err)
		return
	}
	create := a.cfg.Store.Client.Provider.Create()
	p.apply(create.Mutation())
	row, err := create.Save(ctx)
	if err != nil {
		a.fail(ctx, c, "provider", err)
		return
	}
	a.log.InfoContext(ctx, "provider created", "provider_id", row.ID, "name", row.Name)
	a.changed("providers")
	writeJSON(c, http.StatusCreated, a.viewProvider(row))
}

func (a *API) patchProvider(ctx context.Context, c *app.RequestContext) {
	id, aerr := pathID(c, "provider")
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	in, aerr := readInput(c, providerFields)
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	p := readProvider(in)
	if in.err != nil {
		writeError(c, in.err)
		return
	}
	update := a.cfg.Store.Client.Provider.UpdateOneID(id)
	p.apply(update.Mutation())
	row, err := update.Save(ctx)
	if err != nil {
		a.fail(ctx, c, "provider", err)
		return
	}
	a.log.InfoContext(ctx, "provider updated", "provider_id", row.ID)
	a.changed("providers")
	writeJSON(c, http.StatusOK, a.viewProvider(row))
}

func (a *API) deleteProvider(ctx context.Context, c *app.RequestContext) {
	id, aerr := pathID(c, "provider")
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	if err := a.cfg.Store.Client.Provider.DeleteOneID(id).Exec(ctx); err != nil {
		a.fail(ctx, c, "provider", err)
		return
	}
	a.log.InfoContext(ctx, "provider deleted", "provider_id", id)
	a.changed("providers")
	c.Status(http.StatusNoContent)
}

// setIf sets a non-nullable member when present.
func setIf[T any](o opt[T], set func(T)) {
	if o.Set {
		set(o.V)
	}
}

// setInt sets an int column from an integer member already range-checked to fit.
func setInt(o opt[int64], set func(int)) {
	if o.Set {
		set(int(o.V))
	}
}
