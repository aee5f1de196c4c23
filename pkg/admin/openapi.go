package admin

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/cloudwego/hertz/pkg/app"

	"github.com/cchub/cchub/pkg/jsonx"
)

// openAPI serves GET /api/openapi.json: an OpenAPI 3.1 description of every /api route.
func (a *API) openAPI(_ context.Context, c *app.RequestContext) {
	b, err := openAPIJSON()
	if err != nil {
		writeError(c, errInternal)
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", b)
}

var (
	openAPIOnce  sync.Once
	openAPIBytes []byte
	openAPIErr   error
)

// openAPIJSON is the encoded document, built once.
func openAPIJSON() ([]byte, error) {
	openAPIOnce.Do(func() { openAPIBytes, openAPIErr = jsonx.Marshal(OpenAPIDocument()) })
	return openAPIBytes, openAPIErr
}

// OpenAPIDocument returns the OpenAPI 3.1 document of the hub's HTTP API (admin, auth,
// self-service and health routes; the proxy routes follow the upstream APIs and are not in it).
func OpenAPIDocument() map[string]any {
	paths := schema{}
	for _, op := range apiOps() {
		item, _ := paths[op.path].(schema)
		if item == nil {
			item = schema{}
			paths[op.path] = item
		}
		item[strings.ToLower(op.method)] = op.operation()
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": schema{
			"title":   "cchub API",
			"version": "1",
			"description": "Admin API of cchub. Authenticate with `Authorization: Bearer <ADMIN_TOKEN>` or the " +
				"session cookie from POST /api/auth/login. Key logins may only call /api/v1/me*. Lists are " +
				"`{\"items\":[…],\"next_cursor\":…}`; errors `{\"error\":{\"message\",\"field\"?}}`; money is a " +
				"decimal string of USD; times are RFC 3339.",
		},
		"paths": paths,
		"components": schema{
			"schemas": apiComponents(),
			"securitySchemes": schema{
				"bearer": schema{"type": "http", "scheme": "bearer", "description": "ADMIN_TOKEN"},
				"cookie": schema{"type": "apiKey", "in": "cookie", "name": sessionCookie},
			},
		},
		"security": []any{schema{"bearer": []string{}}, schema{"cookie": []string{}}},
	}
}

func (op apiOp) operation() schema {
	o := schema{
		"summary":     op.summary,
		"tags":        []string{op.tag},
		"operationId": operationID(op.method, op.path),
	}
	var params []any
	if strings.Contains(op.path, "{id}") {
		params = append(params, schema{"name": "id", "in": "path", "required": true, "schema": schema{"type": "integer"}})
	}
	for _, p := range op.query {
		s := schema{"type": p.typ}
		if len(p.enum) > 0 {
			s["enum"] = p.enum
		}
		q := schema{"name": p.name, "in": "query", "required": false, "schema": s}
		if p.desc != "" {
			q["description"] = p.desc
		}
		params = append(params, q)
	}
	if len(params) > 0 {
		o["parameters"] = params
	}
	if op.body != nil {
		o["requestBody"] = schema{"required": true, "content": schema{"application/json": schema{"schema": op.body}}}
	}
	responses := schema{}
	for _, st := range append([]int{op.status}, op.alt...) {
		r := schema{"description": http.StatusText(st)}
		if op.resp != nil {
			r["content"] = schema{"application/json": schema{"schema": op.resp}}
		}
		responses[strconv.Itoa(st)] = r
	}
	errRef := func(desc string) schema {
		return schema{"description": desc, "content": schema{"application/json": schema{"schema": ref("Error")}}}
	}
	if op.body != nil || len(op.query) > 0 {
		responses["400"] = errRef("Bad input; error.field names the member or parameter")
	}
	switch op.auth {
	case "public":
		o["security"] = []any{}
	case "self":
		responses["401"] = errRef("Not logged in")
	default:
		responses["401"] = errRef("Not logged in")
		responses["403"] = errRef("A key login, or a cross-origin cookie request")
	}
	if strings.Contains(op.path, "{id}") {
		responses["404"] = errRef("No such id")
	}
	responses["500"] = errRef("Internal error")
	o["responses"] = responses
	return o
}

// operationID derives a stable id such as get_api_v1_users_id.
func operationID(method, path string) string {
	r := strings.NewReplacer("/", "_", "{", "", "}", "", ".", "_", "-", "_")
	return strings.ToLower(method) + r.Replace(path)
}

// DocumentedRoute reports whether the document describes method on a hertz route pattern such
// as /api/v1/users/:id.
func DocumentedRoute(method, route string) bool {
	path := openAPIPath(route)
	for _, op := range apiOps() {
		if op.method == method && op.path == path {
			return true
		}
	}
	return false
}

// openAPIPath converts hertz's :param and *param segments to OpenAPI's {param}.
func openAPIPath(route string) string {
	segs := strings.Split(route, "/")
	for i, s := range segs {
		if len(s) > 1 && (s[0] == ':' || s[0] == '*') {
			segs[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(segs, "/")
}
