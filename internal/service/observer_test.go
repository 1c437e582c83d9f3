package service_test

import (
	"sync"
	"time"

	"settle/internal/service"
)

// recorder is a service.Observer that keeps what it was told.
type recorder struct {
	mu         sync.Mutex
	runs       []error
	emails     service.DeliveryReport
	webhooks   service.WebhookReport
	autopay    service.AutopayReport
	autopayErr int
}

func (r *recorder) RunFinished(_ time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.runs = append(r.runs, err)
}

func (r *recorder) EmailsDelivered(rep service.DeliveryReport) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.emails.Claimed += rep.Claimed
	r.emails.Sent += rep.Sent
	r.emails.Retried += rep.Retried
	r.emails.Bounced += rep.Bounced
	r.emails.Failed += rep.Failed
	r.emails.Superseded += rep.Superseded
}

func (r *recorder) WebhooksDelivered(rep service.WebhookReport) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.webhooks.Claimed += rep.Claimed
	r.webhooks.Delivered += rep.Delivered
	r.webhooks.Retried += rep.Retried
	r.webhooks.Failed += rep.Failed
	r.webhooks.Superseded += rep.Superseded
}

func (r *recorder) AutopayCharged(rep service.AutopayReport) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.autopay.Charged += rep.Charged
	r.autopay.Succeeded += rep.Succeeded
	r.autopay.Pending += rep.Pending
	r.autopay.Failed += rep.Failed
	r.autopayErr += len(rep.Errors)
}
