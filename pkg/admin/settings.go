package admin

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/cloudwego/hertz/pkg/app"

	"github.com/cchub/cchub/ent"
	"github.com/cchub/cchub/pkg/pricesync"
	"github.com/cchub/cchub/pkg/store"
)

// Bounds of the settings.
const (
	maxRetentionDays     = 3650
	maxSyncIntervalHours = 24 * 366
	maxSessionTTLSeconds = 7 * 24 * 3600
)

var settingsFields = []string{
	"site_title", "timezone", "log_retention_days", "price_sync_interval_hours", "price_sync_url",
	"session_ttl_seconds",
}

// settingsView shows the stored settings and, for those that fall back to the environment or
// a default when unset, the value in effect.
type settingsView struct {
	SiteTitle string `json:"site_title"`
	// Timezone is an IANA name; "" uses the TZ environment variable.
	Timezone          string `json:"timezone"`
	EffectiveTimezone string `json:"effective_timezone"`
	// LogRetentionDays: request logs older than this are deleted (0 keeps them forever); the
	// usage ledger and the hourly statistics are never deleted.
	LogRetentionDays int `json:"log_retention_days"`
	// PriceSyncIntervalHours: sync prices from PriceSyncURL this often (0: never by schedule).
	PriceSyncIntervalHours int `json:"price_sync_interval_hours"`
	// PriceSyncURL: "" uses LiteLLM's public table.
	PriceSyncURL          string  `json:"price_sync_url"`
	EffectivePriceSyncURL string  `json:"effective_price_sync_url"`
	PriceSyncedAt         *string `json:"price_synced_at"`
	// SessionTTLSeconds: how long a session stays active after its last request, for the
	// sessions view and counts; 0 uses SESSION_TTL.
	SessionTTLSeconds          int    `json:"session_ttl_seconds"`
	EffectiveSessionTTLSeconds int    `json:"effective_session_ttl_seconds"`
	UpdatedAt                  string `json:"updated_at"`
}

func (a *API) viewSettings(s *ent.SystemSetting) settingsView {
	return settingsView{
		SiteTitle: s.SiteTitle, Timezone: s.Timezone, EffectiveTimezone: a.location(s).String(),
		LogRetentionDays: s.LogRetentionDays, PriceSyncIntervalHours: s.PriceSyncIntervalHours,
		PriceSyncURL: s.PriceSyncURL, EffectivePriceSyncURL: effectivePriceURL(s.PriceSyncURL),
		PriceSyncedAt:     timeOutP(s.PriceSyncedAt),
		SessionTTLSeconds: s.SessionTTLSeconds, EffectiveSessionTTLSeconds: int(a.activityTTL(s) / time.Second),
		UpdatedAt: timeOut(s.UpdatedAt),
	}
}

// getSettings serves GET /api/v1/settings.
func (a *API) getSettings(ctx context.Context, c *app.RequestContext) {
	s, err := a.cfg.Store.Settings(ctx)
	if err != nil {
		a.fail(ctx, c, "settings", err)
		return
	}
	writeJSON(c, http.StatusOK, a.viewSettings(s))
}

// patchSettings serves PATCH /api/v1/settings: a partial update; every field is validated
// before anything is written.
func (a *API) patchSettings(ctx context.Context, c *app.RequestContext) {
	in, aerr := readInput(c, settingsFields)
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	title := in.str("site_title", nonEmpty(128))
	tz := in.str("timezone", ianaZone)
	retention := in.integer("log_retention_days", 0, maxRetentionDays, false)
	interval := in.integer("price_sync_interval_hours", 0, maxSyncIntervalHours, false)
	url := in.str("price_sync_url", syncURL)
	ttl := in.integer("session_ttl_seconds", 0, maxSessionTTLSeconds, false)
	if in.err != nil {
		writeError(c, in.err)
		return
	}
	var p store.SettingsPatch
	if title.Set {
		p.SiteTitle = &title.V
	}
	if tz.Set {
		p.Timezone = &tz.V
	}
	p.LogRetentionDays = intPatch(retention)
	p.PriceSyncIntervalHours = intPatch(interval)
	if url.Set {
		p.PriceSyncURL = &url.V
	}
	p.SessionTTLSeconds = intPatch(ttl)
	s, err := a.cfg.Store.UpdateSettings(ctx, p, a.now())
	if err != nil {
		a.fail(ctx, c, "settings", err)
		return
	}
	a.changed("settings")
	writeJSON(c, http.StatusOK, a.viewSettings(s))
}

func intPatch(o opt[int64]) *int {
	if !o.has() {
		return nil
	}
	v := int(o.V)
	return &v
}

// ianaZone checks a timezone: "" (use TZ) or an IANA name this build knows. "Local" is
// refused: it means whatever the server happens to be set to.
func ianaZone(s string) string {
	const msg = "must be an IANA timezone such as Asia/Shanghai or UTC, or empty for the TZ environment variable"
	if s == "" {
		return ""
	}
	if len(s) > 64 || s == "Local" || strings.TrimSpace(s) != s {
		return msg
	}
	if _, err := time.LoadLocation(s); err != nil {
		return msg
	}
	return ""
}

// syncURL checks a price sync URL: "" (LiteLLM's table) or an absolute http(s) URL.
func syncURL(s string) string {
	if s == "" {
		return ""
	}
	if len(s) > 2048 {
		return "must be at most 2048 bytes"
	}
	if err := pricesync.CheckURL(s); err != nil {
		return err.Error()
	}
	return ""
}
