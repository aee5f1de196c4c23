package usage

import (
	"github.com/bytedance/sonic/ast"

	"github.com/cchub/cchub/pkg/billing"
	"github.com/cchub/cchub/pkg/gateway/catalog"
)

// FromJSON extracts the usage of a non-streamed response body: Anthropic's and Chat's
// top-level usage, Responses' usage (also when the body is a {"response": …} envelope), and
// Gemini's usageMetadata (also inside a Code Assist {"response": …} envelope, and from a JSON
// array of chunks, as streamGenerateContent returns without alt=sse, where the last one wins).
// ok is false when the body has no usage object.
func FromJSON(format catalog.Format, body []byte) (u billing.Usage, ok bool) {
	var f finder
	src := text(body)
	var raw string
	switch format {
	case catalog.FormatAnthropic:
		if raw, ok = f.object(src, pathUsage); ok {
			c := scanCounts(raw)
			mergeAnthropic(&u, &c)
		}
	case catalog.FormatResponses, catalog.FormatChat:
		if raw, ok = f.object(src, pathUsage); !ok && format == catalog.FormatResponses {
			raw, ok = f.object(src, pathResponseUsage)
		}
		if ok {
			c := scanCounts(raw)
			u = openAIUsage(&c)
		}
	case catalog.FormatGemini:
		if i := skipWS(text(body), 0); i < len(body) && body[i] == '[' {
			u, ok = geminiArray(&f, src)
		} else {
			u, ok = f.gemini(src)
		}
	}
	return normalize(u), ok
}

// geminiArray reads the last usageMetadata from a JSON array of Gemini responses. It walks the
// array once with sonic's iterator; this is the non-streaming path, so its few allocations do
// not matter.
func geminiArray(f *finder, src string) (u billing.Usage, ok bool) {
	if !f.find(src, nil) {
		return u, false
	}
	root := f.node
	f.clear()
	it, err := root.Values()
	if err != nil {
		return u, false
	}
	var elem ast.Node
	for it.Next(&elem) {
		raw, err := elem.Raw()
		if err != nil || elem.TypeSafe() != ast.V_OBJECT {
			continue
		}
		if eu, eok := f.gemini(raw); eok {
			u, ok = eu, true
		}
	}
	return u, ok
}
