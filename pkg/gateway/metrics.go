package gateway

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the gateway's Prometheus collectors.
type Metrics struct {
	Requests    *prometheus.CounterVec   // route, provider, status
	Duration    *prometheus.HistogramVec // route
	TTFB        *prometheus.HistogramVec // route
	OpenStreams prometheus.Gauge
	Attempts    *prometheus.CounterVec // provider, outcome
}

// NewMetrics creates the collectors and registers them with reg (nil: not registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	buckets := []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300}
	m := &Metrics{
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cchub_requests_total", Help: "Relayed client requests by route, final provider and status.",
		}, []string{"route", "provider", "status"}),
		Duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "cchub_request_duration_seconds", Help: "Client request duration.", Buckets: buckets,
		}, []string{"route"}),
		TTFB: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "cchub_ttfb_seconds", Help: "Time to the first response byte sent to the client.", Buckets: buckets,
		}, []string{"route"}),
		OpenStreams: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "cchub_open_streams", Help: "Streaming responses currently being relayed.",
		}),
		Attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cchub_upstream_attempts_total", Help: "Upstream attempts by provider and outcome.",
		}, []string{"provider", "outcome"}),
	}
	if reg != nil {
		reg.MustRegister(m.Requests, m.Duration, m.TTFB, m.OpenStreams, m.Attempts)
	}
	return m
}

// statusLabel avoids an allocation for the common codes.
func statusLabel(code int) string {
	switch code {
	case 200:
		return "200"
	case 400:
		return "400"
	case 401:
		return "401"
	case 402:
		return "402"
	case 429:
		return "429"
	case 500:
		return "500"
	case 502:
		return "502"
	case 503:
		return "503"
	}
	return strconv.Itoa(code)
}
