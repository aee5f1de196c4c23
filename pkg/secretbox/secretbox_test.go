package secretbox

import (
	"errors"
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	t.Cleanup(func() { Configure("") })
	Configure("")
	if s, _ := Seal("sk-ant-plain"); s != "sk-ant-plain" {
		t.Fatalf("without a secret Seal must pass through, got %q", s)
	}
	Configure("correct horse battery staple")
	a, err := Seal("sk-ant-secret-value")
	if err != nil || !strings.HasPrefix(a, Prefix) || strings.Contains(a, "secret-value") {
		t.Fatalf("sealed %q, %v", a, err)
	}
	b, _ := Seal("sk-ant-secret-value")
	if a == b {
		t.Fatal("two seals of the same key must differ (random nonce)")
	}
	if p, err := Open(a); err != nil || p != "sk-ant-secret-value" {
		t.Fatalf("open %q, %v", p, err)
	}
	if p, err := Open("legacy-plain"); err != nil || p != "legacy-plain" {
		t.Fatalf("plaintext must pass through: %q %v", p, err)
	}
	tampered := a[:len(a)-2] + "AA"
	if _, err := Open(tampered); !errors.Is(err, ErrWrongSecret) {
		t.Fatalf("tampered value: %v", err)
	}
	Configure("another secret")
	if _, err := Open(a); !errors.Is(err, ErrWrongSecret) {
		t.Fatalf("wrong secret: %v", err)
	}
	Configure("")
	if _, err := Open(a); !errors.Is(err, ErrNoSecret) {
		t.Fatalf("no secret: %v", err)
	}
}
