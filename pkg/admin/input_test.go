package admin

import (
	"strings"
	"testing"
	"time"

	"github.com/cchub/cchub/pkg/jsonx"
)

func member(raw string) *input {
	return &input{raw: map[string]jsonx.RawMessage{"f": jsonx.RawMessage(raw)}}
}

func TestUSDInput(t *testing.T) {
	cases := []struct {
		raw  string
		want int64
		null bool
		ok   bool
	}{
		{`10`, 10_000_000_000, false, true},
		{`"10"`, 10_000_000_000, false, true},
		{`2.5`, 2_500_000_000, false, true},
		{`0.1`, 100_000_000, false, true}, // parsed from the literal, not via float64
		{`"0.000000001"`, 1, false, true},
		{`0`, 0, false, true},
		{`1e3`, 1_000_000_000_000, false, true},
		{`2.5E-1`, 250_000_000, false, true},
		{`" 3.25 "`, 3_250_000_000, false, true},
		{`null`, 0, true, true},
		{`-1`, 0, false, false},
		{`"-1"`, 0, false, false},
		{`-1e3`, 0, false, false},
		{`1.0000000001`, 0, false, false},
		{`"1e3"`, 0, false, false},
		{`""`, 0, false, false},
		{`"abc"`, 0, false, false},
		{`true`, 0, false, false},
		{`[]`, 0, false, false},
		{`99999999999999999999`, 0, false, false},
	}
	for _, c := range cases {
		in := member(c.raw)
		got := in.usd("f")
		if (in.err == nil) != c.ok {
			t.Errorf("%s: err %v, want ok=%v", c.raw, in.err, c.ok)
			continue
		}
		if c.ok && (got.V != c.want || got.Null != c.null || !got.Set) {
			t.Errorf("%s: got %+v, want %d null=%v", c.raw, got, c.want, c.null)
		}
		if !c.ok && in.err.Field != "f" {
			t.Errorf("%s: error names %q", c.raw, in.err.Field)
		}
	}
}

func TestIntegerInput(t *testing.T) {
	for raw, ok := range map[string]bool{
		`5`: true, `1`: true, `10`: true, `0`: false, `11`: false, `5.0`: false, `1e1`: false,
		`"5"`: false, `true`: false, `null`: true, `-5`: false,
	} {
		in := member(raw)
		in.integer("f", 1, 10, true)
		if (in.err == nil) != ok {
			t.Errorf("%s: err %v, want ok=%v", raw, in.err, ok)
		}
	}
	in := member(`null`)
	in.integer("f", 1, 10, false)
	if in.err == nil || !strings.Contains(in.err.Message, "null") {
		t.Errorf("non-nullable null: %v", in.err)
	}
}

func TestTimestampInput(t *testing.T) {
	in := member(`"2026-05-01T10:00:00.123456789+02:00"`)
	got := in.timestamp("f")
	want := time.Date(2026, 5, 1, 8, 0, 0, 123456000, time.UTC)
	if in.err != nil || !got.V.Equal(want) || got.V.Location() != time.UTC {
		t.Fatalf("got %v %v", got.V, in.err)
	}
	for _, raw := range []string{`"2026-05-01"`, `"10:00"`, `1714550400`, `""`, `"2026-05-01 10:00:00Z"`} {
		in := member(raw)
		in.timestamp("f")
		if in.err == nil {
			t.Errorf("%s accepted", raw)
		}
	}
}

// Readers after the first error do nothing, so the first bad field is the one reported.
func TestFirstErrorWins(t *testing.T) {
	in := &input{raw: map[string]jsonx.RawMessage{"a": jsonx.RawMessage(`1`), "b": jsonx.RawMessage(`"x"`)}}
	in.str("a", nil)
	if got := in.integer("b", 0, 1, false); got.Set {
		t.Fatal("reader ran after an error")
	}
	if in.err == nil || in.err.Field != "a" {
		t.Fatalf("err %v", in.err)
	}
}

func TestHHMM(t *testing.T) {
	for s, ok := range map[string]bool{
		"00:00": true, "23:59": true, "09:05": true, "24:00": false, "12:60": false, "9:05": false,
		"09:5": false, "0905": false, "ab:cd": false, "": false, "-1:00": false, "+1:00": false,
		"09:05:00": false, "1:+5": false,
	} {
		if got := hhmm(s) == ""; got != ok {
			t.Errorf("hhmm(%q) ok=%v, want %v", s, got, ok)
		}
	}
}

func TestURLChecks(t *testing.T) {
	for s, ok := range map[string]bool{
		"https://api.anthropic.com": true, "http://10.0.0.1:8080/v1": true, "https://h/v1/messages": true,
		"ftp://h": false, "h.com": false, "//h.com": false, "https://": false, "https://u:p@h": false, "": false,
	} {
		if got := upstreamURL(s) == ""; got != ok {
			t.Errorf("upstreamURL(%q) ok=%v, want %v", s, got, ok)
		}
	}
	for s, ok := range map[string]bool{
		"": true, "http://proxy:3128": true, "https://proxy": true, "socks5://127.0.0.1:1080": true,
		"socks5://user:pw@proxy:1080": true, "socks4://proxy": false, "proxy:3128": false, "http://": false,
	} {
		if got := proxyURL(s) == ""; got != ok {
			t.Errorf("proxyURL(%q) ok=%v, want %v", s, got, ok)
		}
	}
}

func TestSecretsFormat(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		k, err := newClientKey()
		if err != nil || !keyFormat.MatchString(k) || seen[k] {
			t.Fatalf("key %q %v", k, err)
		}
		seen[k] = true
	}
	if got := keyDisplayPrefix("sk-1a2b3c4d5e6f708192a3b4c5d6e79f0e"); got != "sk-1a2b…9f0e" {
		t.Fatalf("prefix %q", got)
	}
	id, err := newSessionID()
	if err != nil || len(id) != 43 {
		t.Fatalf("session id %q %v", id, err)
	}
	if hashSecret("abc") != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatal("hashSecret is not hex SHA-256")
	}
}

func TestClientKey(t *testing.T) {
	cases := map[string]string{
		"192.0.2.1":            "192.0.2.1",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"2001:db8:1:2::9":      "2001:db8:1:2::/64",
		"::ffff:192.0.2.1":     "192.0.2.1",
		"not-an-ip":            "not-an-ip",
	}
	for in, want := range cases {
		if got := clientKey(in); got != want {
			t.Errorf("clientKey(%q) = %q, want %q", in, got, want)
		}
	}
}
