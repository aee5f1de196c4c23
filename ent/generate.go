// Package ent holds the generated ent client; the schema in ./schema is the source of truth.
package ent

//go:generate go run -mod=mod entgo.io/ent/cmd/ent generate --feature sql/versioned-migration,sql/upsert,sql/execquery,sql/lock ./schema
