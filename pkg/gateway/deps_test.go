package gateway

import (
	"os/exec"
	"strings"
	"testing"
)

// TestHotPathDependencies keeps the database, Redis and the admin API out of the relay path:
// the gateway works only on in-memory state handed to it through small interfaces.
func TestHotPathDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	forbidden := []string{
		"entgo.io/ent",
		"github.com/cchub/cchub/ent",
		"github.com/cchub/cchub/pkg/store",
		"github.com/cchub/cchub/pkg/admin",
		"github.com/redis/go-redis",
		"database/sql",
		"github.com/jackc/pgx",
		"modernc.org/sqlite",
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if dep == f || strings.HasPrefix(dep, f+"/") {
				t.Errorf("pkg/gateway depends on %s", dep)
			}
		}
	}
}
