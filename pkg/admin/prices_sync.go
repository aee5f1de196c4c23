package admin

import (
	"context"
	"net/http"

	"github.com/cloudwego/hertz/pkg/app"

	"github.com/cchub/cchub/pkg/pricesync"
)

type priceSyncView struct {
	pricesync.Summary
	SyncedAt string `json:"synced_at"`
}

// syncPrices serves POST /api/v1/prices/sync {"url"?}: download a LiteLLM-format table (the
// settings' price_sync_url, else LiteLLM's own) and apply it; manual prices are kept. One sync
// runs at a time (409 otherwise); a failed download or an unusable file is a 502 and changes
// nothing.
func (a *API) syncPrices(ctx context.Context, c *app.RequestContext) {
	url := ""
	if len(c.Request.Body()) > 0 {
		in, aerr := readInput(c, []string{"url"})
		if aerr != nil {
			writeError(c, aerr)
			return
		}
		u := in.str("url", syncURL)
		if in.err != nil {
			writeError(c, in.err)
			return
		}
		url = u.V
	}
	if url == "" {
		row, err := a.cfg.Store.Settings(ctx)
		if err != nil {
			a.fail(ctx, c, "settings", err)
			return
		}
		url = effectivePriceURL(row.PriceSyncURL)
	}
	if !a.priceSync.TryLock() {
		writeError(c, &apiError{Status: http.StatusConflict, Message: "a price sync is already running"})
		return
	}
	defer a.priceSync.Unlock()
	sum, err := pricesync.FromURL(ctx, a.cfg.Store, a.cfg.PriceClient, url, nil)
	if err != nil {
		a.log.WarnContext(ctx, "price sync failed", "url", url, "err", err)
		writeError(c, &apiError{Status: http.StatusBadGateway, Message: "price sync failed: " + err.Error()})
		return
	}
	now := a.now()
	if err := a.cfg.Store.SetPriceSyncedAt(ctx, now); err != nil {
		a.log.WarnContext(ctx, "recording the price sync time failed", "err", err)
	}
	if sum.Added+sum.Updated > 0 {
		a.changed("prices")
	}
	writeJSON(c, http.StatusOK, priceSyncView{Summary: sum, SyncedAt: timeOut(now)})
}

// effectivePriceURL is the configured sync URL, or LiteLLM's table.
func effectivePriceURL(configured string) string {
	if configured != "" {
		return configured
	}
	return pricesync.DefaultURL
}
