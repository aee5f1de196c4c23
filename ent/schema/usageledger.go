package schema

import (
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// UsageLedger is the immutable billing record quota windows sum over.
// Deleting request logs never touches it, so log retention cannot reset a quota.
type UsageLedger struct{ ent.Schema }

// Fields of the UsageLedger.
func (UsageLedger) Fields() []ent.Field {
	return append([]ent.Field{
		field.Time("created_at").Default(time.Now).Immutable(),
		// request_id makes settlement idempotent: one ledger row per request.
		field.String("request_id").Unique().Immutable().MaxLen(64),
		field.Int("user_id").Default(0),
		field.Int("key_id").Default(0),
		field.Int("provider_id").Default(0),
		field.String("model").Default("").MaxLen(256),
		field.String("endpoint").Default("").MaxLen(128),
		field.Int("status_code").Default(0),
		field.Bool("is_success").Default(false),
		field.String("session_id").Default("").MaxLen(128),
	}, usageFields()...)
}

// Indexes of the UsageLedger.
func (UsageLedger) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("user_id", "created_at"),
		index.Fields("key_id", "created_at"),
		index.Fields("provider_id", "created_at"),
		index.Fields("created_at"),
	}
}
