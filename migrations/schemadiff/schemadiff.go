// Package schemadiff computes the next versioned migration from the difference between a
// migration directory and ent/schema. The generator (migrations/gen) writes what it returns;
// the drift test asserts it returns nothing.
package schemadiff

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"slices"
	"text/template"

	atlas "ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql/schema"

	"github.com/cchub/cchub/ent/migrate"
	_ "github.com/cchub/cchub/pkg/store" // registers the "sqlite3" and "postgres" aliases atlas opens
)

// SQLiteDevURL is the throwaway database the SQLite migrations are replayed on. Atlas keeps one
// connection open for the whole diff, so the in-memory database lives exactly that long.
const SQLiteDevURL = "sqlite://file?mode=memory&_fk=1"

// Subdir maps an ent dialect to its directory under migrations/.
func Subdir(d string) (string, error) {
	switch d {
	case dialect.SQLite:
		return "sqlite", nil
	case dialect.Postgres:
		return "postgres", nil
	}
	return "", fmt.Errorf("no migrations for dialect %q", d)
}

// PostgresDevURL turns the DSN of an empty scratch database into the URL atlas diffs on. The
// search_path binds atlas to the public schema so generated statements name tables without a
// schema prefix, as ent does at run time.
func PostgresDevURL(dsn string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("postgres dev DSN: %w", err)
	}
	q := u.Query()
	if q.Get("search_path") == "" {
		q.Set("search_path", "public")
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// Load copies the *.sql files and atlas.sum of fsys into an in-memory atlas directory and
// checks that atlas.sum matches the files. A directory without files (and without atlas.sum) is
// valid: it is the starting point of the first migration.
func Load(fsys fs.FS) (*atlas.MemDir, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, err
	}
	dir := &atlas.MemDir{}
	for _, n := range append(names, atlas.HashFileName) {
		b, err := fs.ReadFile(fsys, n)
		if n == atlas.HashFileName && errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err != nil {
			return nil, err
		}
		if err := dir.WriteFile(n, b); err != nil {
			return nil, err
		}
	}
	if err := atlas.Validate(dir); err != nil {
		return nil, fmt.Errorf("atlas.sum does not match the migration files (edit migrations only through migrations/gen): %w", err)
	}
	return dir, nil
}

// Result is the migration Plan computed.
type Result struct {
	// Files are the new migration files, in order; none when ent/schema matches the directory.
	Files []atlas.File
	// Sum is the new atlas.sum, covering the existing and the new files.
	Sum []byte
}

// Plan replays the migrations in fsys on the empty dev database at devURL, compares the
// resulting schema with ent/schema and returns the migration that closes the gap, named
// <version>_<name>.sql. fsys itself is not modified.
func Plan(ctx context.Context, fsys fs.FS, d, devURL, version, name string) (*Result, error) {
	if err := atlas.CheckVersion(version); err != nil {
		return nil, err
	}
	dir, err := Load(fsys)
	if err != nil {
		return nil, err
	}
	before, err := dir.Files()
	if err != nil {
		return nil, err
	}
	// Versions order the files, so a new one must sort after every existing one (a clock set
	// back, or a migration merged from a branch with a later timestamp, would break that).
	if n := len(before); n > 0 && before[n-1].Version() >= version {
		return nil, fmt.Errorf("new version %s does not sort after the latest migration %s", version, before[n-1].Name())
	}
	formatter, err := versionFormatter(version)
	if err != nil {
		return nil, err
	}
	err = migrate.NamedDiff(ctx, devURL, name,
		schema.WithDir(dir),
		schema.WithMigrationMode(schema.ModeReplay),
		schema.WithDialect(d),
		schema.WithFormatter(formatter),
		// Migrations are reviewed files, so they should say everything, drops included: without
		// these a field removed from ent/schema would leave its column (NOT NULL, no default)
		// behind and every insert would fail, and the drift test could not notice.
		schema.WithDropColumn(true),
		schema.WithDropIndex(true),
		schema.WithErrNoPlan(true),
	)
	if errors.Is(err, atlas.ErrNoPlan) {
		return &Result{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: diff: %w", d, err)
	}
	after, err := dir.Files()
	if err != nil {
		return nil, err
	}
	res := &Result{}
	for _, f := range after {
		if !slices.ContainsFunc(before, func(b atlas.File) bool { return b.Name() == f.Name() }) {
			res.Files = append(res.Files, f)
		}
	}
	if res.Sum, err = fs.ReadFile(dir, atlas.HashFileName); err != nil {
		return nil, err
	}
	return res, nil
}

// versionFormatter is atlas' DefaultFormatter with a fixed version instead of "now", so the
// SQLite and Postgres files of one migration share a version even when generating them
// straddles a second.
func versionFormatter(version string) (atlas.Formatter, error) {
	n, err := template.New("name").Parse(version + "{{ with .Name }}_{{ . }}{{ end }}.sql")
	if err != nil {
		return nil, err
	}
	return atlas.NewTemplateFormatter(n, atlas.DefaultFormatter[0].C)
}
