package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// UsageHourly is a rollup of request logs per hour, user, key, provider and model,
// so dashboards and leaderboards stay fast as logs grow.
type UsageHourly struct{ ent.Schema }

// Fields of the UsageHourly.
func (UsageHourly) Fields() []ent.Field {
	return []ent.Field{
		field.Time("hour_start"),
		field.Int("user_id").Default(0),
		field.Int("key_id").Default(0),
		field.Int("provider_id").Default(0),
		field.String("model").Default("").MaxLen(256),
		field.Int64("request_count").Default(0),
		field.Int64("success_count").Default(0),
		field.Int64("error_count").Default(0),
		field.Int64("input_tokens").Default(0),
		field.Int64("output_tokens").Default(0),
		field.Int64("cache_creation_input_tokens").Default(0),
		field.Int64("cache_read_input_tokens").Default(0),
		field.Int64("cost_nano").Default(0),
		field.Int64("duration_ms_sum").Default(0),
		field.Int64("ttfb_ms_sum").Default(0),
		field.Int64("ttfb_count").Default(0),
	}
}

// Indexes of the UsageHourly.
func (UsageHourly) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("hour_start", "user_id", "key_id", "provider_id", "model").Unique(),
	}
}
