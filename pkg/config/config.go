// Package config reads the hub's static configuration from defaults, the environment and
// command-line flags (flags win), and validates it once. A bad value yields one error line that
// names the variable.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is the typed static configuration. Runtime settings that admins edit in the UI live in
// the database instead.
type Config struct {
	AdminToken      string
	Host            string
	Port            int
	DSN             string // empty: SQLite under DataDir
	RedisURL        string // empty: quotas, sessions and circuits in process
	AutoMigrate     bool
	EnableRateLimit bool
	SessionTTL      time.Duration
	Location        *time.Location // TZ: the timezone of daily/weekly/monthly windows
	DataDir         string
	LogLevel        slog.Level
	SecureCookies   bool
	MaxBodyBytes    int64
	ShutdownTimeout time.Duration
	// SecretKey, when set, encrypts upstream provider keys at rest (AES-256-GCM).
	SecretKey string
	// Dev relaxes the admin-token requirement (a random token is generated when none is set)
	// and cookie security, for a first run on a laptop.
	Dev bool
	// GeneratedToken is true when Dev generated AdminToken.
	GeneratedToken bool
}

// Error is a configuration error naming the variable at fault.
type Error struct {
	Var string
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("config: %s %s", e.Var, e.Msg) }

// Getenv looks up an environment variable; tests pass a map-backed one.
type Getenv func(string) (string, bool)

// Load builds the configuration from env and args (the command's flags, without the command
// name). It returns flag.ErrHelp when -h was asked for.
func Load(getenv Getenv, args []string, usage io.Writer) (*Config, error) {
	c := &Config{}
	env := func(name, def string) string {
		if v, ok := getenv(name); ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
		return def
	}

	fs := flag.NewFlagSet("cchub", flag.ContinueOnError)
	fs.SetOutput(usage)
	token := fs.String("admin-token", env("ADMIN_TOKEN", ""), "admin token (env ADMIN_TOKEN)")
	host := fs.String("host", env("HOST", "0.0.0.0"), "listen address (env HOST)")
	port := fs.String("port", env("PORT", "23000"), "listen port (env PORT)")
	dsn := fs.String("dsn", env("DSN", ""), "postgres:// URL; empty uses SQLite in the data dir (env DSN)")
	redisURL := fs.String("redis-url", env("REDIS_URL", ""), "redis:// URL (env REDIS_URL)")
	autoMigrate := fs.String("auto-migrate", env("AUTO_MIGRATE", "true"), "apply migrations at start (env AUTO_MIGRATE)")
	rateLimit := fs.String("enable-rate-limit", env("ENABLE_RATE_LIMIT", "true"), "enforce quotas (env ENABLE_RATE_LIMIT)")
	sessionTTL := fs.String("session-ttl", env("SESSION_TTL", "300"), "session stickiness in seconds or a duration (env SESSION_TTL)")
	tz := fs.String("tz", env("TZ", "UTC"), "IANA timezone for quota windows (env TZ)")
	dataDir := fs.String("data-dir", env("DATA_DIR", "./data"), "SQLite data directory (env DATA_DIR)")
	logLevel := fs.String("log-level", env("LOG_LEVEL", "info"), "debug|info|warn|error (env LOG_LEVEL)")
	secure := fs.String("secure-cookies", env("ENABLE_SECURE_COOKIES", ""), "mark the login cookie Secure; default true, false with --dev (env ENABLE_SECURE_COOKIES)")
	maxBody := fs.String("max-body-mb", env("MAX_REQUEST_BODY_MB", "64"), "largest accepted request body in MiB (env MAX_REQUEST_BODY_MB)")
	shutdown := fs.String("shutdown-timeout", env("SHUTDOWN_TIMEOUT", "30s"), "how long to drain on SIGTERM (env SHUTDOWN_TIMEOUT)")
	secretKey := fs.String("secret-key", env("SECRET_KEY", ""), "encrypt provider keys at rest with this secret (env SECRET_KEY)")
	fs.BoolVar(&c.Dev, "dev", false, "development mode: generate an admin token when none is set")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, &Error{Var: "argument", Msg: fmt.Sprintf("%q is not a flag", fs.Arg(0))}
	}

	var err error
	c.AdminToken = *token
	c.Host = *host
	c.DSN = *dsn
	c.RedisURL = *redisURL
	c.DataDir = *dataDir
	if c.Port, err = parsePort(*port); err != nil {
		return nil, &Error{"PORT", err.Error()}
	}
	if c.DSN != "" && !strings.HasPrefix(c.DSN, "postgres://") && !strings.HasPrefix(c.DSN, "postgresql://") {
		return nil, &Error{"DSN", "must be a postgres:// URL (leave it empty for SQLite)"}
	}
	if c.RedisURL != "" {
		if u, perr := url.Parse(c.RedisURL); perr != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
			return nil, &Error{"REDIS_URL", "must be a redis:// or rediss:// URL"}
		}
	}
	if c.AutoMigrate, err = parseBool(*autoMigrate); err != nil {
		return nil, &Error{"AUTO_MIGRATE", err.Error()}
	}
	if c.EnableRateLimit, err = parseBool(*rateLimit); err != nil {
		return nil, &Error{"ENABLE_RATE_LIMIT", err.Error()}
	}
	if c.SessionTTL, err = parseSeconds(*sessionTTL); err != nil || c.SessionTTL <= 0 {
		return nil, &Error{"SESSION_TTL", "must be a positive number of seconds (e.g. 300) or a duration (e.g. 5m)"}
	}
	if c.Location, err = time.LoadLocation(*tz); err != nil {
		return nil, &Error{"TZ", fmt.Sprintf("%q is not a known IANA timezone", *tz)}
	}
	if c.LogLevel, err = parseLevel(*logLevel); err != nil {
		return nil, &Error{"LOG_LEVEL", err.Error()}
	}
	if *secure == "" {
		c.SecureCookies = !c.Dev
	} else if c.SecureCookies, err = parseBool(*secure); err != nil {
		return nil, &Error{"ENABLE_SECURE_COOKIES", err.Error()}
	}
	mb, perr := strconv.Atoi(*maxBody)
	if perr != nil || mb < 1 || mb > 1024 {
		return nil, &Error{"MAX_REQUEST_BODY_MB", "must be an integer between 1 and 1024"}
	}
	c.MaxBodyBytes = int64(mb) << 20
	if c.ShutdownTimeout, err = time.ParseDuration(*shutdown); err != nil || c.ShutdownTimeout <= 0 {
		return nil, &Error{"SHUTDOWN_TIMEOUT", "must be a positive duration such as 30s"}
	}
	if c.SecretKey = *secretKey; c.SecretKey != "" && len(c.SecretKey) < 16 {
		return nil, &Error{"SECRET_KEY", "must be at least 16 characters"}
	}
	return c, nil
}

// CheckAdminToken enforces the serve-time rule: an empty or "change-me" token refuses to start
// unless Dev is set, in which case gen supplies a random one.
func (c *Config) CheckAdminToken(gen func() string) error {
	if c.AdminToken == "change-me" {
		c.AdminToken = ""
	}
	if c.AdminToken != "" {
		if len(c.AdminToken) < 8 {
			return &Error{"ADMIN_TOKEN", "must be at least 8 characters"}
		}
		return nil
	}
	if !c.Dev {
		return &Error{"ADMIN_TOKEN", "is required (empty or change-me); set it, or run with --dev to generate one"}
	}
	c.AdminToken = gen()
	c.GeneratedToken = true
	return nil
}

// Addr is the listen address.
func (c *Config) Addr() string { return fmt.Sprintf("%s:%d", c.Host, c.Port) }

func parsePort(s string) (int, error) {
	p, err := strconv.Atoi(s)
	if err != nil || p < 0 || p > 65535 {
		return 0, fmt.Errorf("must be an integer between 0 and 65535, got %q", s)
	}
	return p, nil
}

// parseBool follows Claude Code Hub: "true/1/yes/on" and "false/0/no/off"; anything else is an
// error rather than silently false.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off":
		return false, nil
	}
	return false, fmt.Errorf("must be true or false, got %q", s)
}

func parseSeconds(s string) (time.Duration, error) {
	if n, err := strconv.Atoi(s); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	return time.ParseDuration(s)
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, errors.New("must be debug, info, warn or error")
	}
	return l, nil
}
