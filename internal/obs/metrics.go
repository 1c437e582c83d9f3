package obs

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"settle/internal/service"
)

// Metrics is the process's registry and settle's own series. It is a
// service.Observer (set Service.Metrics to it).
type Metrics struct {
	reg *prometheus.Registry

	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec

	runDuration    prometheus.Histogram
	runLastSuccess prometheus.Gauge
	runsFailed     prometheus.Counter
	deliveries     *prometheus.CounterVec
	autopay        *prometheus.CounterVec
}

// RunBuckets are the run-duration histogram's buckets, in seconds.
var RunBuckets = []float64{0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600}

// Delivery outcomes per kind (every pair is exported from the start, at 0).
var deliveryOutcomes = map[string][]string{
	"email":   {"sent", "retried", "bounced", "failed", "superseded"},
	"webhook": {"sent", "retried", "failed", "superseded"},
}

var autopayOutcomes = []string{"succeeded", "pending", "failed", "error"}

// NewMetrics is a registry with settle's series and the Go runtime and
// process collectors. Add the queue collector with Register.
func NewMetrics() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "settle_http_requests_total",
		Help: "HTTP requests served, by method, route pattern and status code."}, []string{"method", "route", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "settle_http_request_seconds",
		Help: "HTTP request latency, by method and route pattern.", Buckets: prometheus.DefBuckets}, []string{"method", "route"})
	m.runDuration = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "settle_run_duration_seconds",
		Help:    "Duration of daily collections runs that did work (scheduled, POST /v1/runs, or settle run in this process), failed ones included.",
		Buckets: RunBuckets})
	m.runLastSuccess = prometheus.NewGauge(prometheus.GaugeOpts{Name: "settle_run_last_success_timestamp_seconds",
		Help: "Unix time at which a daily run last finished successfully in this process (0: never since start)."})
	m.runsFailed = prometheus.NewCounter(prometheus.CounterOpts{Name: "settle_runs_failed_total",
		Help: "Daily runs that ended with an error."})
	m.deliveries = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "settle_deliveries_total",
		Help: "Email and webhook delivery attempts by outcome."}, []string{"kind", "outcome"})
	m.autopay = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "settle_autopay_charges_total",
		Help: "Autopay charge attempts by outcome (error: the provider call failed, outcome unknown, retried next run)."}, []string{"outcome"})
	for kind, outs := range deliveryOutcomes {
		for _, o := range outs {
			m.deliveries.WithLabelValues(kind, o)
		}
	}
	for _, o := range autopayOutcomes {
		m.autopay.WithLabelValues(o)
	}
	m.reg.MustRegister(m.requests, m.latency, m.runDuration, m.runLastSuccess, m.runsFailed, m.deliveries, m.autopay,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Register adds collectors (e.g. NewQueueCollector) to the registry.
func (m *Metrics) Register(cs ...prometheus.Collector) { m.reg.MustRegister(cs...) }

// Registry is the registry (for tests and tools).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus text format. With a token
// it answers only requests with "Authorization: Bearer <token>" (compared
// in constant time), others get 401.
func (m *Metrics) Handler(token string) http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	if token == "" {
		return h
	}
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		sum := sha256.Sum256([]byte(got))
		if !ok || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="settle-metrics"`)
			http.Error(w, "401 Unauthorized: /metrics needs Authorization: Bearer <SETTLE_METRICS_TOKEN>", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// ObserveRequest counts one request.
func (m *Metrics) ObserveRequest(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(method, route, statusLabel(status)).Inc()
	m.latency.WithLabelValues(method, route).Observe(d.Seconds())
}

// RunFinished implements service.Observer.
func (m *Metrics) RunFinished(d time.Duration, err error) {
	m.runDuration.Observe(d.Seconds())
	if err != nil {
		m.runsFailed.Inc()
		return
	}
	m.runLastSuccess.SetToCurrentTime()
}

// EmailsDelivered implements service.Observer.
func (m *Metrics) EmailsDelivered(rep service.DeliveryReport) {
	m.add("email", "sent", rep.Sent)
	m.add("email", "retried", rep.Retried)
	m.add("email", "bounced", rep.Bounced)
	m.add("email", "failed", rep.Failed)
	m.add("email", "superseded", rep.Superseded)
}

// WebhooksDelivered implements service.Observer.
func (m *Metrics) WebhooksDelivered(rep service.WebhookReport) {
	m.add("webhook", "sent", rep.Delivered)
	m.add("webhook", "retried", rep.Retried)
	m.add("webhook", "failed", rep.Failed)
	m.add("webhook", "superseded", rep.Superseded)
}

// AutopayCharged implements service.Observer.
func (m *Metrics) AutopayCharged(rep service.AutopayReport) {
	for o, n := range map[string]int{"succeeded": rep.Succeeded, "pending": rep.Pending, "failed": rep.Failed, "error": len(rep.Errors)} {
		if n > 0 {
			m.autopay.WithLabelValues(o).Add(float64(n))
		}
	}
}

func (m *Metrics) add(kind, outcome string, n int) {
	if n > 0 {
		m.deliveries.WithLabelValues(kind, outcome).Add(float64(n))
	}
}

var _ service.Observer = (*Metrics)(nil)
