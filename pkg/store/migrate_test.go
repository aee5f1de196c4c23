package store_test

import (
	"context"
	"database/sql"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	atlas "ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"

	"github.com/cchub/cchub/migrations"
	"github.com/cchub/cchub/pkg/store"
	"github.com/cchub/cchub/pkg/store/storetest"
)

// eachFresh runs fn on SQLite and (when configured) Postgres with the Config of an empty,
// unmigrated database.
func eachFresh(t *testing.T, fn func(t *testing.T, cfg store.Config)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, store.Config{DataDir: t.TempDir()}) })
	t.Run("postgres", func(t *testing.T) { fn(t, store.Config{DSN: storetest.PostgresDSN(t)}) })
}

func openStore(t *testing.T, cfg store.Config) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// embeddedVersions lists the versions of the migrations Migrate applies for dialect d.
func embeddedVersions(t *testing.T, d string) []string {
	t.Helper()
	fsys, sub := fs.FS(migrations.SQLite), "sqlite"
	if d == dialect.Postgres {
		fsys, sub = migrations.Postgres, "postgres"
	}
	names, err := fs.Glob(fsys, sub+"/*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("no embedded migrations for %s: %v", d, err)
	}
	var vs []string
	for _, n := range names {
		vs = append(vs, strings.SplitN(strings.TrimPrefix(n, sub+"/"), "_", 2)[0])
	}
	slices.Sort(vs)
	return vs
}

// appliedVersions reads schema_migrations in version order.
func appliedVersions(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query("SELECT version FROM schema_migrations ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var vs []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return vs
}

// tableExists reports whether the current schema has the table.
func tableExists(t *testing.T, s *store.Store, name string) bool {
	t.Helper()
	q := "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?"
	if s.Dialect == dialect.Postgres {
		q = "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1"
	}
	var n int
	if err := s.DB.QueryRow(q, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// migrationFS builds a migration directory with a correct atlas.sum from name → SQL.
func migrationFS(t *testing.T, files map[string]string) fstest.MapFS {
	t.Helper()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	m := fstest.MapFS{}
	var af []atlas.File
	for _, n := range names {
		m[n] = &fstest.MapFile{Data: []byte(files[n])}
		af = append(af, atlas.NewLocalFile(n, []byte(files[n])))
	}
	sum, err := atlas.NewHashFile(af)
	if err != nil {
		t.Fatal(err)
	}
	b, err := sum.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	m[atlas.HashFileName] = &fstest.MapFile{Data: b}
	return m
}

func TestMigrateAppliesEmbeddedMigrationsOnce(t *testing.T) {
	eachFresh(t, func(t *testing.T, cfg store.Config) {
		ctx := context.Background()
		s := openStore(t, cfg)
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		want := embeddedVersions(t, s.Dialect)
		if got := appliedVersions(t, s.DB); !slices.Equal(got, want) {
			t.Fatalf("applied %v, want %v", got, want)
		}
		u, err := s.Client.User.Create().SetName("alice").Save(ctx)
		if err != nil {
			t.Fatalf("schema not usable after migrate: %v", err)
		}
		// A second run must neither fail on existing tables nor touch data.
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		if got := appliedVersions(t, s.DB); !slices.Equal(got, want) {
			t.Fatalf("after second run applied %v, want %v", got, want)
		}
		if _, err := s.Client.User.Get(ctx, u.ID); err != nil {
			t.Fatalf("user lost by second migrate: %v", err)
		}
	})
}

func TestMigrateRestartKeepsData(t *testing.T) {
	eachFresh(t, func(t *testing.T, cfg store.Config) {
		ctx := context.Background()
		s, err := store.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Migrate(ctx); err != nil {
			s.Close()
			t.Fatal(err)
		}
		u, err := s.Client.User.Create().SetName("bob").Save(ctx)
		if err != nil {
			s.Close()
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}

		s2 := openStore(t, cfg)
		if err := s2.Migrate(ctx); err != nil {
			t.Fatalf("migrate after restart: %v", err)
		}
		got, err := s2.Client.User.Get(ctx, u.ID)
		if err != nil || got.Name != "bob" {
			t.Fatalf("after restart: %v, %v", got, err)
		}
		if n := len(appliedVersions(t, s2.DB)); n != len(embeddedVersions(t, s2.Dialect)) {
			t.Fatalf("schema_migrations has %d rows after restart", n)
		}
	})
}

func TestMigrateRunsOnlyNewFilesAndRejectsUnknownOrEdited(t *testing.T) {
	storetestEachEmpty(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		v1 := map[string]string{
			"20250101000000_a.sql": "CREATE TABLE mig_a (id integer PRIMARY KEY);\n",
			"20250102000000_b.sql": "CREATE TABLE mig_b (id integer PRIMARY KEY);\n",
		}
		if err := store.MigrateFS(ctx, s, migrationFS(t, v1)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB.Exec("INSERT INTO mig_a (id) VALUES (7)"); err != nil {
			t.Fatal(err)
		}

		// A new file runs alone: re-running the old ones would fail on the existing tables.
		v2 := map[string]string{"20250103000000_c.sql": "CREATE TABLE mig_c (id integer PRIMARY KEY);\n"}
		for n, b := range v1 {
			v2[n] = b
		}
		if err := store.MigrateFS(ctx, s, migrationFS(t, v2)); err != nil {
			t.Fatal(err)
		}
		if !tableExists(t, s, "mig_c") {
			t.Fatal("mig_c not created")
		}
		want := []string{"20250101000000", "20250102000000", "20250103000000"}
		if got := appliedVersions(t, s.DB); !slices.Equal(got, want) {
			t.Fatalf("applied %v, want %v", got, want)
		}

		// An older build (missing a migration the database has) must not run on it.
		err := store.MigrateFS(ctx, s, migrationFS(t, v1))
		if err == nil || !strings.Contains(err.Error(), "20250103000000") || !strings.Contains(err.Error(), "does not know") {
			t.Fatalf("older build: err = %v", err)
		}

		// Editing an applied file is refused even with a matching atlas.sum.
		edited := map[string]string{"20250101000000_a.sql": "CREATE TABLE mig_a (id integer PRIMARY KEY, x integer);\n"}
		for n, b := range v2 {
			if _, ok := edited[n]; !ok {
				edited[n] = b
			}
		}
		err = store.MigrateFS(ctx, s, migrationFS(t, edited))
		if err == nil || !strings.Contains(err.Error(), "20250101000000_a.sql changed after it was applied") {
			t.Fatalf("edited migration: err = %v", err)
		}
		var n int
		if err := s.DB.QueryRow("SELECT COUNT(*) FROM mig_a").Scan(&n); err != nil || n != 1 {
			t.Fatalf("mig_a rows = %d, %v", n, err)
		}
	})
}

func TestMigrateFailedFileRollsBack(t *testing.T) {
	storetestEachEmpty(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		files := map[string]string{
			"20250101000000_a.sql": "CREATE TABLE mig_a (id integer PRIMARY KEY);\n",
			"20250102000000_b.sql": "CREATE TABLE mig_b (id integer PRIMARY KEY);\nINSERT INTO no_such_table (id) VALUES (1);\n",
		}
		err := store.MigrateFS(ctx, s, migrationFS(t, files))
		if err == nil || !strings.Contains(err.Error(), "20250102000000_b.sql: statement 2") {
			t.Fatalf("err = %v", err)
		}
		if !tableExists(t, s, "mig_a") {
			t.Fatal("the file before the failing one was not kept")
		}
		if tableExists(t, s, "mig_b") {
			t.Fatal("the failing file was applied in part")
		}
		if got := appliedVersions(t, s.DB); !slices.Equal(got, []string{"20250101000000"}) {
			t.Fatalf("applied %v", got)
		}
		// The file never applied, so fixing it is allowed.
		files["20250102000000_b.sql"] = "CREATE TABLE mig_b (id integer PRIMARY KEY);\n"
		if err := store.MigrateFS(ctx, s, migrationFS(t, files)); err != nil {
			t.Fatal(err)
		}
		if !tableExists(t, s, "mig_b") {
			t.Fatal("fixed file not applied")
		}
	})
}

func TestMigrateRejectsBadAtlasSum(t *testing.T) {
	storetestEachEmpty(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		fsys := migrationFS(t, map[string]string{"20250101000000_a.sql": "CREATE TABLE mig_a (id integer PRIMARY KEY);\n"})
		fsys["20250101000000_a.sql"] = &fstest.MapFile{Data: []byte("DROP TABLE users;\n")}
		if err := store.MigrateFS(ctx, s, fsys); err == nil || !strings.Contains(err.Error(), "atlas.sum") {
			t.Fatalf("tampered file: err = %v", err)
		}
		delete(fsys, atlas.HashFileName)
		if err := store.MigrateFS(ctx, s, fsys); err == nil || !strings.Contains(err.Error(), "atlas.sum") {
			t.Fatalf("missing atlas.sum: err = %v", err)
		}
		// Validation happens before the database is touched.
		if tableExists(t, s, "schema_migrations") {
			t.Fatal("schema_migrations created for a rejected directory")
		}
	})
}

// storetestEachEmpty runs fn on an opened but unmigrated store per dialect.
func storetestEachEmpty(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	eachFresh(t, func(t *testing.T, cfg store.Config) { fn(t, openStore(t, cfg)) })
}

func TestMigrateSQLiteTableRebuildKeepsChildRows(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, store.Config{DataDir: t.TempDir()})
	files := map[string]string{
		"20250101000000_a.sql": `CREATE TABLE parent (id integer PRIMARY KEY);
CREATE TABLE child (id integer PRIMARY KEY, parent_id integer NOT NULL REFERENCES parent (id) ON DELETE CASCADE);
INSERT INTO parent (id) VALUES (1);
INSERT INTO child (id, parent_id) VALUES (10, 1);
`,
		// The shape atlas generates when a SQLite table changes in a way ALTER TABLE cannot do.
		"20250102000000_b.sql": "PRAGMA foreign_keys = off;\n" +
			"CREATE TABLE `new_parent` (`id` integer NOT NULL PRIMARY KEY, `name` text NOT NULL DEFAULT '');\n" +
			"INSERT INTO `new_parent` (`id`) SELECT `id` FROM `parent`;\n" +
			"DROP TABLE `parent`;\n" +
			"ALTER TABLE `new_parent` RENAME TO `parent`;\n" +
			"PRAGMA foreign_keys = on;\n",
	}
	if err := store.MigrateFS(ctx, s, migrationFS(t, files)); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.DB.QueryRow("SELECT COUNT(*) FROM child").Scan(&n); err != nil || n != 1 {
		t.Fatalf("child rows after rebuilding parent = %d, %v (ON DELETE CASCADE fired)", n, err)
	}
	// Foreign keys are back on for the application once Migrate returns.
	if _, err := s.DB.Exec("INSERT INTO child (id, parent_id) VALUES (11, 999)"); err == nil {
		t.Fatal("foreign keys still off after migrate")
	}
}

func TestMigrateSQLiteRejectsDanglingForeignKeys(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, store.Config{DataDir: t.TempDir()})
	files := map[string]string{
		"20250101000000_a.sql": `CREATE TABLE parent (id integer PRIMARY KEY);
CREATE TABLE child (id integer PRIMARY KEY, parent_id integer NOT NULL REFERENCES parent (id));
`,
		"20250102000000_b.sql": "INSERT INTO child (id, parent_id) VALUES (1, 42);\n",
	}
	err := store.MigrateFS(ctx, s, migrationFS(t, files))
	if err == nil || !strings.Contains(err.Error(), "references a missing parent row") {
		t.Fatalf("err = %v", err)
	}
	var n int
	if err := s.DB.QueryRow("SELECT COUNT(*) FROM child").Scan(&n); err != nil || n != 0 {
		t.Fatalf("dangling row kept: %d, %v", n, err)
	}
	if got := appliedVersions(t, s.DB); !slices.Equal(got, []string{"20250101000000"}) {
		t.Fatalf("applied %v", got)
	}
}

func TestMigrateSQLiteConcurrentOpeners(t *testing.T) {
	// Two processes sharing a data directory: SQLite has no advisory lock, the immediate
	// transaction and the re-check inside it must keep them from applying a file twice.
	ctx := context.Background()
	dir := t.TempDir()
	a := openStore(t, store.Config{DataDir: dir})
	b := openStore(t, store.Config{DataDir: dir})
	errs := make(chan error, 2)
	start := make(chan struct{})
	for _, s := range []*store.Store{a, b} {
		go func() {
			<-start
			errs <- s.Migrate(ctx)
		}()
	}
	close(start)
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if got, want := appliedVersions(t, a.DB), embeddedVersions(t, dialect.SQLite); !slices.Equal(got, want) {
		t.Fatalf("applied %v, want %v", got, want)
	}
}

// waitingAdvisoryLocks counts sessions of the current database waiting for an advisory lock.
func waitingAdvisoryLocks(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	err := db.QueryRow(`SELECT COUNT(*) FROM pg_locks
		WHERE locktype = 'advisory' AND NOT granted
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// waitForWaiters polls pg_locks until want sessions wait for the migration lock.
func waitForWaiters(t *testing.T, db *sql.DB, want int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for waitingAdvisoryLocks(t, db) != want {
		if time.Now().After(deadline) {
			t.Fatalf("%d sessions never waited for the migration lock", want)
		}
	}
}

// holdMigrationLock takes the migration advisory lock on its own session and returns the
// session's database handle and a function releasing it.
func holdMigrationLock(t *testing.T, dsn string) (*sql.DB, func()) {
	t.Helper()
	ctx := context.Background()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", store.PGMigrateLockKey); err != nil {
		t.Fatal(err)
	}
	return db, func() {
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", store.PGMigrateLockKey); err != nil {
			t.Fatal(err)
		}
		conn.Close()
	}
}

func TestMigratePostgresConcurrentInstancesSerialise(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	ctx := context.Background()
	a := openStore(t, store.Config{DSN: dsn})
	b := openStore(t, store.Config{DSN: dsn})

	// Holding the lock first makes the race deterministic: both instances must be queued on
	// it, and neither may have touched the schema, before either can run.
	probe, release := holdMigrationLock(t, dsn)
	errs := make(chan error, 2)
	for _, s := range []*store.Store{a, b} {
		go func() { errs <- s.Migrate(ctx) }()
	}
	waitForWaiters(t, probe, 2)
	if tableExists(t, a, "schema_migrations") {
		t.Fatal("an instance migrated without the advisory lock")
	}
	release()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("concurrent migrate: %v", err)
		}
	}
	if got, want := appliedVersions(t, a.DB), embeddedVersions(t, dialect.Postgres); !slices.Equal(got, want) {
		t.Fatalf("applied %v, want %v", got, want)
	}
	// Both instances released the lock: a third session takes it at once.
	var ok bool
	if err := probe.QueryRow("SELECT pg_try_advisory_lock($1)", store.PGMigrateLockKey).Scan(&ok); err != nil || !ok {
		t.Fatalf("migration lock still held after migrate: %v, %v", ok, err)
	}
}

func TestMigratePostgresCancelledWhileWaiting(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	s := openStore(t, store.Config{DSN: dsn})
	probe, release := holdMigrationLock(t, dsn)

	ctx, cancel := context.WithCancel(context.Background())
	errs := make(chan error, 1)
	go func() { errs <- s.Migrate(ctx) }()
	waitForWaiters(t, probe, 1)
	cancel()
	if err := <-errs; err == nil {
		t.Fatal("migrate returned nil although it never got the lock")
	}
	release()
	// The pool must not have kept a session stuck on the lock queue.
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate after a cancelled one: %v", err)
	}
	if got, want := appliedVersions(t, s.DB), embeddedVersions(t, dialect.Postgres); !slices.Equal(got, want) {
		t.Fatalf("applied %v, want %v", got, want)
	}
}
