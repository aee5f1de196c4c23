package gateway

import (
	"strconv"

	"github.com/cloudwego/hertz/pkg/app"

	"github.com/cchub/cchub/pkg/gateway/catalog"
	"github.com/cchub/cchub/pkg/jsonx"
)

// Error is a request failure the hub answers itself. Message is safe to show the client; Cause is
// only logged.
type Error struct {
	Status  int
	Code    string // machine-readable, e.g. "invalid_api_key", "no_available_providers"
	Message string
	Cause   error
	// Headers are added to the response (rate-limit headers, Retry-After).
	Headers [][2]string
	// Extra fields are merged into the error object (limit_type, current, limit, reset_time).
	Extra map[string]any
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return e.Message + ": " + e.Cause.Error()
	}
	return e.Message
}

// errorType maps a status code to the error "type" both Anthropic and OpenAI clients expect.
func errorType(status int) string {
	switch status {
	case 400:
		return "invalid_request_error"
	case 401:
		return "authentication_error"
	case 402:
		return "payment_required_error"
	case 403:
		return "permission_error"
	case 404:
		return "not_found_error"
	case 413:
		return "request_too_large"
	case 429:
		return "rate_limit_error"
	case 502:
		return "bad_gateway_error"
	case 503:
		return "service_unavailable_error"
	case 504:
		return "gateway_timeout_error"
	case 529:
		return "overloaded_error"
	}
	if status >= 500 {
		return "api_error"
	}
	return "invalid_request_error"
}

// errorBody renders e in the inbound API's error shape:
// Anthropic  {"type":"error","error":{"type","message","code"}}
// OpenAI     {"error":{"message","type","code","param":null}}
func errorBody(f catalog.Format, e *Error, requestID string) []byte {
	obj := map[string]any{"type": errorType(e.Status), "message": e.Message}
	if e.Code != "" {
		obj["code"] = e.Code
	}
	for k, v := range e.Extra {
		obj[k] = v
	}
	var body map[string]any
	switch f {
	case catalog.FormatAnthropic:
		body = map[string]any{"type": "error", "error": obj}
	default:
		obj["param"] = nil
		body = map[string]any{"error": obj}
	}
	if requestID != "" {
		body["request_id"] = requestID
	}
	b, _ := jsonx.Marshal(body)
	return b
}

// writeError sends e to the client.
func writeError(c *app.RequestContext, f catalog.Format, e *Error, requestID string) {
	for _, h := range e.Headers {
		c.Response.Header.Set(h[0], h[1])
	}
	c.Data(e.Status, "application/json", errorBody(f, e, requestID))
}

func retryAfter(seconds int) [2]string { return [2]string{"Retry-After", strconv.Itoa(seconds)} }
