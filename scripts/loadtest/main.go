// Command loadtest drives a running Daftar server with a fixed-rate mix of
// reads and writes and prints latency, errors and throughput per endpoint.
// See docs/loadtest.md, or run it with -h.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/daftar-ir/daftar/internal/loadtest/mix"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := mix.Main(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
