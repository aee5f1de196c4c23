package ui

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/cloudwego/hertz/pkg/common/config"
	"github.com/cloudwego/hertz/pkg/common/ut"
	"github.com/cloudwego/hertz/pkg/route"
)

func engine() *route.Engine {
	e := route.NewEngine(config.NewOptions(nil))
	h := Handler()
	for _, p := range []string{"/", "/index.html", "/assets/*filepath"} {
		e.GET(p, h)
		e.HEAD(p, h)
	}
	return e
}

// assetPaths returns the built files under dist/assets.
func assetPaths(t *testing.T) []string {
	t.Helper()
	entries, err := fs.ReadDir(dist, "dist/assets")
	if err != nil {
		t.Fatalf("ui/dist/assets missing (run make ui): %v", err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, "/assets/"+e.Name())
	}
	return out
}

func TestIndexHeaders(t *testing.T) {
	if !Available() {
		t.Fatal("ui/dist/index.html is not embedded (run make ui)")
	}
	e := engine()
	for _, path := range []string{"/", "/index.html"} {
		w := ut.PerformRequest(e, "GET", path, nil)
		r := w.Result()
		if r.StatusCode() != 200 {
			t.Fatalf("%s: status %d", path, r.StatusCode())
		}
		if got := string(r.Header.ContentType()); !strings.HasPrefix(got, "text/html") {
			t.Errorf("%s: content type %q", path, got)
		}
		if got := r.Header.Get("Content-Security-Policy"); got != CSP {
			t.Errorf("%s: CSP %q", path, got)
		}
		if got := r.Header.Get("Cache-Control"); got != "no-cache" {
			t.Errorf("%s: Cache-Control %q, want no-cache", path, got)
		}
		if r.Header.Get("X-Frame-Options") != "DENY" || r.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: missing hardening headers", path)
		}
		etag := r.Header.Get("ETag")
		if etag == "" {
			t.Fatalf("%s: no ETag", path)
		}
		w = ut.PerformRequest(e, "GET", path, nil, ut.Header{Key: "If-None-Match", Value: etag})
		if w.Result().StatusCode() != 304 {
			t.Errorf("%s: revalidation status %d, want 304", path, w.Result().StatusCode())
		}
	}
}

// The CSP forbids inline scripts and styles, so the built index must not contain any.
func TestIndexHasNoInlineCode(t *testing.T) {
	b, err := fs.ReadFile(dist, "dist/index.html")
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	if regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]`).MatchString(html) {
		t.Error("index.html has an inline script")
	}
	if strings.Contains(html, "<style") || regexp.MustCompile(`\sstyle=`).MatchString(html) {
		t.Error("index.html has an inline style")
	}
	for _, m := range regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(html, -1) {
		u := m[1]
		if u == "data:," {
			continue
		}
		if !strings.HasPrefix(u, "./assets/") {
			t.Errorf("index.html references %q; assets must be relative (base './')", u)
		}
		if _, err := fs.Stat(dist, "dist/"+strings.TrimPrefix(u, "./")); err != nil {
			t.Errorf("index.html references %q, which is not in dist", u)
		}
	}
}

func TestAssetsImmutableAndCompressed(t *testing.T) {
	e := engine()
	paths := assetPaths(t)
	if len(paths) == 0 {
		t.Fatal("no assets")
	}
	for _, p := range paths {
		w := ut.PerformRequest(e, "GET", p, nil)
		r := w.Result()
		plain := append([]byte(nil), r.Body()...)
		if r.StatusCode() != 200 {
			t.Fatalf("%s: status %d", p, r.StatusCode())
		}
		if got := r.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
			t.Errorf("%s: Cache-Control %q", p, got)
		}
		ct := string(r.Header.ContentType())
		switch {
		case strings.HasSuffix(p, ".js") && !strings.Contains(ct, "javascript"):
			t.Errorf("%s: content type %q", p, ct)
		case strings.HasSuffix(p, ".css") && !strings.HasPrefix(ct, "text/css"):
			t.Errorf("%s: content type %q", p, ct)
		}
		if r.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s: encoded without Accept-Encoding", p)
		}
		w = ut.PerformRequest(e, "GET", p, nil, ut.Header{Key: "Accept-Encoding", Value: "br, gzip"})
		r = w.Result()
		if len(plain) > 4096 {
			if r.Header.Get("Content-Encoding") != "gzip" {
				t.Errorf("%s: not gzip-compressed", p)
				continue
			}
			zr, err := gzip.NewReader(bytes.NewReader(r.Body()))
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(zr)
			if err != nil || !bytes.Equal(got, plain) {
				t.Errorf("%s: gzip body differs from the plain one (%v)", p, err)
			}
		}
	}
}

func TestUnknownPathIs404(t *testing.T) {
	e := engine()
	for _, p := range []string{"/assets/nope.js", "/assets/../embed.go", "/assets/"} {
		w := ut.PerformRequest(e, "GET", p, nil)
		if got := w.Result().StatusCode(); got != 404 {
			t.Errorf("%s: status %d, want 404", p, got)
		}
	}
}

func TestAcceptsGzip(t *testing.T) {
	for in, want := range map[string]bool{
		"": false, "gzip": true, "br, gzip;q=0.5": true, "gzip;q=0": false, "identity": false, "GZIP": true,
	} {
		if got := acceptsGzip(in); got != want {
			t.Errorf("acceptsGzip(%q) = %v", in, got)
		}
	}
}
