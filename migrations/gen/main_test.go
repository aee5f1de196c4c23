package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cchub/cchub/migrations/schemadiff"
)

func TestRunRejectsBadName(t *testing.T) {
	for _, name := range []string{"", "Add-Thing", "_x", "a b"} {
		var out bytes.Buffer
		if err := run(context.Background(), &out, t.TempDir(), name, "unused"); err == nil {
			t.Errorf("name %q accepted", name)
		}
	}
}

func TestRunWritesBothDialectsThenReportsNoChanges(t *testing.T) {
	dsn := os.Getenv("CCHUB_TEST_PG_DSN")
	if dsn == "" {
		t.Skip("CCHUB_TEST_PG_DSN not set")
	}
	ctx := context.Background()
	root := t.TempDir()
	var out bytes.Buffer
	if err := run(ctx, &out, root, "init", dsn); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "wrote "); n != 2 {
		t.Fatalf("output %q: want 2 files written", out.String())
	}
	var versions []string
	for _, sub := range []string{"sqlite", "postgres"} {
		dir := filepath.Join(root, sub)
		if _, err := schemadiff.Load(os.DirFS(dir)); err != nil {
			t.Fatalf("%s: %v", sub, err)
		}
		names, err := filepath.Glob(filepath.Join(dir, "*_init.sql"))
		if err != nil || len(names) != 1 {
			t.Fatalf("%s: %v, %v", sub, names, err)
		}
		b, err := os.ReadFile(names[0])
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), `CREATE TABLE "users"`) && !strings.Contains(string(b), "CREATE TABLE `users`") {
			t.Fatalf("%s does not create users:\n%s", names[0], b)
		}
		versions = append(versions, strings.SplitN(filepath.Base(names[0]), "_", 2)[0])
	}
	if versions[0] != versions[1] {
		t.Fatalf("dialects got different versions: %v", versions)
	}

	before := listDir(t, root)
	out.Reset()
	if err := run(ctx, &out, root, "again", dsn); err != nil {
		t.Fatal(err)
	}
	if out.String() != "no changes\n" {
		t.Fatalf("second run printed %q", out.String())
	}
	if after := listDir(t, root); after != before {
		t.Fatalf("second run changed the directory:\n%s\nvs\n%s", before, after)
	}
}

// listDir renders every file under root with its content, to compare snapshots.
func listDir(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		b.WriteString(path + "\n" + string(data) + "\n")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestNextVersionSortsAfterExisting(t *testing.T) {
	root := t.TempDir()
	for _, sub := range []string{"sqlite", "postgres"} {
		if err := os.MkdirAll(filepath.Join(root, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if v, err := nextVersion(root, "20261125120000"); err != nil || v != "20261125120000" {
		t.Fatalf("empty dirs: %s %v", v, err)
	}
	os.WriteFile(filepath.Join(root, "postgres", "20261125120000_init.sql"), nil, 0o644)
	if v, err := nextVersion(root, "20261125120000"); err != nil || v != "20261125120001" {
		t.Fatalf("same second: %s %v", v, err)
	}
	if v, err := nextVersion(root, "20261125110000"); err != nil || v != "20261125120001" {
		t.Fatalf("clock behind: %s %v", v, err)
	}
	if v, err := nextVersion(root, "20261125130000"); err != nil || v != "20261125130000" {
		t.Fatalf("later: %s %v", v, err)
	}
}
