package admin

import (
	"bytes"
	"context"
	"net/http"

	"github.com/cloudwego/hertz/pkg/app"

	"github.com/cchub/cchub/ent"
	"github.com/cchub/cchub/ent/predicate"
	"github.com/cchub/cchub/ent/requestlog"
	"github.com/cchub/cchub/pkg/jsonx"
	"github.com/cchub/cchub/pkg/money"
)

// logView is one request-log row as GET /api/v1/logs shows it: the SPEC §6 fields plus
// request_id, is_stream, price_missing, blocked_by and user_agent.
type logView struct {
	ID                         int    `json:"id"`
	CreatedAt                  string `json:"created_at"`
	RequestID                  string `json:"request_id"`
	UserID                     int    `json:"user_id"`
	KeyID                      int    `json:"key_id"`
	ProviderID                 int    `json:"provider_id"`
	Model                      string `json:"model"`
	OriginalModel              string `json:"original_model"`
	Endpoint                   string `json:"endpoint"`
	IsStream                   bool   `json:"is_stream"`
	StatusCode                 int    `json:"status_code"`
	InputTokens                int64  `json:"input_tokens"`
	OutputTokens               int64  `json:"output_tokens"`
	CacheCreationInputTokens   int64  `json:"cache_creation_input_tokens"`
	CacheCreation5mInputTokens int64  `json:"cache_creation_5m_input_tokens"`
	CacheCreation1hInputTokens int64  `json:"cache_creation_1h_input_tokens"`
	CacheReadInputTokens       int64  `json:"cache_read_input_tokens"`
	CostUSD                    string `json:"cost_usd"`
	PriceMissing               bool   `json:"price_missing"`
	DurationMs                 int64  `json:"duration_ms"`
	// TTFBMs is null when no byte reached the client.
	TTFBMs       *int64 `json:"ttfb_ms"`
	SessionID    string `json:"session_id"`
	ErrorMessage string `json:"error_message"`
	BlockedBy    string `json:"blocked_by"`
	UserAgent    string `json:"user_agent"`
	// ProviderChain is the decision chain embedded as a JSON array, not as a string.
	ProviderChain jsonx.RawMessage `json:"provider_chain"`
}

func viewLog(l *ent.RequestLog) logView {
	return logView{
		ID: l.ID, CreatedAt: timeOut(l.CreatedAt), RequestID: l.RequestID, UserID: l.UserID,
		KeyID: l.KeyID, ProviderID: l.ProviderID, Model: l.Model, OriginalModel: l.OriginalModel,
		Endpoint: l.Endpoint, IsStream: l.IsStream, StatusCode: l.StatusCode,
		InputTokens: l.InputTokens, OutputTokens: l.OutputTokens,
		CacheCreationInputTokens:   l.CacheCreationInputTokens,
		CacheCreation5mInputTokens: l.CacheCreation5mInputTokens,
		CacheCreation1hInputTokens: l.CacheCreation1hInputTokens,
		CacheReadInputTokens:       l.CacheReadInputTokens,
		CostUSD:                    money.Format(l.CostNano), PriceMissing: l.PriceMissing,
		DurationMs: l.DurationMs, TTFBMs: l.TtfbMs, SessionID: l.SessionID,
		ErrorMessage: l.ErrorMessage, BlockedBy: l.BlockedBy, UserAgent: l.UserAgent,
		ProviderChain: chainOut(l.ProviderChain),
	}
}

// chainOut returns the stored decision chain for embedding. The writer clips an oversized chain,
// which leaves it unparseable; such a value (or anything that is not an array) is shown as [] so
// the field always has the same type and the response always encodes.
func chainOut(s string) jsonx.RawMessage {
	b := bytes.TrimSpace([]byte(s))
	if len(b) == 0 || b[0] != '[' || !jsonx.Valid(b) {
		return jsonx.RawMessage("[]")
	}
	return b
}

// listLogs serves GET /api/v1/logs: newest first, keyset-paginated on id (cursor = the last id
// of the previous page, so the next page holds smaller ids), filtered by logFilter.
func (a *API) listLogs(ctx context.Context, c *app.RequestContext) {
	a.writeLogPage(ctx, c, viewLog)
}

// writeLogPage answers a log list request: the query's filters and page plus extra predicates
// (a key login's own key), each row shown with view.
func (a *API) writeLogPage(ctx context.Context, c *app.RequestContext, view func(*ent.RequestLog) logView,
	extra ...predicate.RequestLog) {
	pg, aerr := readPage(c)
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	preds, aerr := readLogFilter(c)
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	preds = append(preds, extra...)
	if pg.after > 0 {
		preds = append(preds, requestlog.IDLT(pg.after))
	}
	rows, err := a.cfg.Store.Reader.RequestLog.Query().
		Where(preds...).Order(ent.Desc(requestlog.FieldID)).Limit(pg.fetch()).All(ctx)
	if err != nil {
		a.fail(ctx, c, "request log", err)
		return
	}
	writeJSON(c, http.StatusOK, makeList(pg, rows, func(l *ent.RequestLog) int { return l.ID }, view))
}

// getLog serves GET /api/v1/logs/:id.
func (a *API) getLog(ctx context.Context, c *app.RequestContext) {
	id, aerr := pathID(c, "request log")
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	l, err := a.cfg.Store.Reader.RequestLog.Get(ctx, id)
	if err != nil {
		a.fail(ctx, c, "request log", err)
		return
	}
	writeJSON(c, http.StatusOK, viewLog(l))
}
