package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/daftar-ir/daftar/internal/db"
)

// config is everything Daftar reads from flags and the environment. Each
// setting has an environment variable; a flag of the same meaning wins.
type config struct {
	ListenAddr      string
	MetricsAddr     string
	DatabaseURL     string
	DataDir         string
	AdminPassword   string
	Secret          string
	Demo            bool
	DBMaxOpen       int
	DBMaxIdle       int
	DBConnLifetime  time.Duration
	DBConnIdleTime  time.Duration
	TrustedProxies  []string
	PublicURL       string
	SessionTTL      time.Duration
	SessionIdle     time.Duration
	SessionCache    time.Duration
	MaxBodyBytes    int64
	UploadMaxBytes  int64
	SecureCookies   bool
	CityRadiusScale float64
	LogLevel        string
	LogFormat       string
	Instance        string
	ShutdownTimeout time.Duration
	Jobs            bool
	WaitTarget      time.Duration
	SMSGateway      string
	// licensing
	MinOfficeDistanceM float64
	LicenceYears       int
	ExpiryWarning      time.Duration
	DemandWindowDays   int
	DemandWaitTarget   time.Duration

	// faults: how long anything may wait on the database or a request
	DBStatementTimeout time.Duration
	RequestTimeout     time.Duration
	UploadTimeout      time.Duration
	// JobSchedules overrides jobs' schedules by name.
	JobSchedules map[string]string
	// hardening
	OwnerVisitWindow time.Duration
}

// setting describes one configuration entry, for parsing and for printing.
type setting struct {
	env, flag, def, help string
	secret               bool
	set                  func(c *config, v string) error
}

func settings() []setting {
	str := func(p func(*config) *string) func(*config, string) error {
		return func(c *config, v string) error { *p(c) = v; return nil }
	}
	dur := func(p func(*config) *time.Duration) func(*config, string) error {
		return func(c *config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return fmt.Errorf("must be a duration like 30s, 15m or 12h")
			}
			*p(c) = d
			return nil
		}
	}
	positive := func(p func(*config) *time.Duration) func(*config, string) error {
		return func(c *config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 || d > 24*time.Hour {
				return fmt.Errorf("must be a duration like 15s or 5m (positive, at most 24h)")
			}
			*p(c) = d
			return nil
		}
	}
	num := func(p func(*config) *int) func(*config, string) error {
		return func(c *config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return fmt.Errorf("must be a whole number")
			}
			*p(c) = n
			return nil
		}
	}
	size := func(p func(*config) *int64) func(*config, string) error {
		return func(c *config, v string) error {
			n, err := parseSize(v)
			if err != nil {
				return err
			}
			*p(c) = n
			return nil
		}
	}
	boolean := func(p func(*config) *bool) func(*config, string) error {
		return func(c *config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("must be true or false")
			}
			*p(c) = b
			return nil
		}
	}
	return []setting{
		{env: "LISTEN_ADDR", flag: "listen", def: ":8080", help: "address to serve HTTP on", set: str(func(c *config) *string { return &c.ListenAddr })},
		{env: "METRICS_ADDR", flag: "metrics-listen", def: "", help: "separate address serving /metrics to anyone (empty: /metrics for admins only)", set: str(func(c *config) *string { return &c.MetricsAddr })},
		{env: "DATABASE_URL", flag: "database-url", def: "", help: "PostgreSQL URL; empty uses the embedded SQLite file in the data directory", secret: true, set: str(func(c *config) *string { return &c.DatabaseURL })},
		{env: "DAFTAR_DATA_DIR", flag: "data-dir", def: "./data", help: "directory of the SQLite file and generated secret", set: str(func(c *config) *string { return &c.DataDir })},
		{env: "DAFTAR_ADMIN_PASSWORD", flag: "admin-password", def: "", help: "password of the first admin (username admin), used once on first start", secret: true, set: str(func(c *config) *string { return &c.AdminPassword })},
		{env: "DAFTAR_SECRET", flag: "secret", def: "", help: "key for keyed hashes, encryption and tokens (32+ characters); generated into the data directory when empty", secret: true, set: str(func(c *config) *string { return &c.Secret })},
		{env: "DAFTAR_DEMO", flag: "demo", def: "false", help: "fill an empty database with the demo dataset", set: boolean(func(c *config) *bool { return &c.Demo })},
		{env: "DB_MAX_OPEN_CONNS", flag: "db-max-open", def: "0", help: "pool: most open connections (0: 20 on PostgreSQL, 4 on SQLite)", set: num(func(c *config) *int { return &c.DBMaxOpen })},
		{env: "DB_MAX_IDLE_CONNS", flag: "db-max-idle", def: "0", help: "pool: most idle connections (0: as many as open)", set: num(func(c *config) *int { return &c.DBMaxIdle })},
		{env: "DB_CONN_MAX_LIFETIME", flag: "db-conn-lifetime", def: "1h", help: "pool: longest life of a connection", set: dur(func(c *config) *time.Duration { return &c.DBConnLifetime })},
		{env: "DB_CONN_MAX_IDLE_TIME", flag: "db-conn-idle", def: "10m", help: "pool: longest idle time of a connection", set: dur(func(c *config) *time.Duration { return &c.DBConnIdleTime })},
		{env: "TRUSTED_PROXIES", flag: "trusted-proxies", def: "", help: "comma-separated addresses or CIDRs whose X-Forwarded-For is believed", set: func(c *config, v string) error {
			c.TrustedProxies = nil
			for _, p := range strings.Split(v, ",") {
				if p = strings.TrimSpace(p); p != "" {
					c.TrustedProxies = append(c.TrustedProxies, p)
				}
			}
			return nil
		}},
		{env: "DAFTAR_PUBLIC_URL", flag: "public-url", def: "", help: "address citizens reach, for survey links (empty: http://localhost and the listen port, for development only)", set: str(func(c *config) *string { return &c.PublicURL })},
		{env: "DAFTAR_SESSION_TTL", flag: "session-ttl", def: "12h", help: "absolute lifetime of a session", set: dur(func(c *config) *time.Duration { return &c.SessionTTL })},
		{env: "DAFTAR_SESSION_IDLE", flag: "session-idle", def: "30m", help: "a session unused this long ends", set: dur(func(c *config) *time.Duration { return &c.SessionIdle })},
		{env: "DAFTAR_SESSION_CACHE", flag: "session-cache", def: "5s", help: "how long a verified session is trusted before it is read again (revocation on other replicas takes this long; 0s turns it off)", set: dur(func(c *config) *time.Duration { return &c.SessionCache })},
		{env: "DAFTAR_MAX_BODY", flag: "max-body", def: "1MiB", help: "largest JSON request body", set: size(func(c *config) *int64 { return &c.MaxBodyBytes })},
		{env: "DAFTAR_UPLOAD_MAX", flag: "upload-max", def: "50MiB", help: "largest uploaded file", set: size(func(c *config) *int64 { return &c.UploadMaxBytes })},
		{env: "DAFTAR_SECURE_COOKIES", flag: "secure-cookies", def: "false", help: "mark the session cookie Secure (serve behind HTTPS)", set: boolean(func(c *config) *bool { return &c.SecureCookies })},
		{env: "DAFTAR_CITY_RADIUS_SCALE", flag: "city-radius-scale", def: "1.25", help: "an office must lie within this multiple of its city's urban radius", set: func(c *config, v string) error {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f <= 0 || f > 10 {
				return fmt.Errorf("must be a number between 0 and 10")
			}
			c.CityRadiusScale = f
			return nil
		}},
		{env: "LOG_LEVEL", flag: "log-level", def: "info", help: "debug, info, warn or error", set: func(c *config, v string) error {
			var l slog.Level
			if err := l.UnmarshalText([]byte(v)); err != nil {
				return fmt.Errorf("must be debug, info, warn or error")
			}
			c.LogLevel = v
			return nil
		}},
		{env: "LOG_FORMAT", flag: "log-format", def: "json", help: "json or text", set: func(c *config, v string) error {
			if v != "json" && v != "text" {
				return fmt.Errorf("must be json or text")
			}
			c.LogFormat = v
			return nil
		}},
		{env: "DAFTAR_INSTANCE", flag: "instance", def: "", help: "name of this replica in job records (default: host name)", set: str(func(c *config) *string { return &c.Instance })},
		{env: "DAFTAR_SHUTDOWN_TIMEOUT", flag: "shutdown-timeout", def: "30s", help: "how long shutdown waits for requests and jobs", set: dur(func(c *config) *time.Duration { return &c.ShutdownTimeout })},
		{env: "DAFTAR_WAIT_TARGET", flag: "wait-target", def: "30m", help: "the crowding target: a visit that waits longer counts as over target (crowding figures, ranking); the demand model's queueing target is DAFTAR_DEMAND_WAIT_TARGET", set: func(c *config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 || d > 24*time.Hour {
				return fmt.Errorf("must be a duration like 30m (at most 24h)")
			}
			c.WaitTarget = d
			return nil
		}},
		{env: "DAFTAR_SMS_GATEWAY", flag: "sms-gateway", def: "none", help: "how survey invitations are texted: none (they wait in the outbox for an adapter) or log (development: logged, then dropped)", set: func(c *config, v string) error {
			if v != "none" && v != "log" {
				return fmt.Errorf("must be none or log")
			}
			c.SMSGateway = v
			return nil
		}},
		{env: "DAFTAR_MIN_OFFICE_DISTANCE", flag: "min-office-distance", def: "500", help: "metres a newly opened office must keep from every active office (a round's policy may say otherwise)", set: func(c *config, v string) error {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 1 || f > 50000 {
				return fmt.Errorf("must be metres from 1 to 50000")
			}
			c.MinOfficeDistanceM = f
			return nil
		}},
		{env: "DAFTAR_LICENCE_YEARS", flag: "licence-years", def: "5", help: "years a licence is valid, and a renewal adds", set: func(c *config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 10 {
				return fmt.Errorf("must be 1 to 10 years")
			}
			c.LicenceYears = n
			return nil
		}},
		{env: "DAFTAR_LICENCE_EXPIRY_WARNING", flag: "licence-expiry-warning", def: "2160h", help: "licences ending within this are flagged as expiring (2160h = 90 days)", set: func(c *config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 || d > 5*366*24*time.Hour {
				return fmt.Errorf("must be a duration like 2160h (positive, at most five years)")
			}
			c.ExpiryWarning = d
			return nil
		}},
		{env: "DAFTAR_DEMAND_WINDOW_DAYS", flag: "demand-window-days", def: "90", help: "days of visits, ending yesterday, the demand model reads", set: func(c *config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 7 || n > 3*366 {
				return fmt.Errorf("must be 7 to 1098 days")
			}
			c.DemandWindowDays = n
			return nil
		}},
		{env: "DAFTAR_DEMAND_WAIT_TARGET", flag: "demand-wait-target", def: "10m", help: "the demand model's queueing target: offices enough that the expected (mean) wait at a city's peak hour stays under this; stricter than DAFTAR_WAIT_TARGET, which judges each visit's own wait", set: func(c *config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < time.Minute || d > 4*time.Hour {
				return fmt.Errorf("must be a duration like 10m (1m to 4h)")
			}
			c.DemandWaitTarget = d
			return nil
		}},
		{env: "DAFTAR_JOBS", flag: "jobs", def: "true", help: "run scheduled jobs in this process", set: boolean(func(c *config) *bool { return &c.Jobs })},
		// Faults: nothing waits on the database or a client forever.
		{env: "DB_STATEMENT_TIMEOUT", flag: "db-statement-timeout", def: "30s", help: "PostgreSQL: longest statement, set on every connection (0s: the server's setting); bulk loads and migrations are exempt", set: dur(func(c *config) *time.Duration { return &c.DBStatementTimeout })},
		{env: "DAFTAR_REQUEST_TIMEOUT", flag: "request-timeout", def: "15s", help: "deadline of an API or page request; past it the request answers 503", set: positive(func(c *config) *time.Duration { return &c.RequestTimeout })},
		{env: "DAFTAR_JOB_SCHEDULES", flag: "job-schedules", def: "", help: "override schedules as NAME=CRON;NAME=CRON (six fields for seconds); set the same on every replica", set: func(c *config, v string) error {
			c.JobSchedules = nil
			for _, part := range strings.Split(v, ";") {
				if part = strings.TrimSpace(part); part == "" {
					continue
				}
				name, spec, ok := strings.Cut(part, "=")
				if !ok || strings.TrimSpace(name) == "" || strings.TrimSpace(spec) == "" {
					return fmt.Errorf("must be NAME=CRON pairs separated by ';', like ranking-draft=30 2 * * *")
				}
				if c.JobSchedules == nil {
					c.JobSchedules = map[string]string{}
				}
				c.JobSchedules[strings.TrimSpace(name)] = strings.TrimSpace(spec)
			}
			return nil
		}},
		{env: "DAFTAR_UPLOAD_TIMEOUT", flag: "upload-timeout", def: "5m", help: "deadline of an upload or import and of a report or spreadsheet download", set: positive(func(c *config) *time.Duration { return &c.UploadTimeout })},
		{env: "DAFTAR_OWNER_VISIT_WINDOW", flag: "owner-visit-window", def: "72h", help: "how far back an office owner may record visits (staff batches and imports keep 400 days)", set: func(c *config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < time.Hour || d > 400*24*time.Hour {
				return fmt.Errorf("must be a duration like 72h (1h to 9600h)")
			}
			c.OwnerVisitWindow = d
			return nil
		}},
	}
}

// flagValue holds a flag's text until the settings are applied in order
// (defaults, environment, flags).
type flagValue struct {
	v      string
	isBool bool
}

func (f *flagValue) String() string {
	if f == nil {
		return ""
	}
	return f.v
}
func (f *flagValue) Set(v string) error { f.v = v; return nil }

// IsBoolFlag lets the flag package take a bare switch as "true".
func (f *flagValue) IsBoolFlag() bool { return f.isBool }

// loadConfig applies defaults, then the environment, then flags.
func loadConfig(name string, args []string, getenv func(string) string, stderr io.Writer) (config, []string, error) {
	var c config
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	all := settings()
	flagVals := map[string]*flagValue{}
	for _, s := range all {
		if err := s.set(&c, s.def); err != nil {
			return c, nil, fmt.Errorf("default of %s: %w", s.env, err)
		}
		// A switch (default true or false) may be given bare: --demo.
		fv := &flagValue{isBool: s.def == "true" || s.def == "false"}
		flagVals[s.flag] = fv
		fs.Var(fv, s.flag, s.help+" (env "+s.env+", default "+strconv.Quote(s.def)+")")
	}
	for _, s := range all {
		if v := getenv(s.env); v != "" {
			if err := s.set(&c, v); err != nil {
				return c, nil, fmt.Errorf("%s: %w", s.env, err)
			}
		}
	}
	if err := fs.Parse(args); err != nil {
		return c, nil, err
	}
	var ferr error
	fs.Visit(func(f *flag.Flag) {
		for _, s := range all {
			if s.flag == f.Name && ferr == nil {
				if err := s.set(&c, flagVals[f.Name].v); err != nil {
					ferr = fmt.Errorf("-%s: %w", f.Name, err)
				}
			}
		}
	})
	if ferr != nil {
		return c, nil, ferr
	}
	if c.Instance == "" {
		c.Instance, _ = os.Hostname()
	}
	return c, fs.Args(), nil
}

// print writes the effective configuration, secrets masked.
func (c config) print(log *slog.Logger) {
	values := map[string]string{
		"LISTEN_ADDR": c.ListenAddr, "METRICS_ADDR": c.MetricsAddr, "DATABASE_URL": c.DatabaseURL,
		"DAFTAR_DATA_DIR": c.DataDir, "DAFTAR_ADMIN_PASSWORD": c.AdminPassword, "DAFTAR_SECRET": c.Secret,
		"DAFTAR_DEMO": strconv.FormatBool(c.Demo), "DB_MAX_OPEN_CONNS": strconv.Itoa(c.DBMaxOpen),
		"DB_MAX_IDLE_CONNS": strconv.Itoa(c.DBMaxIdle), "DB_CONN_MAX_LIFETIME": c.DBConnLifetime.String(),
		"DB_CONN_MAX_IDLE_TIME": c.DBConnIdleTime.String(), "TRUSTED_PROXIES": strings.Join(c.TrustedProxies, ","),
		"DAFTAR_PUBLIC_URL": c.PublicURL, "DAFTAR_SESSION_TTL": c.SessionTTL.String(), "DAFTAR_SESSION_IDLE": c.SessionIdle.String(), "DAFTAR_SESSION_CACHE": c.SessionCache.String(),
		"DAFTAR_MAX_BODY": strconv.FormatInt(c.MaxBodyBytes, 10), "DAFTAR_UPLOAD_MAX": strconv.FormatInt(c.UploadMaxBytes, 10),
		"DAFTAR_SECURE_COOKIES": strconv.FormatBool(c.SecureCookies), "DAFTAR_CITY_RADIUS_SCALE": strconv.FormatFloat(c.CityRadiusScale, 'f', -1, 64),
		"LOG_LEVEL": c.LogLevel, "LOG_FORMAT": c.LogFormat, "DAFTAR_INSTANCE": c.Instance,
		"DAFTAR_SHUTDOWN_TIMEOUT": c.ShutdownTimeout.String(), "DAFTAR_JOBS": strconv.FormatBool(c.Jobs),
		"DAFTAR_WAIT_TARGET": c.WaitTarget.String(), "DAFTAR_SMS_GATEWAY": c.SMSGateway,
		"DAFTAR_MIN_OFFICE_DISTANCE": strconv.FormatFloat(c.MinOfficeDistanceM, 'f', -1, 64), "DAFTAR_LICENCE_YEARS": strconv.Itoa(c.LicenceYears),
		"DAFTAR_LICENCE_EXPIRY_WARNING": c.ExpiryWarning.String(), "DAFTAR_DEMAND_WINDOW_DAYS": strconv.Itoa(c.DemandWindowDays),
		"DAFTAR_DEMAND_WAIT_TARGET": c.DemandWaitTarget.String(),

		"DB_STATEMENT_TIMEOUT": c.DBStatementTimeout.String(), "DAFTAR_REQUEST_TIMEOUT": c.RequestTimeout.String(),
		"DAFTAR_UPLOAD_TIMEOUT": c.UploadTimeout.String(), "DAFTAR_JOB_SCHEDULES": jobSchedulesText(c.JobSchedules), "DAFTAR_OWNER_VISIT_WINDOW": c.OwnerVisitWindow.String(),
	}
	var attrs []any
	for _, s := range settings() {
		v := values[s.env]
		switch {
		case s.env == "DATABASE_URL" && v != "":
			v = db.RedactURL(v)
		case s.secret && v != "":
			v = "*****"
		}
		attrs = append(attrs, slog.String(s.env, v))
	}
	log.Info("configuration", attrs...)
}

// parseSize reads 1048576, 512KiB, 1MiB, 50MiB, 2GiB (also KB/MB/GB as powers of 1024).
func parseSize(v string) (int64, error) {
	v = strings.TrimSpace(v)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(v, u.suffix) {
			v, mult = strings.TrimSuffix(v, u.suffix), u.m
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mult {
		return 0, errors.New("must be a size like 1048576, 512KiB or 50MiB")
	}
	return n * mult, nil
}

// secret returns DAFTAR_SECRET, or the one generated into the data
// directory on first start (several replicas must share one: set it).
func (c config) secret(log *slog.Logger) (string, error) {
	if c.Secret != "" {
		if len(c.Secret) < 32 {
			return "", errors.New("DAFTAR_SECRET must be at least 32 characters")
		}
		return c.Secret, nil
	}
	path := filepath.Join(c.DataDir, "secret")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return strings.TrimSpace(string(b)), nil
	}
	if err := os.MkdirAll(c.DataDir, 0o750); err != nil {
		return "", err
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	s := hex.EncodeToString(buf)
	if err := os.WriteFile(path, []byte(s+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write generated secret: %w", err)
	}
	log.Warn("DAFTAR_SECRET not set: generated one into the data directory; set it explicitly when running several replicas", "path", path)
	return s, nil
}

func (c config) dbConfig() db.Config {
	return db.Config{URL: c.DatabaseURL, SQLitePath: filepath.Join(c.DataDir, "daftar.db"), MaxOpenConns: c.DBMaxOpen,
		MaxIdleConns: c.DBMaxIdle, ConnMaxLifetime: c.DBConnLifetime, ConnMaxIdleTime: c.DBConnIdleTime,
		StatementTimeout: c.DBStatementTimeout}
}

func newLogger(c config, w io.Writer) *slog.Logger {
	var l slog.Level
	l.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: l}
	if c.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// publicURL is the address survey links are built on: DAFTAR_PUBLIC_URL,
// or for development one made from the listen address (:8080 gives
// http://localhost:8080), with a warning that production must set it.
func (c config) publicURL(log *slog.Logger) string {
	if c.PublicURL != "" {
		return c.PublicURL
	}
	host, port, err := net.SplitHostPort(c.ListenAddr)
	if err != nil {
		host, port = "localhost", "8080"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	u := "http://" + net.JoinHostPort(host, port)
	log.Warn("DAFTAR_PUBLIC_URL is not set: survey links point at "+u+"; production must set DAFTAR_PUBLIC_URL to the address citizens reach", "survey_links", u)
	return u
}
