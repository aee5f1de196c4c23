package store_test

import (
	"context"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	atlas "ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"

	"github.com/cchub/cchub/migrations"
	"github.com/cchub/cchub/migrations/schemadiff"
	"github.com/cchub/cchub/pkg/store/storetest"
)

func embeddedDir(t *testing.T, d string) fs.FS {
	t.Helper()
	sub, err := schemadiff.Subdir(d)
	if err != nil {
		t.Fatal(err)
	}
	fsys := fs.FS(migrations.SQLite)
	if d == dialect.Postgres {
		fsys = migrations.Postgres
	}
	dir, err := fs.Sub(fsys, sub)
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// assertNoDrift fails when replaying the embedded migrations does not produce ent/schema.
func assertNoDrift(t *testing.T, d, devURL string) {
	t.Helper()
	res, err := schemadiff.Plan(context.Background(), embeddedDir(t, d), d, devURL, atlas.NewVersion(), "drift")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) > 0 {
		var b strings.Builder
		for _, f := range res.Files {
			b.Write(f.Bytes())
		}
		t.Fatalf("ent/schema and migrations/%s disagree; run `go generate ./ent && go run ./migrations/gen -name <name>`. Missing migration:\n%s", d, b.String())
	}
}

func TestMigrationsMatchEntSchema(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { assertNoDrift(t, dialect.SQLite, schemadiff.SQLiteDevURL) })
	t.Run("postgres", func(t *testing.T) {
		devURL, err := schemadiff.PostgresDevURL(storetest.PostgresDSN(t))
		if err != nil {
			t.Fatal(err)
		}
		assertNoDrift(t, dialect.Postgres, devURL)
	})
}

// The drift check is only as good as its ability to see a difference: a migration directory
// missing a table must produce a migration that creates it.
func TestDriftCheckDetectsMissingTable(t *testing.T) {
	dir := embeddedDir(t, dialect.SQLite)
	names, err := fs.Glob(dir, "*.sql")
	if err != nil || len(names) == 0 {
		t.Fatal(names, err)
	}
	// Drop the model_prices table from the migration that creates it (and rebuild atlas.sum).
	files := map[string]string{}
	for _, n := range names {
		b, err := fs.ReadFile(dir, n)
		if err != nil {
			t.Fatal(err)
		}
		files[n] = string(b)
	}
	last := ""
	for _, n := range names {
		if strings.Contains(files[n], "CREATE TABLE `model_prices`") {
			last = n
		}
	}
	if last == "" {
		t.Fatal("no migration creates model_prices; pick another table for this test")
	}
	var kept []string
	for _, line := range strings.Split(files[last], "\n") {
		if !strings.Contains(line, "model_prices") {
			kept = append(kept, line)
		}
	}
	if len(kept) == len(strings.Split(files[last], "\n")) {
		t.Fatalf("%s does not create model_prices; pick another table for this test", last)
	}
	files[last] = strings.Join(kept, "\n")
	res, err := schemadiff.Plan(context.Background(), migrationFS(t, files), dialect.SQLite, schemadiff.SQLiteDevURL, atlas.NewVersion(), "drift")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 1 || !strings.Contains(string(res.Files[0].Bytes()), "CREATE TABLE `model_prices`") {
		t.Fatalf("drift not detected: %d files", len(res.Files))
	}
}

func TestAtlasSumIntegrity(t *testing.T) {
	for _, d := range []string{dialect.SQLite, dialect.Postgres} {
		t.Run(d, func(t *testing.T) {
			dir := embeddedDir(t, d)
			if _, err := schemadiff.Load(dir); err != nil {
				t.Fatalf("committed migrations: %v", err)
			}
			// A hand edit without regenerating atlas.sum is caught.
			names, err := fs.Glob(dir, "*.sql")
			if err != nil || len(names) == 0 {
				t.Fatal(names, err)
			}
			tampered := fstest.MapFS{}
			for _, n := range append(names, atlas.HashFileName) {
				b, err := fs.ReadFile(dir, n)
				if err != nil {
					t.Fatal(err)
				}
				tampered[n] = &fstest.MapFile{Data: b}
			}
			tampered[names[0]].Data = append(append([]byte{}, tampered[names[0]].Data...), "-- edited\n"...)
			if _, err := schemadiff.Load(tampered); err == nil {
				t.Fatal("edited migration passed the atlas.sum check")
			}
		})
	}
}
