package obs

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"settle/internal/store"
)

// QueueCollector reports the queue depths (store.QueueDepths) and whether
// the store answers, read at scrape time with one query under a short
// timeout. When the store fails, settle_store_up is 0 and the depths are
// left out: the scrape itself succeeds.
type QueueCollector struct {
	st      store.Store
	timeout time.Duration
	log     *slog.Logger
	depth   *prometheus.Desc
	up      *prometheus.Desc
}

// QueueTimeout is how long a scrape waits for the depths.
const QueueTimeout = 2 * time.Second

// NewQueueCollector reads st's queues within timeout (0: QueueTimeout);
// failures are logged at Warn on log (nil: not logged).
func NewQueueCollector(st store.Store, timeout time.Duration, log *slog.Logger) *QueueCollector {
	if timeout <= 0 {
		timeout = QueueTimeout
	}
	return &QueueCollector{st: st, timeout: timeout, log: log,
		depth: prometheus.NewDesc("settle_queue_depth", "Work waiting in each queue at scrape time.", []string{"queue"}, nil),
		up:    prometheus.NewDesc("settle_store_up", "1 when the store answered the queue-depth query at scrape time, else 0.", nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *QueueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.depth
	ch <- c.up
}

// Collect implements prometheus.Collector.
func (c *QueueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	var q store.QueueDepths
	err := c.st.ReadTx(ctx, func(tx store.Tx) error {
		var err error
		q, err = tx.QueueDepths(ctx, tx.Now())
		return err
	})
	if err != nil {
		if c.log != nil {
			c.log.Warn("metrics: queue depths not read", "err", err)
		}
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1)
	for _, d := range []struct {
		queue string
		n     int64
	}{
		{"emails_due", q.EmailsDue}, {"emails_retrying", q.EmailsRetrying}, {"emails_claimed", q.EmailsClaimed},
		{"webhooks_pending", q.WebhooksPending}, {"tasks_open", q.TasksOpen}, {"bank_lines_review", q.BankLinesReview},
		{"staged_imports", q.StagedImports},
	} {
		ch <- prometheus.MustNewConstMetric(c.depth, prometheus.GaugeValue, float64(d.n), d.queue)
	}
}
