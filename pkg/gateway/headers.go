package gateway

import (
	"bytes"
	"net/http"

	"github.com/cloudwego/hertz/pkg/protocol"

	"github.com/cchub/cchub/pkg/gateway/catalog"
)

// skipRequestHeaders are never forwarded upstream: hop-by-hop headers, the client's own
// credentials (replaced by the provider's), cookies, and Accept-Encoding (dropped so upstreams
// answer uncompressed and the usage tap can read the stream).
var skipRequestHeaders = [][]byte{
	[]byte("Host"), []byte("Connection"), []byte("Keep-Alive"), []byte("Proxy-Authorization"),
	[]byte("Proxy-Connection"), []byte("Te"), []byte("Trailer"), []byte("Transfer-Encoding"),
	[]byte("Upgrade"), []byte("Content-Length"), []byte("Authorization"), []byte("X-Api-Key"),
	[]byte("X-Goog-Api-Key"), []byte("Cookie"), []byte("Accept-Encoding"),
	[]byte("X-Forwarded-For"), []byte("X-Real-Ip"), []byte("Forwarded"),
}

// skipResponseHeaders are not copied back to the client.
var skipResponseHeaders = []string{
	"Connection", "Keep-Alive", "Proxy-Connection", "Te", "Trailer", "Transfer-Encoding",
	"Upgrade", "Content-Length", "Set-Cookie", "Date", "Server", "Alt-Svc",
}

func skippedRequest(k []byte) bool {
	for _, s := range skipRequestHeaders {
		if bytes.EqualFold(s, k) {
			return true
		}
	}
	return false
}

// copyRequestHeaders forwards the client's headers (anthropic-version, anthropic-beta, session
// ids, user agent, …) and sets the provider's credentials.
func copyRequestHeaders(dst http.Header, src *protocol.RequestHeader, p *catalog.Provider) {
	src.VisitAll(func(k, v []byte) {
		if !skippedRequest(k) {
			dst.Add(string(k), string(v))
		}
	})
	if dst.Get("Content-Type") == "" {
		dst.Set("Content-Type", "application/json")
	}
	setUpstreamAuth(dst, p)
}

// setUpstreamAuth applies the provider type's auth scheme: claude sends both x-api-key and
// Bearer (official API and relays each read one), claude-auth only Bearer, OpenAI types Bearer,
// Gemini x-goog-api-key.
func setUpstreamAuth(h http.Header, p *catalog.Provider) {
	switch p.Type {
	case catalog.TypeClaude:
		h.Set("X-Api-Key", p.APIKey)
		h.Set("Authorization", "Bearer "+p.APIKey)
	case catalog.TypeGemini:
		h.Set("X-Goog-Api-Key", p.APIKey)
	default:
		h.Set("Authorization", "Bearer "+p.APIKey)
	}
}

// copyResponseHeaders passes the upstream's headers (request ids, rate-limit info) to the client.
func copyResponseHeaders(dst *protocol.ResponseHeader, src http.Header) {
	for k, vs := range src {
		if skippedResponse(k) {
			continue
		}
		for _, v := range vs {
			dst.Add(k, v)
		}
	}
}

func skippedResponse(k string) bool {
	for _, s := range skipResponseHeaders {
		if s == k {
			return true
		}
	}
	return false
}
