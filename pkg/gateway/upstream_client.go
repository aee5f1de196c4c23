package gateway

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"
)

// The upstream client is net/http rather than hertz's client: hertz cannot cancel a request
// while it waits for response headers, and its request timeout stays on the connection as an
// absolute read deadline that would cut a long stream. net/http's context covers the whole call
// (dial, headers, body), so a client disconnect, a first-byte timeout or an idle timeout stops
// the upstream at once; it also speaks HTTP/2 to upstreams and supports SOCKS5 proxies.

// upstreamTransport returns the transport for a provider's proxy setting ("" = direct).
func (g *Gateway) upstreamTransport(proxyURL string) (*http.Transport, error) {
	g.clientsMu.Lock()
	defer g.clientsMu.Unlock()
	if t := g.clients[proxyURL]; t != nil {
		return t, nil
	}
	t := &http.Transport{
		DialContext:           (&net.Dialer{Timeout: g.cfg.DialTimeout, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          4096,
		MaxIdleConnsPerHost:   1024,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		// The hub reads usage from the body, so it asks for identity encoding and must not let
		// the transport negotiate gzip on its own.
		DisableCompression: true,
	}
	if proxyURL != "" {
		u, err := url.Parse(proxyURL)
		if err != nil {
			return nil, fmt.Errorf("proxy_url: %w", err)
		}
		t.Proxy = http.ProxyURL(u)
	}
	g.clients[proxyURL] = t
	return t, nil
}
