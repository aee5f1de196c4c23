// Command hubprof is the hub (pkg/app.Main, unchanged) plus a CPU-profile switch, for
// `go run ./bench/cmd/bench -pprof`. Profiling lives here rather than in the hub so the shipped
// binary carries no debug endpoints. With CCHUB_BENCH_PPROF=127.0.0.1:0 it serves, on that
// loopback address:
//
//	POST /bench/cpu/start?file=PATH   start a CPU profile written to PATH
//	POST /bench/cpu/stop              stop it
//	GET  /debug/pprof/...             the standard net/http/pprof handlers (heap, allocs, …)
//
// and prints "pprof listening on http://…" on stdout before the hub starts.
package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	httppprof "net/http/pprof"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"sync"
	"syscall"

	"github.com/cchub/cchub/pkg/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	if addr := os.Getenv("CCHUB_BENCH_PPROF"); addr != "" {
		if err := servePprof(addr); err != nil {
			fmt.Fprintln(os.Stderr, "hubprof:", err)
			os.Exit(1)
		}
	}
	code := app.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func servePprof(addr string) error {
	if host, _, err := net.SplitHostPort(addr); err != nil || (host != "127.0.0.1" && host != "localhost") {
		return fmt.Errorf("CCHUB_BENCH_PPROF must be a loopback address, got %q", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	var (
		mu  sync.Mutex
		out *os.File
	)
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", httppprof.Index)
	mux.HandleFunc("/debug/pprof/profile", httppprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", httppprof.Symbol)
	mux.HandleFunc("POST /bench/cpu/start", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		path := r.URL.Query().Get("file")
		if out != nil || path == "" || strings.Contains(path, "\x00") {
			http.Error(w, "profile already running or no file", http.StatusConflict)
			return
		}
		f, err := os.Create(path)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		out = f
	})
	mux.HandleFunc("POST /bench/cpu/stop", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if out == nil {
			http.Error(w, "no profile running", http.StatusConflict)
			return
		}
		pprof.StopCPUProfile()
		err := out.Close()
		out = nil
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	fmt.Printf("pprof listening on http://%s\n", ln.Addr())
	go http.Serve(ln, mux)
	return nil
}
