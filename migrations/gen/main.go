// Command gen writes the next versioned migration, for SQLite and Postgres, from the difference
// between the migration directories and ent/schema. After changing ent/schema, run from the
// repository root:
//
//	go generate ./ent && go run ./migrations/gen -name <name>
//
// and commit the new migrations/{sqlite,postgres}/<version>_<name>.sql files together with the
// updated atlas.sum files. Review the SQL: it runs as is on every installation. When ent/schema
// already matches the migrations it prints "no changes" and writes nothing.
//
// The diff replays the existing migrations on throwaway databases: SQLite in memory, Postgres in
// a temporary database created through CCHUB_DEV_PG_DSN (default
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable) and dropped afterwards.
//
// Never edit or delete a migration that may have been applied anywhere: Migrate refuses a
// database whose applied files changed. To fold unreleased migrations into one, generate into an
// empty directory (-dir /tmp/fresh; the package embeds the committed files, so it cannot be
// built with migrations/ emptied) and replace migrations/sqlite and migrations/postgres with it.
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	atlas "ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"

	"github.com/cchub/cchub/migrations/schemadiff"
)

const defaultDevPG = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// validName keeps file names portable and unambiguous: atlas splits version and name at the
// first underscore, so the name may contain more.
var validName = regexp.MustCompile(`^[a-z0-9][a-z0-9_]*$`)

func main() {
	name := flag.String("name", "", "migration name, e.g. add_user_email (required)")
	root := flag.String("dir", "migrations", "migrations directory, holding sqlite/ and postgres/")
	flag.Parse()
	devPG := os.Getenv("CCHUB_DEV_PG_DSN")
	if devPG == "" {
		devPG = defaultDevPG
	}
	if err := run(context.Background(), os.Stdout, *root, *name, devPG); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// run writes the migration named name under root, diffing Postgres on a scratch database
// created through adminDSN, and reports what it did on out.
func run(ctx context.Context, out io.Writer, root, name, adminDSN string) error {
	if !validName.MatchString(name) {
		return fmt.Errorf("-name %q: required, and must match %s", name, validName)
	}
	version, err := nextVersion(root, atlas.NewVersion())
	if err != nil {
		return err
	}
	devPG, drop, err := scratchPostgres(ctx, adminDSN)
	if err != nil {
		return err
	}
	defer drop()
	devURLs := map[string]string{dialect.SQLite: schemadiff.SQLiteDevURL, dialect.Postgres: devPG}
	// Both plans are computed before anything is written, so a failure leaves the tree as it was.
	type planned struct {
		dir string
		res *schemadiff.Result
	}
	var plans []planned
	for _, d := range []string{dialect.SQLite, dialect.Postgres} {
		sub, err := schemadiff.Subdir(d)
		if err != nil {
			return err
		}
		dir := filepath.Join(root, sub)
		res, err := schemadiff.Plan(ctx, os.DirFS(dir), d, devURLs[d], version, name)
		if err != nil {
			return err
		}
		plans = append(plans, planned{dir, res})
	}
	wrote := false
	for _, p := range plans {
		if len(p.res.Files) == 0 {
			continue
		}
		if err := write(out, p.dir, p.res); err != nil {
			return err
		}
		wrote = true
	}
	if !wrote {
		fmt.Fprintln(out, "no changes")
	}
	return nil
}

// write stores the new files, then atlas.sum, so an interrupted run leaves a sum mismatch that
// Load reports instead of a file the sum silently covers.
func write(out io.Writer, dir string, res *schemadiff.Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range res.Files {
		path := filepath.Join(dir, f.Name())
		if err := os.WriteFile(path, f.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Fprintln(out, "wrote", path)
	}
	return os.WriteFile(filepath.Join(dir, atlas.HashFileName), res.Sum, 0o644)
}

// scratchPostgres creates an empty database to replay the Postgres migrations on and returns
// its dev URL and a function that drops it.
func scratchPostgres(ctx context.Context, admin string) (string, func(), error) {
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return "", nil, fmt.Errorf("CCHUB_DEV_PG_DSN: %w", err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return "", nil, fmt.Errorf("postgres dev server (CCHUB_DEV_PG_DSN) unreachable: %w", err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "cchub_gen_" + hex.EncodeToString(b)
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		db.Close()
		return "", nil, fmt.Errorf("create scratch database: %w", err)
	}
	drop := func() {
		// The diff may have been cancelled; dropping must still happen.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "gen: drop scratch database %s: %v\n", name, err)
		}
		db.Close()
	}
	u, err := url.Parse(admin)
	if err != nil {
		drop()
		return "", nil, fmt.Errorf("CCHUB_DEV_PG_DSN: %w", err)
	}
	u.Path = "/" + name
	devURL, err := schemadiff.PostgresDevURL(u.String())
	if err != nil {
		drop()
		return "", nil, err
	}
	return devURL, drop, nil
}

// nextVersion is now's version, or one second after the newest existing migration when that is
// not earlier (two generations within one second, or a migration merged with a later stamp):
// versions must sort after every existing file, in both dialects alike.
func nextVersion(root, now string) (string, error) {
	latest := ""
	for _, d := range []string{dialect.SQLite, dialect.Postgres} {
		sub, err := schemadiff.Subdir(d)
		if err != nil {
			return "", err
		}
		names, err := filepath.Glob(filepath.Join(root, sub, "*.sql"))
		if err != nil {
			return "", err
		}
		for _, n := range names {
			if v, _, ok := strings.Cut(filepath.Base(n), "_"); ok && v > latest {
				latest = v
			}
		}
	}
	if latest < now {
		return now, nil
	}
	t, err := time.Parse("20060102150405", latest)
	if err != nil {
		return "", fmt.Errorf("migration version %s: %w", latest, err)
	}
	return t.Add(time.Second).Format("20060102150405"), nil
}
