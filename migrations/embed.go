// Package migrations holds the versioned SQL migrations of the database schema, one directory
// per dialect, generated from ent/schema by ./gen (see its doc comment) and applied at start-up
// by store.(*Store).Migrate. Each directory's atlas.sum guards against hand edits.
package migrations

import "embed"

// SQLite holds sqlite/*.sql and sqlite/atlas.sum.
//
//go:embed sqlite/*.sql sqlite/atlas.sum
var SQLite embed.FS

// Postgres holds postgres/*.sql and postgres/atlas.sum.
//
//go:embed postgres/*.sql postgres/atlas.sum
var Postgres embed.FS
