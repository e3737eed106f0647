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
	log.Info("daftar starting", "version", readBuild().short())
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
	// A first start with --demo seeds while the server already listens:
	// /healthz is alive, /readyz and the pages say how far it is.
	ready := api.NewReadiness()
	seed := false
	if cfg.Demo {
		if seed, err = a.isEmpty(ctx); err != nil {
			return err
		}
		if !seed {
			log.Info("demo: the database already has offices; nothing seeded")
		}
	}
	if seed {
		ready.Begin("seeding demo data")
	}
	srv, err := a.server(ready)
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
	fmt.Fprintf(e.stdout, "daftar: listening on http://%s\n", browsable(ln.Addr()))
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
	startJobs := func() {
		if cfg.Jobs {
			a.jobs.Start()
			log.Info("scheduled jobs started", "jobs", a.jobs.Names())
			// The stored models are computed now rather than at the
			// refresh's first firing (once across replicas).
			go func() {
				if _, err := a.jobs.RunNow(ctx, "models-refresh"); err != nil {
					log.Warn("stored models not refreshed at start", "error", err)
				}
			}()
		}
	}
	seeded, seeding := make(chan error, 1), seed
	seedCtx, stopSeeding := context.WithCancel(ctx)
	defer stopSeeding()
	if seed {
		go func() { seeded <- a.seedDemoWhileServing(seedCtx, e, ready, browsable(ln.Addr())) }()
	} else {
		startJobs()
	}

	var serveErr error
wait:
	for {
		select {
		case <-ctx.Done():
			break wait
		case serveErr = <-errs:
			log.Error("server stopped", "error", serveErr)
			break wait
		case err := <-seeded:
			seeding = false
			if err != nil && seedCtx.Err() == nil {
				serveErr = err
				log.Error("demo seeding failed", "error", err)
				break wait
			}
			if err == nil {
				startJobs()
			}
		}
	}
	servers := []httpStopper{httpSrv}
	if metricsSrv != nil {
		servers = append(servers, metricsSrv)
	}
	sd := shutdown{budget: cfg.ShutdownTimeout, clock: a.clock, log: log, servers: servers, jobs: a.jobs, closeDB: a.db.Close}
	if seeding {
		// The database closes after the seeding has stopped.
		sd.background = func(ctx context.Context) error {
			stopSeeding()
			select {
			case <-seeded:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	sd.run()
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return nil
}

// seedDemoWhileServing fills the empty database with the demo dataset,
// telling ready (and the terminal) how far it is, then marks the server
// ready.
func (a *app) seedDemoWhileServing(ctx context.Context, e env, ready *api.Readiness, addr string) error {
	start := time.Now()
	fmt.Fprintln(e.stdout, "daftar: first start: seeding the demo dataset (about half a minute on SQLite, a minute on a busy machine); /readyz answers 503 with the progress until it is ready")
	err := a.seedDemo(ctx, func(pct int, doing string) {
		ready.Progress(pct, doing)
		if doing != "" {
			fmt.Fprintf(e.stdout, "daftar: seeding demo data, %d%%: %s\n", pct, doing)
		}
	})
	if err != nil {
		return err
	}
	ready.Done()
	fmt.Fprintf(e.stdout, "daftar: demo dataset ready after %s; sign in at http://%s/\n", time.Since(start).Round(100*time.Millisecond), addr)
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

// browsable is the address a person types: localhost for a listener on
// every interface.
func browsable(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
