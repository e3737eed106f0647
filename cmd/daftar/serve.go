package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/api"
)

func serveCmd(ctx context.Context, e env, args []string) error {
	cfg, rest, err := loadConfig("serve", args, e.getenv, e.stderr)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageErr("serve takes no arguments, got %q", rest)
	}
	log := newLogger(cfg, e.stderr)
	log.Info("daftar starting", "version", version)
	cfg.print(log)
	a, err := openApp(ctx, cfg, log, daftar.SystemClock{})
	if err != nil {
		return err
	}
	defer a.close()

	created, generated, err := a.accounts.EnsureAdmin(ctx, cfg.AdminPassword)
	if err != nil {
		return fmt.Errorf("first admin: %w", err)
	}
	if created && generated != "" {
		// Shown once, on the terminal, never in the log.
		fmt.Fprintf(e.stdout, "daftar: created the first admin account: username admin, password %s\n", generated)
		fmt.Fprintln(e.stdout, "daftar: this password is shown only now; set DAFTAR_ADMIN_PASSWORD to choose one")
	} else if created {
		log.Info("first admin account created from DAFTAR_ADMIN_PASSWORD", "username", "admin")
	}
	if cfg.Demo {
		if err := a.seedDemo(ctx); err != nil {
			return err
		}
	}

	srv, err := a.server()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.ListenAddr, err)
	}
	httpSrv := api.HTTPServer(cfg.ListenAddr, srv.Handler(), log, cfg.UploadTimeout)
	errs := make(chan error, 2)
	go func() { errs <- httpSrv.Serve(ln) }()
	fmt.Fprintf(e.stdout, "daftar: listening on http://%s\n", ln.Addr())
	log.Info("listening", "addr", ln.Addr().String())

	var metricsSrv *http.Server
	if cfg.MetricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			httpSrv.Close()
			return fmt.Errorf("listen on %s: %w", cfg.MetricsAddr, err)
		}
		mux := http.NewServeMux()
		mux.Handle("/metrics", srv.MetricsHandler())
		metricsSrv = api.HTTPServer(cfg.MetricsAddr, mux, log, cfg.RequestTimeout)
		go func() { errs <- metricsSrv.Serve(mln) }()
		log.Info("metrics listening", "addr", mln.Addr().String())
	}
	if cfg.Jobs {
		a.jobs.Start()
		log.Info("scheduled jobs started", "jobs", a.jobs.Names())
	}

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errs:
		log.Error("server stopped", "error", serveErr)
	}
	servers := []httpStopper{httpSrv}
	if metricsSrv != nil {
		servers = append(servers, metricsSrv)
	}
	shutdown{budget: cfg.ShutdownTimeout, clock: a.clock, log: log, servers: servers, jobs: a.jobs, closeDB: a.db.Close}.run()
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return nil
}

func healthcheckCmd(ctx context.Context, e env, args []string) error {
	cfg, _, err := loadConfig("healthcheck", args, e.getenv, e.stderr)
	if err != nil {
		return err
	}
	_, port, err := net.SplitHostPort(cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("LISTEN_ADDR %q: %w", cfg.ListenAddr, err)
	}
	client := &http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get("http://127.0.0.1:" + port + "/healthz")
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthz answered %d", resp.StatusCode)
	}
	return nil
}
