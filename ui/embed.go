// Package ui embeds the built web UI (ui/dist, committed; rebuilt by `make ui`) and serves it.
//
// index.html is answered with Cache-Control: no-cache and an ETag, so a new release is picked up
// on the next load; the content-hashed files under /assets/ are immutable and cached for a year.
// Every answer carries a strict Content-Security-Policy: the app has no inline scripts or styles
// and talks only to its own origin. Text assets are gzip-compressed once, on first use.
package ui

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"

	"github.com/cloudwego/hertz/pkg/app"
)

//go:embed all:dist
var dist embed.FS

// CSP is the Content-Security-Policy sent with every UI response.
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; " +
	"frame-ancestors 'none'"

type file struct {
	body  []byte
	gz    []byte // nil when compression does not pay
	ctype string
	etag  string
	cache string
}

var (
	loadOnce sync.Once
	files    map[string]*file
)

// load reads dist once into memory (the whole UI is about 200 kB).
func load() {
	files = map[string]*file{}
	root, err := fs.Sub(dist, "dist")
	if err != nil {
		return
	}
	_ = fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(root, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		f := &file{body: b, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
		f.ctype = mime.TypeByExtension(path.Ext(p))
		if f.ctype == "" {
			f.ctype = http.DetectContentType(b)
		}
		if strings.HasPrefix(p, "assets/") {
			f.cache = "public, max-age=31536000, immutable"
		} else {
			f.cache = "no-cache"
		}
		if compressible(f.ctype) && len(b) > 512 {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			zw.Write(b)
			zw.Close()
			if buf.Len() < len(b)*9/10 {
				f.gz = buf.Bytes()
			}
		}
		files[p] = f
		return nil
	})
}

func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.Contains(ctype, "javascript") ||
		strings.Contains(ctype, "json") || strings.Contains(ctype, "svg")
}

// Available reports whether the embedded build contains index.html.
func Available() bool {
	loadOnce.Do(load)
	return files["index.html"] != nil
}

// Handler serves the UI: "/" and "/index.html" answer index.html, "/assets/*" the built assets.
// Mount it for GET and HEAD on "/", "/index.html" and "/assets/*filepath".
func Handler() app.HandlerFunc {
	return func(ctx context.Context, c *app.RequestContext) {
		loadOnce.Do(load)
		p := strings.TrimPrefix(string(c.Request.URI().Path()), "/")
		if p == "" {
			p = "index.html"
		}
		h := &c.Response.Header
		h.Set("Content-Security-Policy", CSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		f := files[p]
		if f == nil || strings.Contains(p, "..") {
			c.Data(http.StatusNotFound, "text/plain; charset=utf-8", []byte("404 page not found\n"))
			return
		}
		h.Set("Cache-Control", f.cache)
		h.Set("ETag", f.etag)
		h.Set("Vary", "Accept-Encoding")
		if inm := string(c.GetHeader("If-None-Match")); inm != "" && etagMatch(inm, f.etag) {
			c.Status(http.StatusNotModified)
			return
		}
		body := f.body
		if f.gz != nil && acceptsGzip(string(c.GetHeader("Accept-Encoding"))) {
			h.Set("Content-Encoding", "gzip")
			body = f.gz
		}
		c.Data(http.StatusOK, f.ctype, body)
	}
}

func etagMatch(header, etag string) bool {
	for _, part := range strings.Split(header, ",") {
		part = strings.TrimSpace(part)
		if part == "*" || strings.TrimPrefix(part, "W/") == etag {
			return true
		}
	}
	return false
}

func acceptsGzip(ae string) bool {
	for _, part := range strings.Split(ae, ",") {
		name, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			q = strings.ReplaceAll(strings.TrimSpace(q), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}
