package admin

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"

	"github.com/cloudwego/hertz/pkg/app"

	"github.com/cchub/cchub/ent"
	"github.com/cchub/cchub/ent/predicate"
	"github.com/cchub/cchub/ent/requestlog"
	"github.com/cchub/cchub/pkg/money"
)

// exportBatch is how many rows one query of the CSV export reads; the export streams batch by
// batch, so memory stays flat however many rows match.
const exportBatch = 1000

var exportHeader = []string{
	"id", "created_at", "request_id", "user_id", "key_id", "provider_id", "model", "original_model",
	"endpoint", "is_stream", "status_code", "input_tokens", "output_tokens",
	"cache_creation_input_tokens", "cache_creation_5m_input_tokens", "cache_creation_1h_input_tokens",
	"cache_read_input_tokens", "cost_usd", "price_missing", "duration_ms", "ttfb_ms", "session_id",
	"blocked_by", "error_message", "user_agent",
}

// exportLogs serves GET /api/v1/logs/export?format=csv with the same filters as the list,
// newest first, streamed as it is read.
func (a *API) exportLogs(ctx context.Context, c *app.RequestContext) {
	if f := string(c.Query("format")); f != "" && f != "csv" {
		writeError(c, badField("format", "must be csv"))
		return
	}
	preds, aerr := readLogFilter(c)
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	pr, pw := io.Pipe()
	go func() {
		// hertz closes the reader when the client leaves, which fails the next write here.
		pw.CloseWithError(a.writeLogsCSV(ctx, pw, preds))
	}()
	c.Response.Header.Set("Content-Type", "text/csv; charset=utf-8")
	c.Response.Header.Set("Content-Disposition", `attachment; filename="cchub-logs.csv"`)
	c.Response.Header.Set("Cache-Control", "no-store")
	c.Response.SetBodyStream(pr, -1)
}

func (a *API) writeLogsCSV(ctx context.Context, w io.Writer, preds []predicate.RequestLog) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(exportHeader); err != nil {
		return err
	}
	after := 0
	for {
		q := a.cfg.Store.Reader.RequestLog.Query().Where(preds...)
		if after > 0 {
			q = q.Where(requestlog.IDLT(after))
		}
		rows, err := q.Order(ent.Desc(requestlog.FieldID)).Limit(exportBatch).All(ctx)
		if err != nil {
			return err
		}
		for _, l := range rows {
			if err := cw.Write(csvRecord(l)); err != nil {
				return err
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		if len(rows) < exportBatch {
			return nil
		}
		after = rows[len(rows)-1].ID
	}
}

func csvRecord(l *ent.RequestLog) []string {
	ttfb := ""
	if l.TtfbMs != nil {
		ttfb = strconv.FormatInt(*l.TtfbMs, 10)
	}
	i := strconv.Itoa
	i64 := func(v int64) string { return strconv.FormatInt(v, 10) }
	return []string{
		i(l.ID), timeOut(l.CreatedAt), safeCell(l.RequestID), i(l.UserID), i(l.KeyID), i(l.ProviderID),
		safeCell(l.Model), safeCell(l.OriginalModel), safeCell(l.Endpoint), strconv.FormatBool(l.IsStream),
		i(l.StatusCode), i64(l.InputTokens), i64(l.OutputTokens), i64(l.CacheCreationInputTokens),
		i64(l.CacheCreation5mInputTokens), i64(l.CacheCreation1hInputTokens), i64(l.CacheReadInputTokens),
		money.Format(l.CostNano), strconv.FormatBool(l.PriceMissing), i64(l.DurationMs), ttfb,
		safeCell(l.SessionID), safeCell(l.BlockedBy), safeCell(l.ErrorMessage), safeCell(l.UserAgent),
	}
}

// safeCell defuses spreadsheet formula injection: a text cell that starts with = + - @ or a
// tab/carriage return would be evaluated by Excel or Sheets, so it gets a leading apostrophe.
func safeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
