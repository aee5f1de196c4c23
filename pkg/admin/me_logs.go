package admin

import (
	"context"
	"net/http"

	"github.com/cloudwego/hertz/pkg/app"

	"github.com/cchub/cchub/ent"
	"github.com/cchub/cchub/ent/requestlog"
	"github.com/cchub/cchub/pkg/jsonx"
)

// meLogs serves GET /api/v1/me/logs: the key's own request logs, with the filters and paging
// of GET /api/v1/logs and the same item shape. The decision chain is shown empty: it names
// the hub's upstream providers, their priorities and their errors, which are the admin's.
func (a *API) meLogs(ctx context.Context, c *app.RequestContext) {
	keyID, aerr := meKeyID(c)
	if aerr != nil {
		writeError(c, aerr)
		return
	}
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
	preds = append(preds, requestlog.KeyID(keyID))
	if pg.after > 0 {
		preds = append(preds, requestlog.IDLT(pg.after))
	}
	rows, err := a.cfg.Store.Reader.RequestLog.Query().
		Where(preds...).Order(ent.Desc(requestlog.FieldID)).Limit(pg.fetch()).All(ctx)
	if err != nil {
		a.fail(ctx, c, "request log", err)
		return
	}
	writeJSON(c, http.StatusOK, makeList(pg, rows, func(l *ent.RequestLog) int { return l.ID }, viewOwnLog))
}

func viewOwnLog(l *ent.RequestLog) logView {
	v := viewLog(l)
	v.ProviderChain = jsonx.RawMessage("[]")
	return v
}
