package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/cchub/cchub/pkg/jsonx"
)

// phaseResult is one target's measured window. CPU figures are totals over the window; the
// per-1000 numbers are derived when printing.
type phaseResult struct {
	Target        string  `json:"target"`
	Requests      int     `json:"requests"` // succeeded, byte-identical to the mock's answer
	Errors        int     `json:"errors"`
	WarmupErrors  int     `json:"warmup_errors"`
	FirstError    string  `json:"first_error,omitempty"`
	Seconds       float64 `json:"seconds"`
	RPS           float64 `json:"rps"`
	Latency       dist    `json:"latency"`
	TTFB          *dist   `json:"ttfb,omitempty"`
	HubCPUms      float64 `json:"hub_cpu_ms"`
	MockCPUms     float64 `json:"mock_cpu_ms"`
	LoadCPUms     float64 `json:"loadgen_cpu_ms"`
	OthersCPUPct  float64 `json:"others_cpu_pct"` // machine CPU used by other processes during the load, % of all cores
	HubRelayedOK  float64 `json:"hub_relayed_ok"` // cchub_requests_total{status="200"} delta
	HubLogged     float64 `json:"hub_logged"`     // request records written to SQLite
	HubAllocs     float64 `json:"hub_allocs"`
	HubAllocBytes float64 `json:"hub_alloc_bytes"`
	HubGCs        float64 `json:"hub_gcs"`
	HubRSSPeakKiB int64   `json:"hub_rss_peak_kib"` // VmHWM at the end of the phase (peak so far)
	Profile       string  `json:"profile,omitempty"`
}

type scenarioResult struct {
	scenario
	Direct phaseResult `json:"direct"`
	Hub    phaseResult `json:"hub"`
}

type report struct {
	Date           string           `json:"date"`
	Commit         string           `json:"commit"`
	Go             string           `json:"go"`
	CPUs           int              `json:"cpus"`
	LoadBefore     string           `json:"loadavg_before"`
	LoadAfter      string           `json:"loadavg_after"`
	Quick          bool             `json:"quick"`
	Requests       int              `json:"requests_per_phase"`
	Duration       string           `json:"duration_per_phase"`
	Chunks         int              `json:"mock_chunks"`
	Size           int              `json:"mock_chunk_bytes"`
	Delay          string           `json:"mock_event_delay"`
	Profiled       bool             `json:"profiled"`
	ReqBytes       int              `json:"request_bytes"`
	JSONBytes      int              `json:"json_answer_bytes"`
	SSEBytes       int              `json:"sse_answer_bytes"`
	HubRSSPeakKiB  int64            `json:"hub_rss_peak_kib"`
	MockRSSPeakKiB int64            `json:"mock_rss_peak_kib"`
	Scenarios      []scenarioResult `json:"scenarios"`
}

// failed counts requests that did not get the mock's exact answer, warm-up included.
func (r *report) failed() int {
	n := 0
	for _, s := range r.Scenarios {
		n += s.Direct.Errors + s.Direct.WarmupErrors + s.Hub.Errors + s.Hub.WarmupErrors
	}
	return n
}

func (r *report) save(path, md string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	b, err := jsonx.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.WriteFile(strings.TrimSuffix(path, ".json")+".md", []byte(md), 0o644)
}

func (r *report) markdown() string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	mode := "full"
	if r.Quick {
		mode = "quick"
	}
	if r.Profiled {
		mode += ", hub CPU-profiled (numbers slightly pessimistic)"
	}
	w("### cchub gateway bench — %s (%s)\n\n", r.Date, mode)
	w("commit %s · %s · %d CPUs · load average before %s, after %s  \n", r.Commit, r.Go, r.CPUs, r.LoadBefore, r.LoadAfter)
	w("request %d B · mock answer %d × %d B text, event delay %s: JSON %d B, SSE %d B · per phase ≤ %d requests or %s after warm-up\n\n",
		r.ReqBytes, r.Chunks, r.Size, r.Delay, r.JSONBytes, r.SSEBytes, r.Requests, r.Duration)

	w("| scenario | direct RPS | hub RPS (%% of direct) | direct p50 / p99 | hub p50 / p99 | **added p50** | **added p99** | **TTFB added p50 / p99** |\n")
	w("|---|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, s := range r.Scenarios {
		d, h := s.Direct, s.Hub
		ttfb := "—"
		if d.TTFB != nil && h.TTFB != nil {
			ttfb = fmtDur(h.TTFB.P50-d.TTFB.P50, true) + " / " + fmtDur(h.TTFB.P99-d.TTFB.P99, true)
		}
		w("| %s | %.0f | %.0f (%.0f%%) | %s / %s | %s / %s | %s | %s | %s |\n", s.Name, d.RPS, h.RPS, pct(h.RPS, d.RPS),
			fmtDur(d.Latency.P50, false), fmtDur(d.Latency.P99, false), fmtDur(h.Latency.P50, false), fmtDur(h.Latency.P99, false),
			fmtDur(h.Latency.P50-d.Latency.P50, true), fmtDur(h.Latency.P99-d.Latency.P99, true), ttfb)
	}
	w("\n| scenario | **hub CPU ms / 1000 req** | mock CPU ms / 1000 (direct → via hub) | load-gen CPU ms / 1000 (direct → via hub) | hub allocs / req | hub KiB alloc / req | hub GCs | hub RSS peak | requests direct / hub | errors | other processes' CPU, %% of machine (direct / hub) |\n")
	w("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, s := range r.Scenarios {
		d, h := s.Direct, s.Hub
		w("| %s | %s | %s → %s | %s → %s | %.0f | %.1f | %.0f | %.0f MiB | %d / %d | %d | %.0f%% / %.0f%% |\n", s.Name,
			fmtMs(perK(h.HubCPUms, h.Requests)),
			fmtMs(perK(d.MockCPUms, d.Requests)), fmtMs(perK(h.MockCPUms, h.Requests)),
			fmtMs(perK(d.LoadCPUms, d.Requests)), fmtMs(perK(h.LoadCPUms, h.Requests)),
			div(h.HubAllocs, h.Requests), div(h.HubAllocBytes, h.Requests)/1024, h.HubGCs,
			float64(h.HubRSSPeakKiB)/1024, d.Requests, h.Requests,
			d.Errors+d.WarmupErrors+h.Errors+h.WarmupErrors, d.OthersCPUPct, h.OthersCPUPct)
	}
	w("\nhub peak RSS over the run: %.0f MiB (mock: %.0f MiB)\n", float64(r.HubRSSPeakKiB)/1024, float64(r.MockRSSPeakKiB)/1024)

	// The targets, against the scenarios they name.
	var rows []string
	// The issue names c64; c1 is shown too, because at c64 both runs queue for the two cores and
	// the difference mostly measures CPU taken from the load generator and the mock.
	for _, name := range []string{"json-c64", "json-c1"} {
		if s := r.find(name); s != nil {
			rows = append(rows,
				target("added latency p50, "+name, "≤ 100 µs", s.Hub.Latency.P50-s.Direct.Latency.P50, 100_000),
				target("added latency p99, "+name, "≤ 1 ms", s.Hub.Latency.P99-s.Direct.Latency.P99, 1_000_000))
		}
	}
	for _, s := range r.Scenarios {
		cpu := perK(s.Hub.HubCPUms, s.Hub.Requests)
		rows = append(rows, fmt.Sprintf("| hub CPU per 1000 relayed, %s | ≤ 50 ms | %s | %s |", s.Name, fmtMs(cpu), met(cpu <= 50)))
	}
	for _, s := range r.Scenarios {
		if s.Hub.TTFB != nil && s.Direct.TTFB != nil {
			rows = append(rows, target("TTFB added p99, "+s.Name, "≤ 1 ms", s.Hub.TTFB.P99-s.Direct.TTFB.P99, 1_000_000))
		}
	}
	if len(rows) > 0 {
		w("\n| target (issue) | goal | measured | |\n|---|---|--:|---|\n%s\n", strings.Join(rows, "\n"))
	}
	for _, s := range r.Scenarios {
		for _, p := range []phaseResult{s.Direct, s.Hub} {
			if p.FirstError != "" {
				w("\n%s %s first error: `%s`\n", s.Name, p.Target, p.FirstError)
			}
		}
	}
	w("\n")
	return b.String()
}

func (r *report) find(name string) *scenarioResult {
	for i := range r.Scenarios {
		if r.Scenarios[i].Name == name {
			return &r.Scenarios[i]
		}
	}
	return nil
}

func target(what, goal string, got, limit int64) string {
	return fmt.Sprintf("| %s | %s | %s | %s |", what, goal, fmtDur(got, true), met(got <= limit))
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "**not met**"
}

// fmtDur prints nanoseconds as µs below 10 ms and as ms above; signed shows a + on gains.
func fmtDur(ns int64, signed bool) string {
	sign := ""
	if signed && ns >= 0 {
		sign = "+"
	}
	if ns > -10_000_000 && ns < 10_000_000 {
		return fmt.Sprintf("%s%d µs", sign, ns/1000)
	}
	return fmt.Sprintf("%s%.1f ms", sign, float64(ns)/1e6)
}

func fmtMs(v float64) string {
	if v < 10 {
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.0f", v)
}

func pct(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return 100 * a / b
}

func div(total float64, n int) float64 {
	if n == 0 {
		return 0
	}
	return total / float64(n)
}

// gitCommit names the code measured; "+dirty" when the work tree differs from HEAD (others
// may be editing the shared checkout while the bench runs).
func gitCommit(root string) string {
	out, err := exec.Command("git", "-C", root, "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	if exec.Command("git", "-C", root, "diff", "--quiet", "HEAD", "--").Run() != nil {
		c += "+dirty"
	}
	return c
}

func download(ctx context.Context, url, path string) error {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return err
	}
	resp, err := ctlClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("GET %s: %d", url, resp.StatusCode)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func regexpMust(s string) *regexp.Regexp { return regexp.MustCompile(s) }

// requestBody is a ~0.9 KB Messages request shaped like Claude Code's (system blocks with
// cache_control, a user turn), the size the peer gateways were measured with.
func requestBody(stream bool) []byte {
	type block struct {
		Type         string            `json:"type"`
		Text         string            `json:"text"`
		CacheControl map[string]string `json:"cache_control,omitempty"`
	}
	type message struct {
		Role    string  `json:"role"`
		Content []block `json:"content"`
	}
	type body struct {
		Model     string    `json:"model"`
		MaxTokens int       `json:"max_tokens"`
		System    []block   `json:"system"`
		Messages  []message `json:"messages"`
		Stream    bool      `json:"stream"`
	}
	b, err := jsonx.Marshal(body{
		Model:     "claude-sonnet-4-5",
		MaxTokens: 1024,
		System: []block{
			{Type: "text", Text: "You are a Claude agent, built on Anthropic's Claude Agent SDK."},
			{Type: "text", Text: strings.Repeat("Answer concisely and cite the files you read. ", 7), CacheControl: map[string]string{"type": "ephemeral"}},
		},
		Messages: []message{{Role: "user", Content: []block{
			{Type: "text", Text: strings.Repeat("Explain what the relay loop does and suggest one test. ", 7)},
		}}},
		Stream: stream,
	})
	if err != nil {
		panic(err) // a fixed value of plain types always encodes
	}
	return b
}
