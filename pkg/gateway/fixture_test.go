package gateway

import "github.com/cchub/cchub/pkg/jsonx"

// capturedRequest is one request recorded from a real client (testdata/clients/*.json).
type capturedRequest struct {
	Method  string              `json:"method"`
	Path    string              `json:"path"`
	Query   string              `json:"query"`
	Headers map[string][]string `json:"headers"`
	Body    jsonx.RawMessage    `json:"body"`
}

// parseFixture reads a fixture file: a single captured request or a list of them.
func parseFixture(raw []byte) ([]capturedRequest, error) {
	var out []capturedRequest
	if i := skipSpace(raw, 0); i < len(raw) && raw[i] == '{' {
		var one capturedRequest
		err := jsonx.Unmarshal(raw, &one)
		return []capturedRequest{one}, err
	}
	err := jsonx.Unmarshal(raw, &out)
	return out, err
}
