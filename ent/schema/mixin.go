package schema

import (
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"
)

// TimeMixin adds created_at and updated_at to mutable admin entities.
type TimeMixin struct{ mixin.Schema }

// Fields of the TimeMixin.
func (TimeMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").Default(time.Now).Immutable(),
		field.Time("updated_at").Default(time.Now).UpdateDefault(time.Now),
	}
}

// SpendLimitMixin holds the USD spend windows shared by users, keys and providers.
// Money is stored as int64 nano-USD; nil means "no limit".
type SpendLimitMixin struct{ mixin.Schema }

// Fields of the SpendLimitMixin.
func (SpendLimitMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Int64("limit_5h_nano").Optional().Nillable(),
		field.Enum("limit_5h_reset_mode").Values("rolling", "fixed").Default("rolling"),
		field.Int64("limit_daily_nano").Optional().Nillable(),
		field.Enum("daily_reset_mode").Values("fixed", "rolling").Default("fixed"),
		// daily_reset_time is HH:MM in the hub's timezone, used when daily_reset_mode is fixed.
		field.String("daily_reset_time").Default("00:00").MaxLen(5),
		field.Int64("limit_weekly_nano").Optional().Nillable(),
		field.Int64("limit_monthly_nano").Optional().Nillable(),
		field.Int64("limit_total_nano").Optional().Nillable(),
		// cost_reset_at is a soft reset: usage before this instant is ignored by every window.
		field.Time("cost_reset_at").Optional().Nillable(),
		// limit_concurrent_sessions: 0 means unlimited (for keys: inherit the user's limit).
		field.Int("limit_concurrent_sessions").Default(0).NonNegative(),
	}
}
