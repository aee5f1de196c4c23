package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Key is a client API key ("sk-" + 32 hex). Only its SHA-256 hash is stored.
type Key struct{ ent.Schema }

// Mixin of the Key.
func (Key) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, SpendLimitMixin{}} }

// Fields of the Key.
func (Key) Fields() []ent.Field {
	return []ent.Field{
		field.Int("user_id"),
		field.String("name").NotEmpty().MaxLen(128),
		// key_hash is the hex SHA-256 of the full key; the plaintext is shown once and never stored.
		field.String("key_hash").Unique().Immutable().Sensitive().MaxLen(64),
		// key_prefix is a short display form such as "sk-1a2b…9f0e".
		field.String("key_prefix").Immutable().MaxLen(32),
		field.Bool("is_enabled").Default(true),
		field.Time("expires_at").Optional().Nillable(),
		field.Bool("can_login_web_ui").Default(false),
		// provider_group overrides the user's routing tags when not empty.
		field.String("provider_group").Default("").MaxLen(200),
		field.Time("last_used_at").Optional().Nillable(),
	}
}

// Edges of the Key.
func (Key) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("user", User.Type).Ref("keys").Field("user_id").Unique().Required(),
	}
}

// Indexes of the Key.
func (Key) Indexes() []ent.Index {
	return []ent.Index{index.Fields("user_id")}
}
