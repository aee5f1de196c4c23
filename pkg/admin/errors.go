package admin

import (
	"context"
	"errors"
	"net/http"

	"github.com/cloudwego/hertz/pkg/app"

	"github.com/cchub/cchub/ent"
	"github.com/cchub/cchub/pkg/jsonx"
)

// apiError is a client-facing error: an HTTP status and the SPEC §6 body
// {"error":{"message","field"?}}. Its message never contains a secret.
type apiError struct {
	Status  int
	Message string
	Field   string
}

func (e *apiError) Error() string { return e.Message }

// badField is a 400 naming the offending field, so the UI can highlight it.
func badField(field, msg string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Message: field + ": " + msg, Field: field}
}

func badRequest(msg string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Message: msg}
}

func notFound(what string) *apiError {
	return &apiError{Status: http.StatusNotFound, Message: what + " not found"}
}

var (
	errUnauthorized = &apiError{Status: http.StatusUnauthorized, Message: "authentication required"}
	errForbidden    = &apiError{Status: http.StatusForbidden, Message: "forbidden"}
	errCrossOrigin  = &apiError{Status: http.StatusForbidden, Message: "cross-origin request refused: Origin must match Host"}
	errInternal     = &apiError{Status: http.StatusInternalServerError, Message: "internal error"}
)

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// writeJSON answers with v encoded by jsonx (sonic); hertz's c.JSON would pick its own encoder.
func writeJSON(c *app.RequestContext, status int, v any) {
	b, err := jsonx.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"message":"internal error"}}`)
	}
	c.Data(status, "application/json; charset=utf-8", b)
}

func writeError(c *app.RequestContext, e *apiError) {
	writeJSON(c, e.Status, errorBody{Error: errorDetail{Message: e.Message, Field: e.Field}})
}

// fail renders err: an *apiError as is, ent's not-found as 404, anything else as a logged 500.
// Ent and driver errors carry column names and SQL but not bound values, so logging them cannot
// leak a key; the client only sees "internal error".
func (a *API) fail(ctx context.Context, c *app.RequestContext, what string, err error) {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		writeError(c, ae)
	case ent.IsNotFound(err):
		writeError(c, notFound(what))
	case ent.IsValidationError(err):
		// Input is validated before writing; this is the schema's own check as a backstop.
		writeError(c, badRequest(err.Error()))
	case ent.IsConstraintError(err):
		writeError(c, &apiError{Status: http.StatusConflict, Message: what + " conflicts with existing data"})
	default:
		a.log.ErrorContext(ctx, "admin request failed", "method", string(c.Method()),
			"route", c.FullPath(), "err", err)
		writeError(c, errInternal)
	}
}
