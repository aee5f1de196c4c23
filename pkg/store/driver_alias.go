package store

import (
	"database/sql"
	"database/sql/driver"
	"slices"

	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"
)

// Atlas, which ent uses to diff and replay migrations, opens databases through database/sql
// under the names of the drivers it was written for: "sqlite3" (mattn, cgo) and "postgres"
// (lib/pq). cchub ships the pure-Go modernc and pgx drivers, so they are registered under those
// names as well; the migration generator and the drift test depend on it.
func init() {
	registerAlias("sqlite3", &sqlite.Driver{})
	registerAlias("postgres", stdlib.GetDefaultDriver())
}

// registerAlias registers d as name unless the name is taken: sql.Register panics on a
// duplicate, and a binary that links the original driver should keep using it.
func registerAlias(name string, d driver.Driver) {
	if !slices.Contains(sql.Drivers(), name) {
		sql.Register(name, d)
	}
}
