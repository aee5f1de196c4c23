package admin

import (
	"slices"
)

// apiOp documents one route in GET /api/openapi.json. Every /api route registered on the
// engine needs one (TestOpenAPIDescribesEveryRoute); add the entry with the route.
type apiOp struct {
	method, path string // path in OpenAPI form: /api/v1/users/{id}
	tag, summary string
	// auth: "admin" (admin token or admin login), "self" (any login, key logins included),
	// "public" (none).
	auth   string
	query  []apiParam
	body   schema
	status int    // success status
	alt    []int  // further success statuses with the same body
	resp   schema // nil: no body (204)
	// external routes are registered by other packages (health, the gateway's probe).
	external bool
}

type apiParam struct {
	name, typ, desc string
	enum            []string
}

// Query parameters shared by several routes.
var (
	pageParams = []apiParam{
		{name: "limit", typ: "integer", desc: "page size, 1–500 (default 50)"},
		{name: "cursor", typ: "integer", desc: "next_cursor of the previous page"},
	}
	logFilterParams = []apiParam{
		{name: "user_id", typ: "integer"}, {name: "key_id", typ: "integer"},
		{name: "provider_id", typ: "integer", desc: "0 selects requests that never reached a provider"},
		{name: "model", typ: "string"}, {name: "status_code", typ: "integer"},
		{name: "session_id", typ: "string"}, {name: "endpoint", typ: "string"},
		{name: "from", typ: "string", desc: "RFC 3339, inclusive"},
		{name: "to", typ: "string", desc: "RFC 3339, exclusive"},
	}
	usageFilterParams = []apiParam{
		{name: "user_id", typ: "integer"}, {name: "key_id", typ: "integer"},
		{name: "provider_id", typ: "integer"}, {name: "model", typ: "string"},
	}
)

// apiOps is the description of every route. Response schemas come from the view types.
func apiOps() []apiOp {
	me := schemaOf(typeOf[meView]())
	provider := ref("Provider")
	user := ref("User")
	key := ref("Key")
	logItem := ref("RequestLog")
	price := ref("ModelPrice")
	settings := ref("Settings")
	providerBody := bodyOf(typeOf[providerView](), providerFields, schema{
		"key":             schema{"type": "string", "description": "upstream API key; write-only (responses show key_masked)"},
		"cost_multiplier": schema{"type": []string{"number", "string"}},
	})
	userBody := bodyOf(typeOf[userView](), userFields, nil)
	keyBody := bodyOf(typeOf[keyView](), keyFields, nil)
	withRequired := func(s schema, req ...string) schema {
		out := schema{}
		for k, v := range s {
			out[k] = v
		}
		out["required"] = req
		return out
	}
	settingsBody := bodyOf(typeOf[settingsView](), settingsFields, nil)
	priceBody := schema{
		"type":     "object",
		"required": []string{"model_name"},
		"description": "LiteLLM field names, USD per token: input_cost_per_token, output_cost_per_token, " +
			"cache_creation_input_token_cost, cache_creation_input_token_cost_above_1hr, cache_read_input_token_cost, " +
			"their _above_<N>k_tokens and _priority variants, input_cost_per_request, litellm_provider, mode, " +
			"max_tokens, max_input_tokens, max_output_tokens. input_cost_per_token or output_cost_per_token is required.",
		"properties": schema{
			"model_name":                                schema{"type": "string"},
			"input_cost_per_token":                      schema{"type": []string{"number", "string"}},
			"output_cost_per_token":                     schema{"type": []string{"number", "string"}},
			"cache_creation_input_token_cost":           schema{"type": []string{"number", "string"}},
			"cache_creation_input_token_cost_above_1hr": schema{"type": []string{"number", "string"}},
			"cache_read_input_token_cost":               schema{"type": []string{"number", "string"}},
			"litellm_provider":                          schema{"type": "string"},
		},
		"patternProperties": schema{
			"^(input|output)_cost_per_token(_above_[0-9]+k_tokens)?(_priority)?$": schema{"type": []string{"number", "string"}},
		},
	}
	scope := []string{"user", "key", "provider", "model"}
	ops := []apiOp{
		{method: "POST", path: "/api/auth/login", tag: "auth", auth: "public", status: 200, resp: me,
			summary: "Log in with the admin token or a key allowed to log in (sets the session cookie)",
			body:    schema{"type": "object", "required": []string{"token"}, "properties": schema{"token": schema{"type": "string"}}}},
		{method: "POST", path: "/api/auth/logout", tag: "auth", auth: "public", status: 204, summary: "End the web session"},
		{method: "GET", path: "/api/auth/me", tag: "auth", auth: "self", status: 200, resp: me, summary: "Who is logged in"},

		{method: "GET", path: "/api/v1/me", tag: "self-service", auth: "self", status: 200, resp: me, summary: "The caller's identity"},
		{method: "GET", path: "/api/v1/me/usage", tag: "self-service", auth: "self", status: 200,
			resp: schemaOf(typeOf[meUsageView]()), summary: "A key login's own usage today, over 7 and over 30 days"},
		{method: "GET", path: "/api/v1/me/logs", tag: "self-service", auth: "self", status: 200, resp: listOf(logItem),
			query: slices.Concat(logFilterParams, pageParams), summary: "A key login's own request logs (decision chain omitted)"},
		{method: "GET", path: "/api/v1/me/quotas", tag: "self-service", auth: "self", status: 200,
			resp: schemaOf(typeOf[meQuotasView]()), summary: "A key login's quotas and its user's: usage, limit and reset per window"},

		{method: "GET", path: "/api/v1/providers", tag: "providers", status: 200, resp: listOf(provider), query: pageParams, summary: "List providers"},
		{method: "POST", path: "/api/v1/providers", tag: "providers", status: 201, resp: provider,
			body: withRequired(providerBody, "name", "type", "url", "key"), summary: "Create a provider"},
		{method: "GET", path: "/api/v1/providers/{id}", tag: "providers", status: 200, resp: provider, summary: "Get a provider"},
		{method: "PATCH", path: "/api/v1/providers/{id}", tag: "providers", status: 200, resp: provider, body: providerBody, summary: "Update a provider"},
		{method: "DELETE", path: "/api/v1/providers/{id}", tag: "providers", status: 204, summary: "Delete a provider"},
		{method: "POST", path: "/api/v1/providers/{id}/circuit/reset", tag: "providers", status: 204, summary: "Close the provider's circuit breaker"},
		{method: "POST", path: "/api/v1/providers/{id}/test", tag: "providers", status: 200,
			resp: schemaOf(typeOf[ProviderTestResult]()), summary: "Send one tiny request to the provider"},

		{method: "GET", path: "/api/v1/users", tag: "users", status: 200, resp: listOf(user), query: pageParams, summary: "List users"},
		{method: "POST", path: "/api/v1/users", tag: "users", status: 201, resp: user, body: withRequired(userBody, "name"), summary: "Create a user"},
		{method: "GET", path: "/api/v1/users/{id}", tag: "users", status: 200, resp: user, summary: "Get a user"},
		{method: "PATCH", path: "/api/v1/users/{id}", tag: "users", status: 200, resp: user, body: userBody, summary: "Update a user"},
		{method: "DELETE", path: "/api/v1/users/{id}", tag: "users", status: 204, summary: "Delete a user and their keys"},

		{method: "GET", path: "/api/v1/users/{id}/keys", tag: "keys", status: 200, resp: listOf(key), query: pageParams, summary: "List a user's keys"},
		{method: "POST", path: "/api/v1/users/{id}/keys", tag: "keys", status: 201, resp: schemaOf(typeOf[createdKeyView]()),
			body: withRequired(keyBody, "name"), summary: "Create a key (the full key is returned once, in key)"},
		{method: "GET", path: "/api/v1/keys/{id}", tag: "keys", status: 200, resp: key, summary: "Get a key"},
		{method: "PATCH", path: "/api/v1/keys/{id}", tag: "keys", status: 200, resp: key, body: keyBody, summary: "Update a key"},
		{method: "DELETE", path: "/api/v1/keys/{id}", tag: "keys", status: 204, summary: "Delete a key"},

		{method: "GET", path: "/api/v1/logs", tag: "logs", status: 200, resp: listOf(logItem),
			query: slices.Concat(logFilterParams, pageParams), summary: "Request logs, newest first"},
		{method: "GET", path: "/api/v1/logs/export", tag: "logs", status: 200, resp: schema{"type": "string", "description": "text/csv"},
			query:   slices.Concat([]apiParam{{name: "format", typ: "string", enum: []string{"csv"}}}, logFilterParams),
			summary: "Request logs as CSV (same filters as the list; streamed; formula-safe cells)"},
		{method: "GET", path: "/api/v1/logs/{id}", tag: "logs", status: 200, resp: logItem, summary: "One request log with its decision chain"},

		{method: "GET", path: "/api/v1/stats/overview", tag: "statistics", status: 200,
			resp: schemaOf(typeOf[overviewView]()), summary: "Today against yesterday in the hub's timezone, active sessions and RPM"},
		{method: "GET", path: "/api/v1/stats/timeseries", tag: "statistics", status: 200, resp: schemaOf(typeOf[seriesView]()),
			summary: "Usage per hour or day, optionally split by user, key, provider or model",
			query: slices.Concat([]apiParam{
				{name: "bucket", typ: "string", enum: []string{"hour", "day"}, desc: "default hour"},
				{name: "from", typ: "string", desc: "RFC 3339; rounded down to a bucket (default: 24 hours or 30 days back)"},
				{name: "to", typ: "string", desc: "RFC 3339; rounded up to a bucket (default: the end of the current one)"},
				{name: "split", typ: "string", enum: scope},
			}, usageFilterParams)},
		{method: "GET", path: "/api/v1/leaderboard", tag: "statistics", status: 200, resp: schemaOf(typeOf[leaderboardView]()),
			summary: "Ranking by cost since the start of the day, week (Monday) or month in the hub's timezone",
			query: slices.Concat([]apiParam{
				{name: "scope", typ: "string", enum: scope, desc: "default user"},
				{name: "period", typ: "string", enum: []string{"daily", "weekly", "monthly", "all"}, desc: "default daily"},
			}, pageParams)},
		{method: "GET", path: "/api/v1/sessions", tag: "statistics", status: 200, resp: listOf(schemaOf(typeOf[activeSessionView]())),
			query:   slices.Concat(usageFilterParams, pageParams),
			summary: "Sessions active within the session TTL, most recent first (cursor is an offset)"},

		{method: "GET", path: "/api/v1/prices", tag: "prices", status: 200, resp: listOf(price),
			query: slices.Concat([]apiParam{
				{name: "q", typ: "string", desc: "case-insensitive part of the model name"},
				{name: "source", typ: "string", enum: []string{"litellm", "manual"}},
			}, pageParams), summary: "Model prices"},
		{method: "POST", path: "/api/v1/prices", tag: "prices", status: 201, alt: []int{200}, resp: price, body: priceBody,
			summary: "Set a manual price (201 new, 200 replaced); syncs never overwrite it"},
		{method: "POST", path: "/api/v1/prices/sync", tag: "prices", status: 200, resp: schemaOf(typeOf[priceSyncView]()),
			body: schema{"type": "object", "properties": schema{"url": schema{"type": "string",
				"description": "LiteLLM-format table; default: the settings' price_sync_url, else LiteLLM's"}}},
			summary: "Sync prices from a LiteLLM-format table (409 while one runs, 502 when the download fails)"},

		{method: "GET", path: "/api/v1/settings", tag: "settings", status: 200, resp: settings, summary: "Runtime settings"},
		{method: "PATCH", path: "/api/v1/settings", tag: "settings", status: 200, resp: settings, body: settingsBody, summary: "Change runtime settings"},

		{method: "GET", path: "/api/openapi.json", tag: "meta", auth: "public", status: 200,
			resp: schema{"type": "object"}, summary: "This document"},
		{method: "GET", path: "/api/health/live", tag: "meta", auth: "public", status: 200, external: true,
			summary: "Liveness: 200 while the process runs"},
		{method: "GET", path: "/api/health/ready", tag: "meta", auth: "public", status: 200, external: true,
			summary: "Readiness: 200 when the database (and Redis) answer, 503 while shutting down"},
		{method: "GET", path: "/api/hello", tag: "meta", auth: "public", status: 200, external: true,
			summary: "Connectivity probe that clients such as Claude Code send"},
		{method: "HEAD", path: "/api/hello", tag: "meta", auth: "public", status: 200, external: true,
			summary: "Connectivity probe that clients such as Claude Code send"},
	}
	return append(ops, quotaOps()...)
}

// apiComponents are the named schemas the operations refer to.
func apiComponents() schema {
	return schema{
		"Provider":   schemaOf(typeOf[providerView]()),
		"User":       schemaOf(typeOf[userView]()),
		"Key":        schemaOf(typeOf[keyView]()),
		"RequestLog": schemaOf(typeOf[logView]()),
		"ModelPrice": schemaOf(typeOf[priceView]()),
		"Settings":   schemaOf(typeOf[settingsView]()),
		"Error": schema{"type": "object", "required": []string{"error"}, "properties": schema{
			"error": schema{"type": "object", "required": []string{"message"}, "properties": schema{
				"message": schema{"type": "string"},
				"field":   schema{"type": "string", "description": "the body member or query parameter at fault"},
			}},
		}},
	}
}
