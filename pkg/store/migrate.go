package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"fmt"
	"io/fs"
	"time"

	atlas "ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"

	"github.com/cchub/cchub/migrations"
)

// pgMigrateLockKey names the Postgres advisory lock that serialises migrations between
// instances sharing a database. The value is arbitrary ("cchub-mg" in ASCII); it only has to
// differ from keys other applications on the same database might use.
const pgMigrateLockKey int64 = 0x63636875622d6d67

// migrationsTableDDL creates the table that records applied migrations: one row per file, written in the same
// transaction as the file's statements.
var migrationsTableDDL = map[string]string{
	dialect.SQLite: `CREATE TABLE IF NOT EXISTS schema_migrations (
	version TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	checksum TEXT NOT NULL,
	applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)`,
	dialect.Postgres: `CREATE TABLE IF NOT EXISTS schema_migrations (
	version TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	checksum TEXT NOT NULL,
	applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
}

// Migrate applies the embedded migrations (migrations/sqlite or migrations/postgres) that the
// database has not recorded yet, each file in its own transaction. Running it again is a no-op.
// On Postgres it holds an advisory lock, so instances starting together migrate one after the
// other. It refuses to run when the database records a migration this build does not have (a
// newer cchub migrated it) or one whose file changed since it was applied.
func (s *Store) Migrate(ctx context.Context) error {
	var (
		fsys fs.FS
		err  error
	)
	switch s.Dialect {
	case dialect.SQLite:
		fsys, err = fs.Sub(migrations.SQLite, "sqlite")
	case dialect.Postgres:
		fsys, err = fs.Sub(migrations.Postgres, "postgres")
	default:
		err = fmt.Errorf("no migrations for dialect %q", s.Dialect)
	}
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return migrateFS(ctx, s.DB, s.Dialect, fsys)
}

// migration is one parsed migration file.
type migration struct {
	version  string
	file     string
	stmts    []string
	checksum string // hex SHA-256 of the file
}

// loadMigrations reads the *.sql files of fsys in version order after checking them against
// atlas.sum, so a hand-edited or half-copied directory is rejected before anything runs.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, err
	}
	dir := &atlas.MemDir{}
	for _, n := range append(names, atlas.HashFileName) {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		if err := dir.WriteFile(n, b); err != nil {
			return nil, err
		}
	}
	if err := atlas.Validate(dir); err != nil {
		return nil, fmt.Errorf("atlas.sum does not match the migration files: %w", err)
	}
	files, err := dir.Files()
	if err != nil {
		return nil, err
	}
	ms := make([]migration, 0, len(files))
	for _, f := range files {
		if err := atlas.CheckVersion(f.Version()); err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name(), err)
		}
		if len(ms) > 0 && ms[len(ms)-1].version == f.Version() {
			return nil, fmt.Errorf("%s and %s share a version", ms[len(ms)-1].file, f.Name())
		}
		stmts, err := f.Stmts()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name(), err)
		}
		sum := sha256.Sum256(f.Bytes())
		ms = append(ms, migration{
			version:  f.Version(),
			file:     f.Name(),
			stmts:    stmts,
			checksum: hex.EncodeToString(sum[:]),
		})
	}
	return ms, nil
}

// migrateFS applies the migrations in fsys to db. Everything runs on one dedicated connection:
// the Postgres advisory lock and SQLite's foreign_keys setting belong to a session.
func migrateFS(ctx context.Context, db *sql.DB, d string, fsys fs.FS) error {
	ms, err := loadMigrations(fsys)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	// poisoned marks a connection whose session state (a lock still held, foreign keys still
	// off) must not reach the pool; it is closed instead of returned.
	poisoned := false
	defer func() {
		if poisoned {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		_ = conn.Close()
	}()
	// Clean-up statements must run even when ctx was cancelled, but not hang forever.
	cleanupCtx := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	}

	switch d {
	case dialect.Postgres:
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", pgMigrateLockKey); err != nil {
			poisoned = true
			return fmt.Errorf("migrate: take advisory lock: %w", err)
		}
		defer func() {
			cctx, cancel := cleanupCtx()
			defer cancel()
			// Closing the session would release the lock too, so a failed unlock only costs
			// the connection.
			if _, err := conn.ExecContext(cctx, "SELECT pg_advisory_unlock($1)", pgMigrateLockKey); err != nil {
				poisoned = true
			}
		}()
	case dialect.SQLite:
		// SQLite cannot alter most of a table, so atlas rewrites it: create a copy, move the
		// rows, drop the original, rename. With foreign keys on, that DROP TABLE deletes the
		// rows first and fires ON DELETE CASCADE on every child table. The pragma is ignored
		// inside a transaction (where atlas' own "PRAGMA foreign_keys = off" lands), so it is
		// set here on the connection, and each file ends with foreign_key_check instead.
		if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
			return fmt.Errorf("migrate: disable foreign keys: %w", err)
		}
		defer func() {
			cctx, cancel := cleanupCtx()
			defer cancel()
			if _, err := conn.ExecContext(cctx, "PRAGMA foreign_keys = ON"); err != nil {
				poisoned = true
			}
		}()
	default:
		return fmt.Errorf("migrate: unsupported dialect %q", d)
	}

	if _, err := conn.ExecContext(ctx, migrationsTableDDL[d]); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	applied, err := appliedMigrations(ctx, conn)
	if err != nil {
		return err
	}
	if err := checkApplied(ms, applied); err != nil {
		return err
	}
	for _, m := range ms {
		if _, ok := applied[m.version]; ok {
			continue
		}
		if err := applyMigration(ctx, conn, d, m); err != nil {
			return err
		}
	}
	return nil
}

// appliedMigrations returns the recorded migrations: version → checksum.
func appliedMigrations(ctx context.Context, conn *sql.Conn) (map[string]string, error) {
	rows, err := conn.QueryContext(ctx, "SELECT version, checksum FROM schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("migrate: read schema_migrations: %w", err)
	}
	defer rows.Close()
	applied := map[string]string{}
	for rows.Next() {
		var v, sum string
		if err := rows.Scan(&v, &sum); err != nil {
			return nil, fmt.Errorf("migrate: read schema_migrations: %w", err)
		}
		applied[v] = sum
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("migrate: read schema_migrations: %w", err)
	}
	return applied, nil
}

// checkApplied refuses a database this build cannot safely run on: one migrated by a newer
// build (its schema may not match this build's ent code) or one whose applied file has since
// been edited (the file no longer describes the database).
func checkApplied(ms []migration, applied map[string]string) error {
	known := make(map[string]migration, len(ms))
	for _, m := range ms {
		known[m.version] = m
	}
	for v, sum := range applied {
		m, ok := known[v]
		if !ok {
			return fmt.Errorf("migrate: the database has migration %s, which this build does not know; it was migrated by a newer cchub", v)
		}
		if m.checksum != sum {
			return fmt.Errorf("migrate: %s changed after it was applied (checksum %s, applied %s); migrations must not be edited, add a new one", m.file, m.checksum, sum)
		}
	}
	return nil
}

// applyMigration runs one file and records it, in one transaction.
func applyMigration(ctx context.Context, conn *sql.Conn, d string, m migration) (err error) {
	// SQLite connections are opened with _txlock=immediate, so this takes the write lock.
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %s: begin: %w", m.file, err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	// SQLite has no advisory lock: another process may have applied this file since the list
	// was read. The write lock is held now, so this answer cannot change until commit.
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = "+placeholder(d, 1), m.version).Scan(&n); err != nil {
		return fmt.Errorf("migrate: %s: %w", m.file, err)
	}
	if n > 0 {
		return tx.Rollback()
	}
	for i, stmt := range m.stmts {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("migrate: %s: statement %d: %w", m.file, i+1, err)
		}
	}
	if d == dialect.SQLite {
		if err := foreignKeyCheck(ctx, tx); err != nil {
			return fmt.Errorf("migrate: %s: %w", m.file, err)
		}
	}
	if _, err := tx.ExecContext(ctx,
		"INSERT INTO schema_migrations (version, name, checksum) VALUES ("+placeholder(d, 1)+", "+placeholder(d, 2)+", "+placeholder(d, 3)+")",
		m.version, m.file, m.checksum); err != nil {
		return fmt.Errorf("migrate: %s: record: %w", m.file, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: %s: commit: %w", m.file, err)
	}
	return nil
}

// foreignKeyCheck fails when the migration left rows whose foreign keys point nowhere, which
// SQLite did not prevent because foreign keys are off while migrating.
func foreignKeyCheck(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return fmt.Errorf("foreign_key_check: %w", err)
	}
	defer rows.Close()
	if rows.Next() {
		var (
			table, parent string
			rowid         sql.NullInt64
			fkid          int
		)
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return fmt.Errorf("foreign_key_check: %w", err)
		}
		return fmt.Errorf("row %d of %s references a missing %s row", rowid.Int64, table, parent)
	}
	return rows.Err()
}

// placeholder is the i-th bind parameter: SQLite would read "$1" as a named parameter.
func placeholder(d string, i int) string {
	if d == dialect.Postgres {
		return fmt.Sprintf("$%d", i)
	}
	return "?"
}
