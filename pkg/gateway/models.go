package gateway

import (
	"context"
	"sort"
	"strings"

	"github.com/cloudwego/hertz/pkg/app"

	"github.com/cchub/cchub/pkg/gateway/catalog"
	"github.com/cchub/cchub/pkg/gateway/selector"
	"github.com/cchub/cchub/pkg/jsonx"
)

// models lists the models the key may use: the user's allowlist when set, otherwise every
// model named by an allowlist or redirect of a provider in the key's group. Clients that send
// anthropic-version get Anthropic's shape, everyone else OpenAI's.
func (g *Gateway) models(ctx context.Context, c *app.RequestContext) {
	anthropic := len(c.Request.Header.Peek("anthropic-version")) > 0
	format := catalog.FormatChat
	if anthropic {
		format = catalog.FormatAnthropic
	}
	raw, e := clientKey(c)
	if e != nil {
		writeError(c, format, e, "")
		return
	}
	k, u := g.resolveKey(ctx, catalog.HashKey(raw))
	if e := checkKey(k, u, g.cfg.Now()); e != nil {
		writeError(c, format, e, "")
		return
	}
	names := map[string]bool{}
	if len(u.AllowedModels) > 0 {
		for _, m := range u.AllowedModels {
			names[m] = true
		}
	} else {
		group := selector.EffectiveGroup(k, u)
		for _, p := range g.snap.Load().Providers() {
			if !p.Enabled || !selector.GroupsIntersect(group, p.GroupTags) {
				continue
			}
			for _, m := range p.AllowedModels {
				names[m] = true
			}
			for from := range p.ModelRedirects {
				names[strings.ToLower(from)] = true
			}
		}
	}
	list := make([]string, 0, len(names))
	for m := range names {
		list = append(list, m)
	}
	sort.Strings(list)
	type anthropicModel struct {
		Type        string `json:"type"`
		ID          string `json:"id"`
		DisplayName string `json:"display_name"`
		CreatedAt   string `json:"created_at"`
	}
	type openaiModel struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Created int64  `json:"created"`
		OwnedBy string `json:"owned_by"`
	}
	var body []byte
	if anthropic {
		data := make([]anthropicModel, len(list))
		for i, m := range list {
			data[i] = anthropicModel{Type: "model", ID: m, DisplayName: m, CreatedAt: "2025-01-01T00:00:00Z"}
		}
		first, last := "", ""
		if len(list) > 0 {
			first, last = list[0], list[len(list)-1]
		}
		body, _ = jsonx.Marshal(map[string]any{"data": data, "has_more": false, "first_id": first, "last_id": last})
	} else {
		data := make([]openaiModel, len(list))
		for i, m := range list {
			data[i] = openaiModel{ID: m, Object: "model", OwnedBy: "cchub"}
		}
		body, _ = jsonx.Marshal(map[string]any{"object": "list", "data": data})
	}
	c.Data(200, "application/json", body)
}
