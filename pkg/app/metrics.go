package app

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cchub/cchub/pkg/billing"
	"github.com/cchub/cchub/pkg/gateway/selector"
)

// registerWriterMetrics exposes the log writer's queue so a slow database shows up before
// records are dropped.
func registerWriterMetrics(reg prometheus.Registerer, w *billing.Writer) {
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "cchub_log_writer_queue_depth", Help: "Request records waiting to be written.",
		}, func() float64 { return float64(w.QueueDepth()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "cchub_log_writer_dropped_total", Help: "Request records dropped because the queue was full.",
		}, func() float64 { return float64(w.Dropped()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "cchub_log_writer_written_total", Help: "Request records written to the database.",
		}, func() float64 { return float64(w.Written()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "cchub_log_writer_failed_total", Help: "Request records given up after retries.",
		}, func() float64 { return float64(w.Failed()) }),
	)
}

// breakerCollector reports each provider's circuit state (0 closed, 1 open, 2 half-open) and
// consecutive failures at scrape time.
type breakerCollector struct {
	b        *selector.Breakers
	state    *prometheus.Desc
	failures *prometheus.Desc
}

func registerBreakerMetrics(reg prometheus.Registerer, b *selector.Breakers) {
	reg.MustRegister(&breakerCollector{
		b:        b,
		state:    prometheus.NewDesc("cchub_circuit_state", "Circuit state per provider: 0 closed, 1 open, 2 half-open.", []string{"provider_id"}, nil),
		failures: prometheus.NewDesc("cchub_circuit_failures", "Consecutive failures per provider.", []string{"provider_id"}, nil),
	})
}

func (c *breakerCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.state
	ch <- c.failures
}

func (c *breakerCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.b.Snapshot() {
		id := strconv.Itoa(s.ID)
		ch <- prometheus.MustNewConstMetric(c.state, prometheus.GaugeValue, stateValue(s.State), id)
		ch <- prometheus.MustNewConstMetric(c.failures, prometheus.GaugeValue, float64(s.Failures), id)
	}
}

func stateValue(s selector.State) float64 {
	switch s {
	case selector.StateOpen:
		return 1
	case selector.StateHalfOpen:
		return 2
	}
	return 0
}
