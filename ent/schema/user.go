package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// User is a person or team that owns API keys and spend limits.
type User struct{ ent.Schema }

// Mixin of the User.
func (User) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, SpendLimitMixin{}} }

// Fields of the User.
func (User) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(128),
		field.String("description").Default("").MaxLen(1024),
		field.Enum("role").Values("admin", "user").Default("user"),
		field.Bool("is_enabled").Default(true),
		field.Time("expires_at").Optional().Nillable(),
		// provider_group is a comma-separated list of routing tags; "*" means all providers.
		field.String("provider_group").Default("default").MaxLen(200),
		field.Int("rpm_limit").Optional().Nillable().NonNegative(),
		// allowed_models is an exact, case-insensitive allowlist; empty allows every model.
		field.Strings("allowed_models").Optional(),
	}
}

// Edges of the User.
func (User) Edges() []ent.Edge {
	return []ent.Edge{
		// Deleting a user deletes its keys (the annotation belongs on the To edge for ent).
		edge.To("keys", Key.Type).Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}
