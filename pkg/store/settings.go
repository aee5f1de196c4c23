package store

import (
	"context"
	"fmt"
	"time"

	"github.com/cchub/cchub/ent"
)

// settingsID is the id of the single system_settings row. It is created with a fixed id and
// ON CONFLICT DO NOTHING, so instances starting together on one database cannot create two.
const settingsID = 1

// Settings returns the runtime settings, creating the row with its defaults on first use.
func (s *Store) Settings(ctx context.Context) (*ent.SystemSetting, error) {
	row, err := s.Reader.SystemSetting.Get(ctx, settingsID)
	if err == nil {
		return row, nil
	}
	if !ent.IsNotFound(err) {
		return nil, fmt.Errorf("read settings: %w", err)
	}
	if _, err := s.DB.ExecContext(ctx, s.rebind(`INSERT INTO system_settings
 (id, site_title, timezone, log_retention_days, price_sync_interval_hours, price_sync_url, session_ttl_seconds, updated_at)
 VALUES (?, ?, '', 0, 0, '', 0, ?) ON CONFLICT (id) DO NOTHING`),
		settingsID, DefaultSiteTitle, dbTime(time.Now())); err != nil {
		return nil, fmt.Errorf("create settings: %w", err)
	}
	row, err = s.Client.SystemSetting.Get(ctx, settingsID)
	if err != nil {
		return nil, fmt.Errorf("read settings: %w", err)
	}
	return row, nil
}

// DefaultSiteTitle is the site title until an admin sets one.
const DefaultSiteTitle = "cchub"

// SettingsPatch changes the fields that are not nil.
type SettingsPatch struct {
	SiteTitle              *string
	Timezone               *string
	LogRetentionDays       *int
	PriceSyncIntervalHours *int
	PriceSyncURL           *string
	SessionTTLSeconds      *int
}

// UpdateSettings applies p and returns the new settings.
func (s *Store) UpdateSettings(ctx context.Context, p SettingsPatch, now time.Time) (*ent.SystemSetting, error) {
	if _, err := s.Settings(ctx); err != nil {
		return nil, err
	}
	u := s.Client.SystemSetting.UpdateOneID(settingsID).SetUpdatedAt(dbTime(now))
	if p.SiteTitle != nil {
		u.SetSiteTitle(*p.SiteTitle)
	}
	if p.Timezone != nil {
		u.SetTimezone(*p.Timezone)
	}
	if p.LogRetentionDays != nil {
		u.SetLogRetentionDays(*p.LogRetentionDays)
	}
	if p.PriceSyncIntervalHours != nil {
		u.SetPriceSyncIntervalHours(*p.PriceSyncIntervalHours)
	}
	if p.PriceSyncURL != nil {
		u.SetPriceSyncURL(*p.PriceSyncURL)
	}
	if p.SessionTTLSeconds != nil {
		u.SetSessionTTLSeconds(*p.SessionTTLSeconds)
	}
	return u.Save(ctx)
}

// ClaimPriceSync claims the scheduled price sync due at now: it moves price_synced_at to now
// when the last sync is at least interval old (or never happened) and reports whether it did.
// Of several instances sharing the database, exactly one wins each claim.
func (s *Store) ClaimPriceSync(ctx context.Context, now time.Time, interval time.Duration) (bool, error) {
	if _, err := s.Settings(ctx); err != nil {
		return false, err
	}
	res, err := s.DB.ExecContext(ctx, s.rebind(`UPDATE system_settings SET price_synced_at = ?
 WHERE id = ? AND (price_synced_at IS NULL OR price_synced_at <= ?)`),
		dbTime(now), settingsID, dbTime(now.Add(-interval)))
	if err != nil {
		return false, fmt.Errorf("claim price sync: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SetPriceSyncedAt records t as the time of the last price sync (a manual sync, or an earlier
// time after a failed scheduled one so that it is retried sooner than a whole interval).
func (s *Store) SetPriceSyncedAt(ctx context.Context, t time.Time) error {
	if _, err := s.Settings(ctx); err != nil {
		return err
	}
	// Not through ent: its update default would move updated_at, which tells when an admin
	// last changed the settings.
	_, err := s.DB.ExecContext(ctx, s.rebind("UPDATE system_settings SET price_synced_at = ? WHERE id = ?"),
		dbTime(t), settingsID)
	if err != nil {
		return fmt.Errorf("record price sync: %w", err)
	}
	return nil
}
