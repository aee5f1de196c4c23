package schema

import (
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
)

// ModelPrice is one model's price entry in LiteLLM's format (USD per token).
// A manual row always wins over a synced one for the same model.
type ModelPrice struct{ ent.Schema }

// Fields of the ModelPrice.
func (ModelPrice) Fields() []ent.Field {
	return []ent.Field{
		field.String("model_name").Unique().NotEmpty().MaxLen(256),
		// price_data is the LiteLLM JSON entry for the model, kept verbatim.
		field.Text("price_data"),
		field.Enum("source").Values("litellm", "manual").Default("litellm"),
		field.String("litellm_provider").Default("").MaxLen(128),
		field.Time("updated_at").Default(time.Now).UpdateDefault(time.Now),
	}
}
