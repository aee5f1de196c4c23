package admin

import (
	"reflect"
	"strings"

	"github.com/cchub/cchub/pkg/jsonx"
)

// schema is a JSON Schema object (OpenAPI 3.1 uses JSON Schema 2020-12).
type schema = map[string]any

// Response schemas are derived from the Go view types by reflection, so the document cannot
// drift from what the handlers encode: a renamed or added field shows up by itself.

var rawMessageType = reflect.TypeOf(jsonx.RawMessage(nil))

// schemaOf returns the schema of t as jsonx encodes it.
func schemaOf(t reflect.Type) schema {
	if t == rawMessageType {
		return schema{"description": "any JSON value"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return nullable(schemaOf(t.Elem()))
	case reflect.String:
		return schema{"type": "string"}
	case reflect.Bool:
		return schema{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return schema{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return schema{"type": "number"}
	case reflect.Slice, reflect.Array:
		return schema{"type": "array", "items": schemaOf(t.Elem())}
	case reflect.Map:
		return schema{"type": "object", "additionalProperties": schemaOf(t.Elem())}
	case reflect.Struct:
		props := schema{}
		var required []string
		structProps(t, props, &required)
		out := schema{"type": "object", "properties": props}
		if len(required) > 0 {
			out["required"] = required
		}
		return out
	}
	return schema{}
}

// structProps adds the JSON members of struct t to props, flattening embedded structs as the
// encoder does.
func structProps(t reflect.Type, props schema, required *[]string) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				// A nil embedded pointer (circuit state without a gateway) drops its members.
				var sub []string
				structProps(et, props, &sub)
				if f.Type.Kind() != reflect.Pointer {
					*required = append(*required, sub...)
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = schemaOf(f.Type)
		if !strings.Contains(opts, "omitempty") {
			*required = append(*required, name)
		}
	}
}

// nullable allows null besides s's type.
func nullable(s schema) schema {
	out := schema{}
	for k, v := range s {
		out[k] = v
	}
	if t, ok := s["type"].(string); ok {
		out["type"] = []string{t, "null"}
		return out
	}
	return schema{"anyOf": []any{s, schema{"type": "null"}}}
}

func typeOf[T any]() reflect.Type { return reflect.TypeOf((*T)(nil)).Elem() }

// listOf is the list envelope around items.
func listOf(items schema) schema {
	return schema{"type": "object", "required": []string{"items", "next_cursor"}, "properties": schema{
		"items":       schema{"type": "array", "items": items},
		"next_cursor": schema{"type": []string{"integer", "null"}, "description": "pass as cursor for the next page; null on the last page"},
	}}
}

func ref(name string) schema { return schema{"$ref": "#/components/schemas/" + name} }

// bodyOf is a request body of the named members, typed like the same members of view (what
// the handler answers with) unless given in extra. Money accepts a number or a decimal string
// and nullable members accept null to clear; members are optional (PATCH), required ones listed.
func bodyOf(view reflect.Type, fields []string, extra schema, required ...string) schema {
	all := schemaOf(view)["properties"].(schema)
	props := schema{}
	for _, name := range fields {
		if s, ok := extra[name]; ok {
			props[name] = s
			continue
		}
		s, ok := all[name]
		if !ok {
			s = schema{}
		}
		if strings.HasSuffix(name, "_usd") {
			s = schema{"type": []string{"string", "number", "null"}, "description": "USD; a decimal string or a number; null clears the limit"}
		}
		props[name] = s
	}
	out := schema{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		out["required"] = required
	}
	return out
}
