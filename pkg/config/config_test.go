package config

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) Getenv {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load(envOf(nil), nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 23000 || c.Host != "0.0.0.0" || c.DSN != "" || !c.AutoMigrate || !c.EnableRateLimit ||
		c.SessionTTL != 300*time.Second || c.DataDir != "./data" || c.Location.String() != "UTC" ||
		!c.SecureCookies || c.MaxBodyBytes != 64<<20 {
		t.Fatalf("unexpected defaults: %+v", c)
	}
}

func TestLoadEnvAndFlags(t *testing.T) {
	env := envOf(map[string]string{
		"PORT": "8080", "DSN": "postgres://u@h/db", "REDIS_URL": "redis://127.0.0.1:6379/0",
		"AUTO_MIGRATE": "false", "ENABLE_RATE_LIMIT": "0", "SESSION_TTL": "600",
		"TZ": "Asia/Shanghai", "DATA_DIR": "/tmp/x", "LOG_LEVEL": "debug", "ADMIN_TOKEN": "env-token",
	})
	c, err := Load(env, []string{"--port", "9090", "--admin-token", "flag-token-123", "--session-ttl", "2m"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 9090 || c.AdminToken != "flag-token-123" || c.SessionTTL != 2*time.Minute {
		t.Fatalf("flags must override env: %+v", c)
	}
	if c.DSN != "postgres://u@h/db" || c.AutoMigrate || c.EnableRateLimit || c.Location.String() != "Asia/Shanghai" ||
		c.DataDir != "/tmp/x" || c.LogLevel.String() != "DEBUG" || c.RedisURL == "" {
		t.Fatalf("env not applied: %+v", c)
	}
}

func TestLoadErrorsNameTheVariable(t *testing.T) {
	cases := []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"PORT": "abc"}, nil, "PORT"},
		{map[string]string{"PORT": "70000"}, nil, "PORT"},
		{map[string]string{"DSN": "mysql://x"}, nil, "DSN"},
		{map[string]string{"REDIS_URL": "http://x"}, nil, "REDIS_URL"},
		{map[string]string{"AUTO_MIGRATE": "maybe"}, nil, "AUTO_MIGRATE"},
		{map[string]string{"ENABLE_RATE_LIMIT": "2"}, nil, "ENABLE_RATE_LIMIT"},
		{map[string]string{"SESSION_TTL": "-5"}, nil, "SESSION_TTL"},
		{map[string]string{"SESSION_TTL": "soon"}, nil, "SESSION_TTL"},
		{map[string]string{"TZ": "Mars/Olympus"}, nil, "TZ"},
		{map[string]string{"LOG_LEVEL": "loud"}, nil, "LOG_LEVEL"},
		{map[string]string{"ENABLE_SECURE_COOKIES": "x"}, nil, "ENABLE_SECURE_COOKIES"},
		{map[string]string{"MAX_REQUEST_BODY_MB": "0"}, nil, "MAX_REQUEST_BODY_MB"},
		{map[string]string{"SHUTDOWN_TIMEOUT": "1"}, nil, "SHUTDOWN_TIMEOUT"},
		{map[string]string{"SECRET_KEY": "short"}, nil, "SECRET_KEY"},
		{nil, []string{"--port", "x"}, "PORT"},
		{nil, []string{"stray"}, "argument"},
	}
	for _, tc := range cases {
		_, err := Load(envOf(tc.env), tc.args, io.Discard)
		var ce *Error
		if !errors.As(err, &ce) || ce.Var != tc.want {
			t.Errorf("env %v args %v: got %v, want an error naming %s", tc.env, tc.args, err, tc.want)
			continue
		}
		if strings.Contains(ce.Error(), "\n") {
			t.Errorf("error must be one line: %q", ce.Error())
		}
	}
}

func TestLoadHelp(t *testing.T) {
	var out strings.Builder
	_, err := Load(envOf(nil), []string{"-h"}, &out)
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "ADMIN_TOKEN") {
		t.Fatalf("help: %v %q", err, out.String())
	}
}

func TestCheckAdminToken(t *testing.T) {
	gen := func() string { return "generated-token" }
	cases := []struct {
		token, wantToken string
		dev, ok, gen     bool
	}{
		{"", "", false, false, false},
		{"change-me", "", false, false, false},
		{"short", "", false, false, false},
		{"a-good-token", "a-good-token", false, true, false},
		{"", "generated-token", true, true, true},
		{"change-me", "generated-token", true, true, true},
		{"a-good-token", "a-good-token", true, true, false},
	}
	for _, tc := range cases {
		c := &Config{AdminToken: tc.token, Dev: tc.dev}
		err := c.CheckAdminToken(gen)
		if (err == nil) != tc.ok {
			t.Errorf("token %q dev=%v: err %v", tc.token, tc.dev, err)
			continue
		}
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) || ce.Var != "ADMIN_TOKEN" {
				t.Errorf("error must name ADMIN_TOKEN: %v", err)
			}
			continue
		}
		if c.AdminToken != tc.wantToken || c.GeneratedToken != tc.gen {
			t.Errorf("token %q dev=%v: got %q generated=%v", tc.token, tc.dev, c.AdminToken, c.GeneratedToken)
		}
	}
}

func TestDevDisablesSecureCookiesByDefault(t *testing.T) {
	c, err := Load(envOf(nil), []string{"--dev"}, io.Discard)
	if err != nil || c.SecureCookies {
		t.Fatalf("dev: %v secure=%v", err, c.SecureCookies)
	}
	c, err = Load(envOf(map[string]string{"ENABLE_SECURE_COOKIES": "true"}), []string{"--dev"}, io.Discard)
	if err != nil || !c.SecureCookies {
		t.Fatalf("explicit secure in dev: %v secure=%v", err, c.SecureCookies)
	}
}
