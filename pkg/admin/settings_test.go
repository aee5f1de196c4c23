package admin

import (
	"testing"
	"time"
)

func TestSettingsGetPatch(t *testing.T) {
	h := newSQLiteHarness(t, withLocation(mustLoc(t, "Europe/Berlin")), func(c *Config) { c.ActivityTTL = 10 * time.Minute })
	var s settingsView
	h.admin("GET", "/api/v1/settings", nil).want(200).decode(&s)
	if s.SiteTitle != "cchub" || s.Timezone != "" || s.EffectiveTimezone != "Europe/Berlin" || s.LogRetentionDays != 0 ||
		s.EffectivePriceSyncURL != "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json" ||
		s.SessionTTLSeconds != 0 || s.EffectiveSessionTTLSeconds != 600 || s.PriceSyncedAt != nil {
		t.Fatalf("defaults %+v", s)
	}
	h.clock.Advance(time.Hour)
	h.admin("PATCH", "/api/v1/settings", map[string]any{
		"site_title": "Team hub", "timezone": "Asia/Kolkata", "log_retention_days": 30,
		"price_sync_interval_hours": 24, "price_sync_url": "https://mirror.example/prices.json", "session_ttl_seconds": 120,
	}).want(200).decode(&s)
	if s.SiteTitle != "Team hub" || s.EffectiveTimezone != "Asia/Kolkata" || s.LogRetentionDays != 30 ||
		s.PriceSyncIntervalHours != 24 || s.EffectivePriceSyncURL != "https://mirror.example/prices.json" ||
		s.EffectiveSessionTTLSeconds != 120 || s.UpdatedAt != "2026-03-01T13:00:00Z" {
		t.Fatalf("patched %+v", s)
	}
	if got := h.changesSeen(); len(got) == 0 || got[len(got)-1] != "settings" {
		t.Fatalf("changes %v", got)
	}
	// Partial: only the title changes; "" returns the timezone to TZ.
	h.admin("PATCH", "/api/v1/settings", map[string]any{"site_title": "Hub", "timezone": ""}).want(200).decode(&s)
	if s.SiteTitle != "Hub" || s.EffectiveTimezone != "Europe/Berlin" || s.LogRetentionDays != 30 {
		t.Fatalf("partial %+v", s)
	}
	for body, field := range map[string]string{
		`{"timezone":"Mars/Olympus"}`:              "timezone",
		`{"timezone":"Local"}`:                     "timezone",
		`{"timezone":"../../etc/passwd"}`:          "timezone",
		`{"site_title":""}`:                        "site_title",
		`{"log_retention_days":-1}`:                "log_retention_days",
		`{"log_retention_days":"30"}`:              "log_retention_days",
		`{"log_retention_days":null}`:              "log_retention_days",
		`{"price_sync_interval_hours":100000}`:     "price_sync_interval_hours",
		`{"price_sync_url":"ftp://x"}`:             "price_sync_url",
		`{"session_ttl_seconds":1e9}`:              "session_ttl_seconds",
		`{"theme":"dark"}`:                         "theme",
		`{"site_title":"ok","timezone":"Nowhere"}`: "timezone",
	} {
		h.admin("PATCH", "/api/v1/settings", body).wantError(400, field)
	}
	// Nothing half-written: the title of the last bad request did not stick.
	h.admin("GET", "/api/v1/settings", nil).want(200).decode(&s)
	if s.SiteTitle != "Hub" {
		t.Fatalf("after bad patches %+v", s)
	}
}
