// Package app wires the hub together: configuration, store, migrations, caches, routes and the
// shutdown order. It is the only package that knows every other one.
package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"

	"github.com/cchub/cchub/pkg/config"
	"github.com/cchub/cchub/pkg/store"
)

// Version is set at build time with -ldflags "-X github.com/cchub/cchub/pkg/app.Version=…".
var Version = ""

// Exit codes.
const (
	exitOK     = 0
	exitFail   = 1
	exitConfig = 2
)

// Main runs the cchub command line and returns the process exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return runServe(ctx, args, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, args, stdout, stderr)
	case "prices":
		return runPrices(ctx, args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "cchub", version())
		return exitOK
	case "help":
		usage(stdout)
		return exitOK
	}
	fmt.Fprintf(stderr, "cchub: unknown command %q\n", cmd)
	usage(stderr)
	return exitConfig
}

func usage(w io.Writer) {
	fmt.Fprintln(w, `usage: cchub [serve] [flags]   start the hub (default)
       cchub migrate [flags]   apply database migrations and exit
       cchub prices sync [--url U | --file F]   update model prices (manual prices are kept)
       cchub version           print the version
run "cchub serve -h" for flags; every flag also reads its environment variable`)
}

// loadConfig parses flags and env; it prints the one-line error itself and returns the exit code.
func loadConfig(args []string, stderr io.Writer) (*config.Config, int) {
	cfg, err := config.Load(os.LookupEnv, args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil, exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, exitConfig
	}
	return cfg, -1
}

func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, code := loadConfig(args, stderr)
	if cfg == nil {
		return code
	}
	st, err := store.Open(ctx, store.Config{DSN: cfg.DSN, DataDir: cfg.DataDir})
	if err != nil {
		fmt.Fprintln(stderr, "cchub: database:", err)
		return exitFail
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		fmt.Fprintln(stderr, "cchub:", err)
		return exitFail
	}
	fmt.Fprintln(stdout, "cchub: migrations applied ("+st.Dialect+")")
	return exitOK
}

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return "dev"
}

func randomToken() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return "cch-" + hex.EncodeToString(b)
}
