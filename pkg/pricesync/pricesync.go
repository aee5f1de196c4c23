// Package pricesync updates the model price table from a LiteLLM-format file, fetched from a
// URL or read from disk. It is shared by POST /api/v1/prices/sync, `cchub prices sync` and the
// scheduled sync; manual prices are never overwritten.
package pricesync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/cchub/cchub/pkg/billing"
	"github.com/cchub/cchub/pkg/store"
)

// DefaultURL is LiteLLM's public price table (raw file on its main branch).
const DefaultURL = "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"

// MaxBytes bounds a downloaded or read table; LiteLLM's is under 2 MB.
const MaxBytes = 64 << 20

// DefaultTimeout bounds a download when the caller's client has no timeout of its own.
const DefaultTimeout = 2 * time.Minute

// Summary is the outcome of one sync.
type Summary struct {
	// Source is the URL or file the table came from.
	Source string `json:"source"`
	Bytes  int    `json:"bytes"`
	// Models is the number of priced models in the table (non-model keys such as sample_spec
	// and fallback_generalizations, and entries without per-token prices, are not counted).
	Models     int `json:"models"`
	Added      int `json:"added"`
	Updated    int `json:"updated"`
	KeptManual int `json:"kept_manual"`
	Unchanged  int `json:"unchanged"`
}

// Progress receives the stages of a sync: "fetch" (with the source), "download" (bytes so far
// and the total, -1 when unknown; called repeatedly), "parse" and "apply" (with the number of
// models). nil reports nothing.
type Progress interface {
	Stage(stage string, source string, done, total int64)
}

// ProgressFunc adapts a function to Progress.
type ProgressFunc func(stage, source string, done, total int64)

// Stage implements Progress.
func (f ProgressFunc) Stage(stage, source string, done, total int64) { f(stage, source, done, total) }

// ErrEmpty means the source parsed but held no priced model (an HTML error page, a wrong file).
var ErrEmpty = errors.New("no model prices found")

// CheckURL validates a sync URL: absolute http or https.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("must be an absolute http or https URL")
	}
	return nil
}

// FromURL downloads the table at rawURL with client (nil: a client with DefaultTimeout) and
// applies it to st.
func FromURL(ctx context.Context, st *store.Store, client *http.Client, rawURL string, p Progress) (Summary, error) {
	if err := CheckURL(rawURL); err != nil {
		return Summary{}, fmt.Errorf("price sync url: %w", err)
	}
	if client == nil {
		client = &http.Client{Timeout: DefaultTimeout}
	}
	stage(p, "fetch", rawURL, 0, 0)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return Summary{}, fmt.Errorf("price sync: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return Summary{}, fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return Summary{}, fmt.Errorf("fetch %s: HTTP %d", rawURL, res.StatusCode)
	}
	data, err := readLimited(&progressReader{r: res.Body, p: p, source: rawURL, total: res.ContentLength})
	if err != nil {
		return Summary{}, fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	return Apply(ctx, st, rawURL, data, p)
}

// FromFile reads the table at path and applies it to st.
func FromFile(ctx context.Context, st *store.Store, path string, p Progress) (Summary, error) {
	f, err := os.Open(path)
	if err != nil {
		return Summary{}, fmt.Errorf("price sync: %w", err)
	}
	defer f.Close()
	stage(p, "fetch", path, 0, 0)
	total := int64(-1)
	if fi, err := f.Stat(); err == nil {
		total = fi.Size()
	}
	data, err := readLimited(&progressReader{r: f, p: p, source: path, total: total})
	if err != nil {
		return Summary{}, fmt.Errorf("read %s: %w", path, err)
	}
	return Apply(ctx, st, path, data, p)
}

// Apply parses data (LiteLLM's format) and upserts its prices: new models are added, changed
// synced prices updated, manual prices kept.
func Apply(ctx context.Context, st *store.Store, source string, data []byte, p Progress) (Summary, error) {
	sum := Summary{Source: source, Bytes: len(data)}
	entries, err := billing.ParseLiteLLM(data)
	if err != nil {
		return sum, err
	}
	if len(entries) == 0 {
		return sum, fmt.Errorf("%s: %w", source, ErrEmpty)
	}
	sum.Models = len(entries)
	stage(p, "parse", source, int64(len(entries)), int64(len(entries)))
	sum.Added, sum.Updated, sum.KeptManual, err = store.UpsertSyncedPrices(ctx, st, entries)
	if err != nil {
		return sum, err
	}
	sum.Unchanged = sum.Models - sum.Added - sum.Updated - sum.KeptManual
	stage(p, "apply", source, int64(sum.Models), int64(sum.Models))
	return sum, nil
}

func stage(p Progress, s, source string, done, total int64) {
	if p != nil {
		p.Stage(s, source, done, total)
	}
}

func readLimited(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxBytes {
		return nil, fmt.Errorf("larger than %d MiB", MaxBytes>>20)
	}
	return data, nil
}

// progressReader reports "download" progress at most every 256 KiB and at the end.
type progressReader struct {
	r      io.Reader
	p      Progress
	source string
	total  int64
	done   int64
	last   int64
}

func (r *progressReader) Read(b []byte) (int, error) {
	n, err := r.r.Read(b)
	r.done += int64(n)
	if r.p != nil && (r.done-r.last >= 256<<10 || (err == io.EOF && r.done != r.last)) {
		r.last = r.done
		r.p.Stage("download", r.source, r.done, r.total)
	}
	return n, err
}
