package schema

import (
	"database/sql"
	"database/sql/driver"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"

	"github.com/cchub/cchub/pkg/secretbox"
)

// Provider is an upstream AI endpoint the hub relays to.
type Provider struct{ ent.Schema }

// Mixin of the Provider.
func (Provider) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, SpendLimitMixin{}} }

// Fields of the Provider.
func (Provider) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(128),
		field.String("description").Default("").MaxLen(1024),
		field.Enum("type").Values("claude", "claude-auth", "codex", "openai-compatible", "gemini"),
		// url may be a host, a version root (https://host/v1) or a full endpoint.
		field.String("url").NotEmpty().MaxLen(2048),
		// api_key is the upstream credential; write-only through the API, never logged.
		// It is stored encrypted ("enc:v1:…", AES-256-GCM) when SECRET_KEY is set; the value
		// scanner seals on write and opens on read, so code above the store sees plaintext.
		field.Text("api_key").Sensitive().ValueScanner(field.ValueScannerFunc[string, *sql.NullString]{
			V: func(plain string) (driver.Value, error) { return secretbox.Seal(plain) },
			S: func(ns *sql.NullString) (string, error) { return secretbox.Open(ns.String) },
		}),
		field.Bool("is_enabled").Default(true),
		field.Int("weight").Default(1).Range(1, 1000),
		// priority: lower numbers are preferred.
		field.Int("priority").Default(0),
		field.Float("cost_multiplier").Default(1.0).Min(0),
		// group_tag is a comma-separated list of routing tags; empty means "default".
		field.String("group_tag").Default("").MaxLen(255),
		// model_redirects maps a requested model to the model sent upstream.
		field.JSON("model_redirects", map[string]string{}).Optional(),
		field.Strings("allowed_models").Optional(),
		// max_retry_attempts: attempts on this provider before moving on; nil means the default (2).
		field.Int("max_retry_attempts").Optional().Nillable().Range(1, 10),
		field.Int("circuit_breaker_failure_threshold").Default(5).NonNegative(),
		field.Int64("circuit_breaker_open_duration_ms").Default(1_800_000).NonNegative(),
		field.Int("circuit_breaker_half_open_success_threshold").Default(2).Positive(),
		// Timeouts in milliseconds; 0 disables the timeout.
		field.Int64("first_byte_timeout_ms").Default(0).NonNegative(),
		field.Int64("streaming_idle_timeout_ms").Default(0).NonNegative(),
		field.Int64("request_timeout_ms").Default(0).NonNegative(),
		field.String("proxy_url").Default("").MaxLen(2048),
	}
}
