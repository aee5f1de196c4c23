package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// UsageHourlyDim is the hourly rollup of request logs along one dimension at a time: in total,
// per user, per key, per provider and per model. It is written with usage_hourlies in the same
// transaction. Statistics over long ranges read it: an hour holds 1 + users + keys + providers
// + models rows here, against every user × key × provider × model combination there.
type UsageHourlyDim struct{ ent.Schema }

// Fields of the UsageHourlyDim.
func (UsageHourlyDim) Fields() []ent.Field {
	return []ent.Field{
		field.Time("hour_start"),
		field.Enum("dim").Values("total", "user", "key", "provider", "model"),
		// dim_id is the user, key or provider id (0 for total and model rows).
		field.Int("dim_id").Default(0),
		// model is set on model rows only.
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

// Indexes of the UsageHourlyDim.
func (UsageHourlyDim) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("dim", "hour_start", "dim_id", "model").Unique(),
	}
}
