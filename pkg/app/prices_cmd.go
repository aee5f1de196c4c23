package app

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cchub/cchub/pkg/pricesync"
	"github.com/cchub/cchub/pkg/store"
)

const pricesUsage = `usage: cchub prices sync [--url U | --file F] [flags]
  --url U    download a LiteLLM-format price table from U (default: the price_sync_url setting,
             else LiteLLM's public table)
  --file F   read the table from the file F instead
Manual prices are never overwritten. Other flags (--dsn, --data-dir, …) are those of serve;
running hubs pick the new prices up within a minute.`

// runPrices is `cchub prices sync [--url U | --file F]`: it updates model_prices directly in
// the database, printing progress and a summary.
func runPrices(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(stdout, pricesUsage)
		if len(args) == 0 {
			return exitConfig
		}
		return exitOK
	}
	if args[0] != "sync" {
		fmt.Fprintf(stderr, "cchub prices: unknown subcommand %q\n%s\n", args[0], pricesUsage)
		return exitConfig
	}
	url, file, rest, err := priceSource(args[1:])
	if err != nil {
		fmt.Fprintf(stderr, "cchub prices sync: %v\n", err)
		return exitConfig
	}
	cfg, code := loadConfig(rest, stderr)
	if cfg == nil {
		return code
	}
	st, err := store.Open(ctx, store.Config{DSN: cfg.DSN, DataDir: cfg.DataDir})
	if err != nil {
		fmt.Fprintln(stderr, "cchub: database:", err)
		return exitFail
	}
	defer st.Close()
	if cfg.AutoMigrate {
		if err := st.Migrate(ctx); err != nil {
			fmt.Fprintln(stderr, "cchub:", err)
			return exitFail
		}
	}
	progress := &priceProgress{w: stdout}
	var sum pricesync.Summary
	if file != "" {
		sum, err = pricesync.FromFile(ctx, st, file, progress)
	} else {
		if url == "" {
			row, serr := st.Settings(ctx)
			if serr != nil {
				fmt.Fprintln(stderr, "cchub:", serr)
				return exitFail
			}
			url = row.PriceSyncURL
		}
		if url == "" {
			url = pricesync.DefaultURL
		}
		sum, err = pricesync.FromURL(ctx, st, nil, url, progress)
	}
	if err != nil {
		fmt.Fprintln(stderr, "cchub prices sync:", err)
		return exitFail
	}
	if err := st.SetPriceSyncedAt(ctx, time.Now()); err != nil {
		fmt.Fprintln(stderr, "cchub prices sync: recording the sync time:", err)
	}
	fmt.Fprintf(stdout, "prices synced from %s: %d models; added %d, updated %d, kept manual %d, unchanged %d\n",
		sum.Source, sum.Models, sum.Added, sum.Updated, sum.KeptManual, sum.Unchanged)
	return exitOK
}

// priceSource takes --url and --file (also -url, -file and the =value forms) out of args and
// returns the remaining flags for the configuration.
func priceSource(args []string) (url, file string, rest []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || (name != "url" && name != "file") {
			rest = append(rest, a)
			continue
		}
		if !hasVal {
			if i+1 >= len(args) {
				return "", "", nil, fmt.Errorf("--%s needs a value", name)
			}
			i++
			val = args[i]
		}
		if val == "" {
			return "", "", nil, fmt.Errorf("--%s needs a value", name)
		}
		if name == "url" {
			url = val
		} else {
			file = val
		}
	}
	if url != "" && file != "" {
		return "", "", nil, fmt.Errorf("use --url or --file, not both")
	}
	if url != "" {
		if err := pricesync.CheckURL(url); err != nil {
			return "", "", nil, fmt.Errorf("--url %w", err)
		}
	}
	return url, file, rest, nil
}

// priceProgress prints the stages of a sync, one line each.
type priceProgress struct{ w io.Writer }

func (p *priceProgress) Stage(stage, source string, done, total int64) {
	switch stage {
	case "fetch":
		fmt.Fprintf(p.w, "reading %s\n", source)
	case "download":
		if total > 0 {
			fmt.Fprintf(p.w, "  %s of %s (%d%%)\n", kib(done), kib(total), done*100/total)
		} else {
			fmt.Fprintf(p.w, "  %s\n", kib(done))
		}
	case "parse":
		fmt.Fprintf(p.w, "parsed %d priced models; applying\n", done)
	}
}

func kib(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", n>>10)
}
