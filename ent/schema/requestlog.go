package schema

import (
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// RequestLog is one row per client request (successful, failed or rejected).
// It has no foreign keys so logs survive the deletion of users, keys and providers.
type RequestLog struct{ ent.Schema }

// Fields of the RequestLog.
func (RequestLog) Fields() []ent.Field {
	return append([]ent.Field{
		field.Time("created_at").Default(time.Now).Immutable(),
		field.String("request_id").Unique().Immutable().MaxLen(64),
		field.Int("user_id").Default(0),
		field.Int("key_id").Default(0),
		// provider_id is 0 when the request never reached a provider.
		field.Int("provider_id").Default(0),
		field.String("model").Default("").MaxLen(256),
		field.String("original_model").Default("").MaxLen(256),
		field.String("endpoint").Default("").MaxLen(128),
		field.Bool("is_stream").Default(false),
		field.Int("status_code").Default(0),
		field.Int64("duration_ms").Default(0),
		// ttfb_ms is nil when no byte reached the client.
		field.Int64("ttfb_ms").Optional().Nillable(),
		field.String("session_id").Default("").MaxLen(128),
		field.Text("error_message").Default(""),
		// blocked_by names the guard that rejected the request (e.g. "rate_limit"), empty otherwise.
		field.String("blocked_by").Default("").MaxLen(64),
		// provider_chain is the decision chain: every attempt with reason, status, error and timing.
		field.Text("provider_chain").Default("[]"),
		field.String("user_agent").Default("").MaxLen(512),
		field.String("client_ip").Default("").MaxLen(64),
	}, usageFields()...)
}

// Indexes of the RequestLog.
func (RequestLog) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("created_at"),
		index.Fields("user_id", "created_at"),
		index.Fields("key_id", "created_at"),
		index.Fields("provider_id", "created_at"),
		index.Fields("session_id"),
		index.Fields("model", "created_at"),
	}
}

// usageFields are the accounting columns shared by request logs and the usage ledger.
func usageFields() []ent.Field {
	return []ent.Field{
		field.Int64("input_tokens").Default(0),
		field.Int64("output_tokens").Default(0),
		field.Int64("cache_creation_input_tokens").Default(0),
		field.Int64("cache_creation_5m_input_tokens").Default(0),
		field.Int64("cache_creation_1h_input_tokens").Default(0),
		field.Int64("cache_read_input_tokens").Default(0),
		// cost_nano is the billed cost in nano-USD, multiplier included.
		field.Int64("cost_nano").Default(0),
		field.Float("cost_multiplier").Default(1.0),
		// price_missing marks a request whose model had no price (billed 0).
		field.Bool("price_missing").Default(false),
	}
}
