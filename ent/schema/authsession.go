package schema

import (
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// AuthSession is a web-UI login. The cookie holds an opaque id; only its hash is stored,
// so every instance sharing the database accepts the cookie.
type AuthSession struct{ ent.Schema }

// Fields of the AuthSession.
func (AuthSession) Fields() []ent.Field {
	return []ent.Field{
		field.String("token_hash").Unique().Immutable().Sensitive().MaxLen(64),
		// kind is "admin" for the admin token or "key" for a user key login.
		field.Enum("kind").Values("admin", "key").Immutable(),
		field.Int("key_id").Default(0).Immutable(),
		field.Time("created_at").Default(time.Now).Immutable(),
		field.Time("expires_at"),
	}
}

// Indexes of the AuthSession.
func (AuthSession) Indexes() []ent.Index {
	return []ent.Index{index.Fields("expires_at")}
}
