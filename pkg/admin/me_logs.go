package admin

import (
	"context"

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
	a.writeLogPage(ctx, c, viewOwnLog, requestlog.KeyID(keyID))
}

func viewOwnLog(l *ent.RequestLog) logView {
	v := viewLog(l)
	v.ProviderChain = jsonx.RawMessage("[]")
	return v
}
