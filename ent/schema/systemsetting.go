package schema

import (
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
)

// SystemSetting is the single row of runtime settings editable in the admin UI.
type SystemSetting struct{ ent.Schema }

// Fields of the SystemSetting.
func (SystemSetting) Fields() []ent.Field {
	return []ent.Field{
		field.String("site_title").Default("cchub").MaxLen(128),
		// timezone is an IANA name; empty means the TZ environment variable.
		field.String("timezone").Default("").MaxLen(64),
		// log_retention_days: 0 keeps request logs forever.
		field.Int("log_retention_days").Default(0).NonNegative(),
		// price_sync_interval_hours: 0 disables the scheduled price sync.
		field.Int("price_sync_interval_hours").Default(0).NonNegative(),
		field.String("price_sync_url").Default("").MaxLen(2048),
		// session_ttl_seconds: 0 means the SESSION_TTL environment variable.
		field.Int("session_ttl_seconds").Default(0).NonNegative(),
		// price_synced_at is when the last price sync (scheduled, API or CLI) finished; the
		// scheduler claims a run by moving it forward, so instances sharing a database sync once.
		field.Time("price_synced_at").Optional().Nillable(),
		field.Time("updated_at").Default(time.Now).UpdateDefault(time.Now),
	}
}
