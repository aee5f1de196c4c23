// Command bench is the gateway benchmark behind `make bench`. It builds the hub and the mock
// upstream, starts both on 127.0.0.1, configures a provider, a user and a key through the
// admin API, and for each scenario runs the same closed-loop load twice: straight at the mock
// (the floor) and through the hub. The difference is what the hub costs: added latency, added
// time to first byte, throughput lost, and the hub's own CPU and memory. See bench/README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// options are the command's flags, resolved.
type options struct {
	quick    bool
	requests int           // per measured phase
	duration time.Duration // per measured phase
	out      string        // JSON results; the markdown goes next to it
	chunks   int
	size     int
	delay    time.Duration
	pprof    bool
	only     map[string]bool
	rev      string    // build this commit instead of the work tree
	limits   string    // "none", "on" (every quota set on the user and key) or "off" (ENABLE_RATE_LIMIT=false)
	root     string    // module root
	progress io.Writer // one line per phase
}

// warmup is the request count and time cap of the warm-up before each measured phase: enough
// to open every keep-alive connection (client→hub and hub→mock) and settle the pools.
func (o *options) warmup(conc int) (int, time.Duration) {
	if o.quick {
		return max(2*conc, 20), time.Second
	}
	return max(8*conc, 500), 2 * time.Second
}

func main() {
	code := 0
	if err := mainErr(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		code = 1
	}
	os.Exit(code)
}

func mainErr() error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	quick := fs.Bool("quick", false, "smoke run: few requests per phase")
	requests := fs.Int("requests", 20000, "requests per measured phase (quick: 300)")
	duration := fs.Duration("duration", 5*time.Second, "time cap per measured phase (quick: 2s)")
	out := fs.String("out", "", "results JSON path (default bench/results/bench-<UTC time>.json; a .md is written beside it)")
	chunks := fs.Int("chunks", 8, "mock: text deltas per answer")
	size := fs.Int("size", 32, "mock: bytes of text per delta")
	delay := fs.Duration("delay", 0, "mock: pause between stream events")
	pprof := fs.Bool("pprof", false, "run the hub with a CPU profiler (bench/cmd/hubprof) and save one profile per hub phase")
	rev := fs.String("rev", "", "build the hub from this commit (git archive into a temp dir) instead of the shared work tree")
	limits := fs.String("limits", "none", "quotas: none (limiter on, nothing set), on (every user/key limit set, never reached), off (ENABLE_RATE_LIMIT=false)")
	only := fs.String("only", "", "comma-separated scenarios to run (json-c1,json-c16,json-c64,sse-c1,sse-c16,sse-c64)")
	if err := fs.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	o := options{quick: *quick, requests: *requests, duration: *duration, out: *out,
		chunks: *chunks, size: *size, delay: *delay, pprof: *pprof, rev: *rev, limits: *limits, progress: os.Stderr}
	if o.limits != "none" && o.limits != "on" && o.limits != "off" {
		return fmt.Errorf("-limits must be none, on or off")
	}
	if o.quick {
		if !set["requests"] {
			o.requests = 300
		}
		if !set["duration"] {
			o.duration = 2 * time.Second
		}
	}
	if *only != "" {
		o.only = map[string]bool{}
		for _, s := range strings.Split(*only, ",") {
			o.only[strings.TrimSpace(s)] = true
		}
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	o.root = root
	if o.out == "" {
		o.out = filepath.Join(root, "bench", "results", "bench-"+time.Now().UTC().Format("20060102-150405")+".json")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := run(ctx, o)
	if err != nil {
		return err
	}
	md := rep.markdown()
	fmt.Print(md)
	if err := rep.save(o.out, md); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "results: %s\n", o.out)
	if n := rep.failed(); n > 0 {
		return fmt.Errorf("%d requests failed", n)
	}
	return nil
}

// moduleRoot finds the cchub module from the working directory up, so both `make bench` (repo
// root) and `go test` (bench/cmd/bench) work.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.HasPrefix(string(b), "module github.com/cchub/cchub\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the cchub module")
		}
		dir = parent
	}
}

// scenario is one load shape.
type scenario struct {
	Name   string `json:"name"`
	Stream bool   `json:"stream"`
	Conc   int    `json:"concurrency"`
}

var scenarios = []scenario{
	{"json-c1", false, 1},
	{"json-c16", false, 16},
	{"json-c64", false, 64},
	// One stream at a time shows the hub's own time to first byte, without queueing for CPU.
	{"sse-c1", true, 1},
	{"sse-c16", true, 16},
	{"sse-c64", true, 64},
}

// bench is a run in progress: the processes and what every phase needs.
type bench struct {
	o        options
	hub      *proc
	mock     *proc
	hubURL   string
	mockURL  string
	pprofURL string
	key      string
	bodies   map[bool][]byte // request body by stream
	wants    map[bool][]byte // the mock's exact answer by stream
}

func run(ctx context.Context, o options) (*report, error) {
	tmp, err := os.MkdirTemp("", "cchub-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	hubPkg, hubBin := "./cmd/cchub", "cchub"
	if o.pprof {
		hubPkg, hubBin = "./bench/cmd/hubprof", "hubprof"
	}
	src, commit := o.root, gitCommit(o.root)
	if o.rev != "" {
		src = filepath.Join(tmp, "src")
		if commit, err = exportRev(ctx, o.root, o.rev, src); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(o.progress, "building %s and the mock from %s…\n", hubPkg, commit)
	if err := build(ctx, src, tmp, hubPkg, o.rev != ""); err != nil {
		return nil, err
	}

	b := &bench{o: o, bodies: map[bool][]byte{false: requestBody(false), true: requestBody(true)}, wants: map[bool][]byte{}}
	b.mock, err = startProc("mock", filepath.Join(tmp, "mock"), []string{
		"-addr", "127.0.0.1:0", "-chunks", fmt.Sprint(o.chunks), "-size", fmt.Sprint(o.size), "-delay", o.delay.String(),
	}, nil, tmp)
	if err != nil {
		return nil, err
	}
	defer b.mock.stop()
	m, err := b.mock.waitFor(ctx, reMock, 15*time.Second)
	if err != nil {
		return nil, err
	}
	b.mockURL = m[1]

	token := "cch-bench-" + fmt.Sprint(time.Now().UnixNano())
	env := []string{"ADMIN_TOKEN=" + token}
	if o.limits == "off" {
		env = append(env, "ENABLE_RATE_LIMIT=false")
	}
	if o.pprof {
		env = append(env, "CCHUB_BENCH_PPROF=127.0.0.1:0")
	}
	b.hub, err = startProc("hub", filepath.Join(tmp, hubBin), []string{
		"--dev", "--host", "127.0.0.1", "--port", "0", "--data-dir", filepath.Join(tmp, "data"), "--shutdown-timeout", "3s",
	}, env, tmp)
	if err != nil {
		return nil, err
	}
	defer b.hub.stop()
	if m, err = b.hub.waitFor(ctx, reHub, 60*time.Second); err != nil {
		return nil, err
	}
	b.hubURL = m[1]
	if o.pprof {
		if m, err = b.hub.waitFor(ctx, rePprof, 5*time.Second); err != nil {
			return nil, err
		}
		b.pprofURL = m[1]
	}
	if b.key, err = configure(ctx, b.hubURL, token, b.mockURL, o.limits == "on"); err != nil {
		return nil, fmt.Errorf("configure the hub: %w", err)
	}
	// The reference answers come from the mock; one request through the hub must match them
	// byte for byte before any load runs, or every number after would be about errors.
	for _, stream := range []bool{false, true} {
		want, err := fetchOnce(ctx, b.mockURL+"/v1/messages", b.key, b.bodies[stream])
		if err != nil {
			return nil, fmt.Errorf("mock: %w", err)
		}
		got, err := fetchOnce(ctx, b.hubURL+"/v1/messages", b.key, b.bodies[stream])
		if err != nil {
			return nil, fmt.Errorf("hub: %w\nhub stderr tail:\n%s", err, b.hub.stderrTail())
		}
		if string(got) != string(want) {
			return nil, fmt.Errorf("hub answer (stream=%v) differs from the mock's:\n%s\nwant:\n%s", stream, snippet(got), snippet(want))
		}
		b.wants[stream] = want
	}

	rep := newReport(o, b)
	rep.Commit = commit
	for _, sc := range scenarios {
		if o.only != nil && !o.only[sc.Name] {
			continue
		}
		res := scenarioResult{scenario: sc}
		if res.Direct, err = b.phase(ctx, sc, false); err != nil {
			return nil, err
		}
		if res.Hub, err = b.phase(ctx, sc, true); err != nil {
			return nil, err
		}
		rep.Scenarios = append(rep.Scenarios, res)
	}
	if rep.HubRSSPeakKiB, err = procHWM(b.hub.pid); err != nil {
		return nil, err
	}
	rep.MockRSSPeakKiB, _ = procHWM(b.mock.pid)
	rep.LoadAfter = loadAvg()
	if o.pprof {
		if err := b.saveAllocs(ctx); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

var (
	// Each banner is matched whole: in -pprof mode the hub's stdout carries two URLs.
	reHub   = regexpMust(`(?m)^cchub \S+ listening on (http://127\.0\.0\.1:\d+)$`)
	reMock  = regexpMust(`(?m)^mock listening on (http://127\.0\.0\.1:\d+)$`)
	rePprof = regexpMust(`(?m)^pprof listening on (http://127\.0\.0\.1:\d+)$`)
)

// phase runs warm-up and the measured load against one target and reads what it cost.
func (b *bench) phase(ctx context.Context, sc scenario, viaHub bool) (phaseResult, error) {
	res := phaseResult{Target: "direct"}
	url := b.mockURL + "/v1/messages"
	if viaHub {
		res.Target = "hub"
		url = b.hubURL + "/v1/messages"
	}
	tr := newTransport(sc.Conc)
	defer tr.CloseIdleConnections()
	spec := loadSpec{url: url, key: b.key, body: b.bodies[sc.Stream], want: b.wants[sc.Stream], stream: sc.Stream, conc: sc.Conc}

	spec.requests, spec.duration = b.o.warmup(sc.Conc)
	warm := runLoad(ctx, tr, spec)
	res.WarmupErrors = warm.errors
	if res.FirstError == "" {
		res.FirstError = warm.firstErr
	}

	// Through the hub, the window opens only once the warm-up's records are logged, and
	// closes only once the measured requests are: the batch writer's SQLite work is part of
	// what a relayed request costs.
	_, m0, err := b.settle(ctx, viaHub, 0)
	if err != nil {
		return res, err
	}
	profile := ""
	if viaHub && b.o.pprof {
		profile = strings.TrimSuffix(b.o.out, ".json") + "-hub-" + sc.Name + ".pprof"
		if err := os.MkdirAll(filepath.Dir(profile), 0o755); err != nil {
			return res, err
		}
		if err := adminCall(ctx, b.pprofURL, "", "POST", "/bench/cpu/start?file="+profile, nil, nil); err != nil {
			return res, err
		}
	}
	hub0, err := procCPU(b.hub.pid)
	if err != nil {
		return res, err
	}
	mock0, err := procCPU(b.mock.pid)
	if err != nil {
		return res, err
	}
	self0 := selfCPU()
	busy0, err := machineBusy()
	if err != nil {
		return res, err
	}
	window0 := time.Now()

	spec.requests, spec.duration = b.o.requests, b.o.duration
	load := runLoad(ctx, tr, spec)

	hub1, m1, err := b.settle(ctx, viaHub, m0.sum("cchub_requests_total")+float64(load.ok+load.errors))
	if err != nil {
		return res, err
	}
	mock1, err := procCPU(b.mock.pid)
	if err != nil {
		return res, err
	}
	self1 := selfCPU()
	busy1, err := machineBusy()
	if err != nil {
		return res, err
	}
	window := time.Since(window0)
	if profile != "" {
		if err := adminCall(ctx, b.pprofURL, "", "POST", "/bench/cpu/stop", nil, nil); err != nil {
			return res, err
		}
		res.Profile = profile
	}
	if err := b.hub.alive(); err != nil {
		return res, err
	}
	if err := b.mock.alive(); err != nil {
		return res, err
	}

	res.Requests = load.ok
	res.Errors = load.errors
	if load.firstErr != "" {
		res.FirstError = load.firstErr
	}
	res.Seconds = load.elapsed.Seconds()
	res.RPS = float64(load.ok) / load.elapsed.Seconds()
	res.Latency = summarize(load.lat)
	if sc.Stream {
		d := summarize(load.ttfb)
		res.TTFB = &d
	}
	res.HubCPUms = ms(hub1 - hub0)
	res.MockCPUms = ms(mock1 - mock0)
	res.LoadCPUms = ms(self1 - self0)
	// What the machine did in the window besides the bench's three processes: a busy
	// neighbour inflates latency and deflates RPS, and the report should say so.
	others := ms(busy1-busy0) - res.LoadCPUms - res.HubCPUms - res.MockCPUms
	res.OthersCPUPct = max(0, 100*others/(ms(window)*float64(runtime.NumCPU())))
	res.HubRelayedOK = m1.sumWhere("cchub_requests_total", `status="200"`) - m0.sumWhere("cchub_requests_total", `status="200"`)
	res.HubLogged = m1.sum("cchub_log_writer_written_total") - m0.sum("cchub_log_writer_written_total")
	res.HubAllocs = m1.sum("go_memstats_mallocs_total") - m0.sum("go_memstats_mallocs_total")
	res.HubAllocBytes = m1.sum("go_memstats_alloc_bytes_total") - m0.sum("go_memstats_alloc_bytes_total")
	res.HubGCs = m1.sum("go_gc_duration_seconds_count") - m0.sum("go_gc_duration_seconds_count")
	if res.HubRSSPeakKiB, err = procHWM(b.hub.pid); err != nil {
		return res, err
	}
	fmt.Fprintf(b.o.progress, "%-8s %-6s c%-3d %6d req %5.2fs %8.0f rps  p50 %s p99 %s  hub cpu %s/1k  others %.0f%%  errors %d\n",
		sc.Name, res.Target, sc.Conc, res.Requests, res.Seconds, res.RPS,
		fmtDur(res.Latency.P50, false), fmtDur(res.Latency.P99, false), fmtMs(perK(res.HubCPUms, res.Requests)), res.OthersCPUPct, res.Errors+res.WarmupErrors)
	return res, nil
}

// settle waits (via the hub only; at most 5 s) until the hub has counted at least minTotal
// relayed requests and its log writer has caught up with all of them, then returns the hub's
// CPU time, read before the scrape that confirmed it so the scrapes cost the window little.
func (b *bench) settle(ctx context.Context, viaHub bool, minTotal float64) (time.Duration, *metrics, error) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		if viaHub {
			time.Sleep(50 * time.Millisecond)
		}
		cpu, err := procCPU(b.hub.pid)
		if err != nil {
			return 0, nil, err
		}
		m, err := scrape(ctx, b.hubURL)
		if err != nil {
			return 0, nil, err
		}
		total := m.sum("cchub_requests_total")
		if !viaHub || (total >= minTotal && m.logged() >= total) || time.Now().After(deadline) {
			return cpu, m, nil
		}
	}
}

// saveAllocs keeps the hub's cumulative allocation profile of the whole run (pprof mode).
func (b *bench) saveAllocs(ctx context.Context) error {
	path := strings.TrimSuffix(b.o.out, ".json") + "-hub-allocs.pprof"
	return download(ctx, b.pprofURL+"/debug/pprof/allocs", path)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func perK(total float64, n int) float64 {
	if n == 0 {
		return 0
	}
	return total / float64(n) * 1000
}

func newReport(o options, b *bench) *report {
	return &report{
		Date:       time.Now().UTC().Format("2006-01-02 15:04 MST"),
		Go:         runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
		CPUs:       runtime.NumCPU(),
		LoadBefore: loadAvg(),
		Quick:      o.quick,
		Requests:   o.requests,
		Duration:   o.duration.String(),
		Chunks:     o.chunks,
		Size:       o.size,
		Delay:      o.delay.String(),
		Profiled:   o.pprof,
		ReqBytes:   len(b.bodies[false]),
		JSONBytes:  len(b.wants[false]),
		SSEBytes:   len(b.wants[true]),
	}
}
