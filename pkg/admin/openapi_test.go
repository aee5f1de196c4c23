package admin

import (
	"strings"
	"testing"

	"github.com/cchub/cchub/pkg/jsonx"
)

// TestOpenAPIDescribesEveryRoute fails when a route under /api is registered without an entry
// in apiOps (openapi_routes.go), or an entry describes a route that does not exist.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	h := newSQLiteHarness(t)
	registered := map[string]bool{}
	for _, rt := range h.eng.Routes() {
		if !strings.HasPrefix(rt.Path, "/api/") {
			continue
		}
		registered[rt.Method+" "+openAPIPath(rt.Path)] = true
		if !DocumentedRoute(rt.Method, rt.Path) {
			t.Errorf("%s %s is not in the OpenAPI document (add it to apiOps in openapi_routes.go)", rt.Method, rt.Path)
		}
	}
	for _, op := range apiOps() {
		if op.external {
			continue // registered by other packages; pkg/app's test checks the whole engine
		}
		if !registered[op.method+" "+op.path] {
			t.Errorf("documented %s %s is not registered", op.method, op.path)
		}
	}
}

func TestOpenAPIDocument(t *testing.T) {
	h := newSQLiteHarness(t)
	r := h.req("GET", "/api/openapi.json", nil).want(200) // public: no token
	if ct := r.headerValue("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("content type %q", ct)
	}
	var doc struct {
		OpenAPI    string                               `json:"openapi"`
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]map[string]any `json:"schemas"`
		} `json:"components"`
	}
	r.decode(&doc)
	if doc.OpenAPI != "3.1.0" || len(doc.Paths) < 25 {
		t.Fatalf("openapi %q with %d paths", doc.OpenAPI, len(doc.Paths))
	}
	ids := map[string]bool{}
	for path, item := range doc.Paths {
		for method, op := range item {
			if op["summary"] == "" || op["responses"] == nil {
				t.Errorf("%s %s lacks a summary or responses", method, path)
			}
			id, _ := op["operationId"].(string)
			if ids[id] {
				t.Errorf("duplicate operationId %s", id)
			}
			ids[id] = true
		}
	}
	// Every $ref resolves.
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				name := strings.TrimPrefix(ref, "#/components/schemas/")
				if doc.Components.Schemas[name] == nil {
					t.Errorf("dangling $ref %s", ref)
				}
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	var raw map[string]any
	r.decode(&raw)
	walk(raw)

	// Schemas follow the views: spot checks.
	logProps := doc.Components.Schemas["RequestLog"]["properties"].(map[string]any)
	for _, f := range []string{"id", "created_at", "cost_usd", "provider_chain", "ttfb_ms", "cache_creation_1h_input_tokens"} {
		if logProps[f] == nil {
			t.Errorf("RequestLog lacks %s", f)
		}
	}
	if tt := logProps["ttfb_ms"].(map[string]any)["type"]; !strings.Contains(string(mustJSON(t, tt)), "null") {
		t.Errorf("ttfb_ms is not nullable: %v", tt)
	}
	overview := doc.Paths["/api/v1/stats/overview"]["get"]["responses"].(map[string]any)["200"]
	if !strings.Contains(string(mustJSON(t, overview)), "p95_ttfb_ms") {
		t.Error("overview schema lacks p95_ttfb_ms")
	}
	provider := doc.Components.Schemas["Provider"]["properties"].(map[string]any)
	if provider["key_masked"] == nil || provider["key"] != nil || provider["circuit_state"] == nil {
		t.Errorf("Provider schema: %v", provider)
	}
	create := doc.Paths["/api/v1/providers"]["post"]["requestBody"]
	if !strings.Contains(string(mustJSON(t, create)), `"key"`) {
		t.Error("provider create body lacks key")
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := jsonx.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
