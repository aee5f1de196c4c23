package jsonx

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoDirectEncodingJSON keeps JSON in one place: project code (generated ent code aside) goes
// through this package, so sonic's configuration is chosen once.
func TestNoDirectEncodingJSON(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "../../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "github.com/cchub/cchub/ent") {
			continue
		}
		for _, imp := range f[1:] {
			if imp == "encoding/json" {
				t.Errorf("%s imports encoding/json; use pkg/jsonx", f[0])
			}
		}
	}
}
