package gateway

import (
	"bytes"
	"unsafe"

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
var skipResponseHeaders = [][]byte{
	[]byte("Connection"), []byte("Keep-Alive"), []byte("Proxy-Connection"), []byte("Te"),
	[]byte("Trailer"), []byte("Transfer-Encoding"), []byte("Upgrade"), []byte("Content-Length"),
	[]byte("Set-Cookie"), []byte("Date"), []byte("Server"),
}

func skipped(list [][]byte, k []byte) bool {
	for _, s := range list {
		if bytes.EqualFold(s, k) {
			return true
		}
	}
	return false
}

// copyRequestHeaders forwards the client's headers (anthropic-version, anthropic-beta, session
// ids, user agent, …) and sets the provider's credentials.
func copyRequestHeaders(dst *protocol.RequestHeader, src *protocol.RequestHeader, p *catalog.Provider) {
	src.VisitAll(func(k, v []byte) {
		if !skipped(skipRequestHeaders, k) {
			dst.SetBytesKV(k, v)
		}
	})
	if len(dst.ContentType()) == 0 {
		dst.SetContentTypeBytes([]byte("application/json"))
	}
	setUpstreamAuth(dst, p)
}

// setUpstreamAuth applies the provider type's auth scheme: claude sends both x-api-key and
// Bearer (official API and relays each read one), claude-auth only Bearer, OpenAI types Bearer,
// Gemini x-goog-api-key.
func setUpstreamAuth(h *protocol.RequestHeader, p *catalog.Provider) {
	switch p.Type {
	case catalog.TypeClaude:
		h.Set("x-api-key", p.APIKey)
		h.Set("Authorization", "Bearer "+p.APIKey)
	case catalog.TypeGemini:
		h.Set("x-goog-api-key", p.APIKey)
	default:
		h.Set("Authorization", "Bearer "+p.APIKey)
	}
}

// copyResponseHeaders passes the upstream's headers (request ids, rate-limit info) to the client.
func copyResponseHeaders(dst *protocol.ResponseHeader, src *protocol.ResponseHeader) {
	src.VisitAll(func(k, v []byte) {
		if !skipped(skipResponseHeaders, k) {
			// Add copies both strings, so the no-copy conversions are safe here.
			dst.Add(unsafe.String(unsafe.SliceData(k), len(k)), unsafe.String(unsafe.SliceData(v), len(v)))
		}
	})
}
