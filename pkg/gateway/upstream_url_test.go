package gateway

import "testing"

func TestUpstreamURL(t *testing.T) {
	cases := []struct{ provider, path, query, want string }{
		{"https://api.anthropic.com", "/v1/messages", "beta=true", "https://api.anthropic.com/v1/messages?beta=true"},
		{"https://api.anthropic.com/", "/v1/messages", "", "https://api.anthropic.com/v1/messages"},
		{"https://relay.example/api/v1", "/v1/messages", "", "https://relay.example/api/v1/messages"},
		{"https://open.bigmodel.cn/api/paas/v4", "/v1/chat/completions", "", "https://open.bigmodel.cn/api/paas/v4/chat/completions"},
		{"https://relay.example/v1/messages", "/v1/messages", "beta=true", "https://relay.example/v1/messages?beta=true"},
		{"https://relay.example/v1/messages", "/v1/messages/count_tokens", "", "https://relay.example/v1/messages/count_tokens"},
		{"https://relay.example/codex/v1/responses", "/v1/responses", "", "https://relay.example/codex/v1/responses"},
		{"http://127.0.0.1:8080/prefix", "/v1/responses", "", "http://127.0.0.1:8080/prefix/v1/responses"},
		{"http://127.0.0.1:8080/v1beta", "/v1/models", "", "http://127.0.0.1:8080/v1beta/models"},
		{"http://127.0.0.1:8080/version", "/v1/models", "", "http://127.0.0.1:8080/version/v1/models"},
	}
	for _, c := range cases {
		if got := upstreamURL(c.provider, c.path, c.query); got != c.want {
			t.Errorf("upstreamURL(%q, %q, %q) = %q; want %q", c.provider, c.path, c.query, got, c.want)
		}
	}
}
