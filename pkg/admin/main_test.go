package admin

import (
	"os"
	"testing"

	"github.com/cloudwego/hertz/pkg/common/hlog"
)

func TestMain(m *testing.M) {
	// hertz logs every route registration at debug level; keep test output readable.
	hlog.SetLevel(hlog.LevelWarn)
	os.Exit(m.Run())
}
