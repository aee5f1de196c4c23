package quota_test

import (
	"testing"

	"github.com/cchub/cchub/pkg/quota"
	"github.com/cchub/cchub/pkg/quota/quotatest"
)

func TestLocalSuite(t *testing.T) {
	quotatest.Run(t, func(t *testing.T, o quotatest.Options) *quotatest.Env {
		build := func() quota.Limiter {
			return quota.NewLocal(quota.LocalOptions{Location: o.Location, Now: o.Clock.Now, Ledger: o.Ledger, SessionTTL: o.SessionTTL})
		}
		return &quotatest.Env{Limiter: build(), Flush: func() {}, Restart: build}
	})
}
