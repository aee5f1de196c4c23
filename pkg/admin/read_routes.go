package admin

import (
	"github.com/cloudwego/hertz/pkg/route"
)

// registerReadSide mounts the read side of the API (statistics, leaderboard, sessions, prices,
// settings, the self-service /me routes) on v1 and the OpenAPI document on r.
func (a *API) registerReadSide(r *route.Engine, v1 *route.RouterGroup) {
	v1.GET("/stats/overview", a.statsOverview)
	v1.GET("/stats/timeseries", a.statsTimeseries)
	v1.GET("/leaderboard", a.leaderboard)
	v1.GET("/sessions", a.activeSessions)

	v1.GET("/prices", a.listPrices)
	v1.POST("/prices", a.setPrice)
	v1.POST("/prices/sync", a.syncPrices)

	v1.GET("/settings", a.getSettings)
	v1.PATCH("/settings", a.patchSettings)

	v1.GET("/me/usage", a.meUsage)
	v1.GET("/me/logs", a.meLogs)
	v1.GET("/me/quotas", a.meQuotas)

	// The API's description is public, like the login page: it holds no data.
	r.GET("/api/openapi.json", a.openAPI)
}
