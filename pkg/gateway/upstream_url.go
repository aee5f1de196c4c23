package gateway

import (
	"strings"
)

// endpointRoots are the API paths a provider URL may already end with ("full endpoint" form).
var endpointRoots = []string{"/v1/messages", "/v1/responses", "/v1/chat/completions"}

// upstreamURL joins a provider URL and the client's path and query. The provider URL may be a
// host ("https://api.anthropic.com"), a version root ("https://relay.example/api/v1") or a full
// endpoint ("https://relay.example/v1/messages"); no path segment is duplicated.
func upstreamURL(providerURL, clientPath, rawQuery string) string {
	base := strings.TrimRight(providerURL, "/")
	schemeEnd := strings.Index(base, "://")
	pathStart := len(base)
	if schemeEnd >= 0 {
		if i := strings.IndexByte(base[schemeEnd+3:], '/'); i >= 0 {
			pathStart = schemeEnd + 3 + i
		}
	}
	basePath := base[pathStart:]
	var u string
	switch {
	case strings.HasSuffix(basePath, clientPath):
		u = base
	case endsWithRootOf(basePath, clientPath) != "":
		root := endsWithRootOf(basePath, clientPath)
		u = base + clientPath[len(root):]
	case endsWithVersion(basePath) && strings.HasPrefix(clientPath, "/v1/"):
		u = base + clientPath[len("/v1"):]
	default:
		u = base + clientPath
	}
	if rawQuery != "" {
		u += "?" + rawQuery
	}
	return u
}

// endsWithRootOf returns the endpoint root that basePath ends with and clientPath extends
// (e.g. base ".../v1/messages" for client "/v1/messages/count_tokens").
func endsWithRootOf(basePath, clientPath string) string {
	for _, r := range endpointRoots {
		if strings.HasSuffix(basePath, r) && strings.HasPrefix(clientPath, r) {
			return r
		}
	}
	return ""
}

// endsWithVersion reports whether the last path segment is an API version such as v1, v4 or
// v1beta.
func endsWithVersion(p string) bool {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return false
	}
	seg := p[i+1:]
	if len(seg) < 2 || seg[0] != 'v' || seg[1] < '0' || seg[1] > '9' {
		return false
	}
	for _, ch := range seg[1:] {
		if !(ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'z') {
			return false
		}
	}
	return true
}
