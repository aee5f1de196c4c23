package admin

import (
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Check functions for input.str and friends: each returns "" when the value is fine, or the
// message shown after the field name. Lengths are counted in bytes, as the schema's MaxLen is.

// nonEmpty returns a check for a required, trimmed-non-empty string of at most max bytes.
func nonEmpty(max int) func(string) string {
	return func(s string) string {
		if strings.TrimSpace(s) == "" {
			return "must not be empty"
		}
		return maxLen(max)(s)
	}
}

func maxLen(max int) func(string) string {
	return func(s string) string {
		if len(s) > max {
			return "must be at most " + strconv.Itoa(max) + " bytes"
		}
		return ""
	}
}

// hhmm checks a daily reset time "HH:MM" (00:00–23:59).
func hhmm(s string) string {
	const msg = "must be a time of day HH:MM between 00:00 and 23:59"
	if len(s) != 5 || s[2] != ':' {
		return msg
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || s[0] == '+' || s[3] == '+' || h < 0 || h > 23 || m < 0 || m > 59 {
		return msg
	}
	return ""
}

// upstreamURL checks a provider URL: absolute http(s) with a host.
func upstreamURL(s string) string {
	if len(s) > 2048 {
		return "must be at most 2048 bytes"
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return "must be an absolute http:// or https:// URL without credentials"
	}
	return ""
}

// proxyURL checks a provider proxy: empty (direct) or an http, https or socks5 URL with a host.
// Credentials in the proxy URL are allowed (proxies often need them); the field is returned as
// stored, so admins should prefer IP allowlisting on the proxy.
func proxyURL(s string) string {
	if s == "" {
		return ""
	}
	if len(s) > 2048 {
		return "must be at most 2048 bytes"
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "must be empty or an http://, https:// or socks5:// URL"
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
		return ""
	}
	return "must be empty or an http://, https:// or socks5:// URL"
}

// modelName checks one model name in an allowlist or redirect map.
func modelName(s string) string {
	if strings.TrimSpace(s) == "" {
		return "must not contain empty model names"
	}
	if len(s) > 256 || !utf8.ValidString(s) {
		return "model names must be at most 256 bytes"
	}
	return ""
}

func redirect(from, to string) string {
	if msg := modelName(from); msg != "" {
		return msg
	}
	return modelName(to)
}
