package admin

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strconv"

	"github.com/cloudwego/hertz/pkg/app"

	"github.com/cchub/cchub/ent"
	"github.com/cchub/cchub/ent/modelprice"
	"github.com/cchub/cchub/ent/predicate"
	"github.com/cchub/cchub/pkg/billing"
	"github.com/cchub/cchub/pkg/jsonx"
	"github.com/cchub/cchub/pkg/money"
)

// priceView is one model_prices row. PriceData is the LiteLLM entry as stored (USD per token);
// the *_usd_per_mtok fields are the prices the hub bills with, in USD per million tokens (null
// when the entry has no per-token price, so the model is billed 0 and logged price_missing).
type priceView struct {
	ID              int              `json:"id"`
	ModelName       string           `json:"model_name"`
	Source          string           `json:"source"`
	LitellmProvider string           `json:"litellm_provider"`
	InputPerMtok    *string          `json:"input_usd_per_mtok"`
	OutputPerMtok   *string          `json:"output_usd_per_mtok"`
	CacheWrite5m    *string          `json:"cache_write_5m_usd_per_mtok"`
	CacheWrite1h    *string          `json:"cache_write_1h_usd_per_mtok"`
	CacheRead       *string          `json:"cache_read_usd_per_mtok"`
	PriceData       jsonx.RawMessage `json:"price_data"`
	UpdatedAt       string           `json:"updated_at"`
}

func viewPrice(p *ent.ModelPrice) priceView {
	v := priceView{ID: p.ID, ModelName: p.ModelName, Source: string(p.Source),
		LitellmProvider: p.LitellmProvider, PriceData: jsonx.RawMessage("{}"), UpdatedAt: timeOut(p.UpdatedAt)}
	if b := bytes.TrimSpace([]byte(p.PriceData)); len(b) > 0 && b[0] == '{' && jsonx.Valid(b) {
		v.PriceData = b
	}
	if e, err := billing.ParseEntry(p.ModelName, []byte(p.PriceData)); err == nil {
		f := func(n int64) *string { s := money.Format(n); return &s }
		r := e.Price.Rates
		v.InputPerMtok, v.OutputPerMtok = f(r.Input), f(r.Output)
		v.CacheWrite5m, v.CacheWrite1h, v.CacheRead = f(r.CacheWrite5m), f(r.CacheWrite1h), f(r.CacheRead)
	}
	return v
}

// listPrices serves GET /api/v1/prices: q (case-insensitive substring of the model name),
// source (litellm|manual), keyset-paged by id.
func (a *API) listPrices(ctx context.Context, c *app.RequestContext) {
	pg, aerr := readPage(c)
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	source, aerr := queryEnum(c, "source", "", "litellm", "manual")
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	var preds []predicate.ModelPrice
	if q := c.Query("q"); q != "" {
		if len(q) > 256 {
			writeError(c, badField("q", "must be at most 256 bytes"))
			return
		}
		preds = append(preds, modelprice.ModelNameContainsFold(q))
	}
	if source != "" {
		preds = append(preds, modelprice.SourceEQ(modelprice.Source(source)))
	}
	if pg.after > 0 {
		preds = append(preds, modelprice.IDGT(pg.after))
	}
	rows, err := a.cfg.Store.Reader.ModelPrice.Query().Where(preds...).
		Order(ent.Asc(modelprice.FieldID)).Limit(pg.fetch()).All(ctx)
	if err != nil {
		a.fail(ctx, c, "price", err)
		return
	}
	writeJSON(c, http.StatusOK, makeList(pg, rows, func(p *ent.ModelPrice) int { return p.ID }, viewPrice))
}

// Manual prices are entered with LiteLLM's field names: the five token prices, their
// long-context (_above_<N>k_tokens) and priority (_priority) variants, a per-request fee, and
// a few descriptive fields.
var (
	priceFieldRE = regexp.MustCompile(`^(input_cost_per_token|output_cost_per_token|cache_creation_input_token_cost|cache_creation_input_token_cost_above_1hr|cache_read_input_token_cost)(_above_[1-9][0-9]{0,3}k_tokens)?(_priority)?$`)
	priceExtra   = []string{"input_cost_per_request", "litellm_provider", "mode", "max_tokens", "max_input_tokens", "max_output_tokens"}
)

func isPriceField(name string) bool {
	return name == "model_name" || priceFieldRE.MatchString(name) || slices.Contains(priceExtra, name)
}

// setPrice serves POST /api/v1/prices: a manual price for model_name, given in LiteLLM's
// field names (USD per token). It replaces the model's row, synced or manual; syncs never
// overwrite it. 201 when the model had no price, 200 when one was replaced.
func (a *API) setPrice(ctx context.Context, c *app.RequestContext) {
	e, aerr := readManualPrice(c)
	if aerr != nil {
		writeError(c, aerr)
		return
	}
	row, created, err := a.cfg.Store.SetManualPrice(ctx, e, a.now())
	if err != nil {
		a.fail(ctx, c, "price", err)
		return
	}
	a.changed("prices")
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(c, status, viewPrice(row))
}

// readManualPrice validates the body and builds the entry as LiteLLM would write it: numbers
// kept as their literal text, keys sorted.
func readManualPrice(c *app.RequestContext) (billing.Entry, *apiError) {
	body := bytes.TrimSpace(c.Request.Body())
	if len(body) == 0 || !jsonx.Valid(body) {
		return billing.Entry{}, badRequest("malformed JSON body")
	}
	var raw map[string]jsonx.RawMessage
	if body[0] != '{' || jsonx.Unmarshal(body, &raw) != nil {
		return billing.Entry{}, badRequest("body must be a JSON object")
	}
	names := make([]string, 0, len(raw))
	for name := range raw {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !isPriceField(name) {
			return billing.Entry{}, badField(name, "unknown field; use LiteLLM's field names such as input_cost_per_token")
		}
	}
	in := &input{raw: raw}
	model := in.str("model_name", nonEmpty(256))
	in.require("model_name", model.Set)
	if in.err != nil {
		return billing.Entry{}, in.err
	}
	var out bytes.Buffer
	out.WriteByte('{')
	for _, name := range names {
		if name == "model_name" {
			continue
		}
		v, aerr := priceMember(name, bytes.TrimSpace(raw[name]))
		if aerr != nil {
			return billing.Entry{}, aerr
		}
		if out.Len() > 1 {
			out.WriteByte(',')
		}
		k, _ := jsonx.Marshal(name)
		out.Write(k)
		out.WriteByte(':')
		out.Write(v)
	}
	out.WriteByte('}')
	e, err := billing.ParseEntry(model.V, out.Bytes())
	if errors.Is(err, billing.ErrNoTokenPrice) {
		return billing.Entry{}, badField("input_cost_per_token", "input_cost_per_token or output_cost_per_token is required")
	}
	if err != nil {
		return billing.Entry{}, badRequest(err.Error())
	}
	return e, nil
}

// priceMember validates one member and returns its JSON value to store.
func priceMember(name string, raw []byte) ([]byte, *apiError) {
	switch name {
	case "litellm_provider", "mode":
		var s string
		if len(raw) == 0 || raw[0] != '"' || jsonx.Unmarshal(raw, &s) != nil || len(s) > 128 {
			return nil, badField(name, "must be a string of at most 128 bytes")
		}
		return raw, nil
	case "max_tokens", "max_input_tokens", "max_output_tokens":
		n, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil || n < 0 {
			return nil, badField(name, "must be a non-negative integer")
		}
		return raw, nil
	}
	// A price: a non-negative JSON number, or a string holding one (kept as the number).
	lit := raw
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if jsonx.Unmarshal(raw, &s) != nil {
			return nil, badField(name, "must be a non-negative number (USD per token)")
		}
		lit = []byte(s)
	}
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil || f < 0 || f > 1000 || len(lit) == 0 || lit[0] == '+' || lit[0] == '.' || !jsonx.Valid(lit) {
		return nil, badField(name, "must be a non-negative number (USD per token)")
	}
	return lit, nil
}
