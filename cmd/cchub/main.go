// Command cchub is the self-hosted AI API hub. All wiring lives in pkg/app.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/cchub/cchub/pkg/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := app.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
