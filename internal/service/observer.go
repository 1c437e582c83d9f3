package service

import "time"

// Observer is told what the background work did, for monitoring
// (obs.Metrics implements it). Set Service.Metrics to receive the calls;
// nil observes nothing. Methods must be cheap and safe for concurrent use.
type Observer interface {
	// RunFinished: a call of StartRun that did work (created the run of
	// its date or carried on with an unfinished one) ended after d, with
	// err nil when the run is done.
	RunFinished(d time.Duration, err error)
	// EmailsDelivered and WebhooksDelivered: one pass of the sender (also
	// the part counted before a pass stopped with an error).
	EmailsDelivered(rep DeliveryReport)
	WebhooksDelivered(rep WebhookReport)
	// AutopayCharged: one autopay charge pass (with online payments).
	AutopayCharged(rep AutopayReport)
}

type noObserver struct{}

func (noObserver) RunFinished(time.Duration, error) {}
func (noObserver) EmailsDelivered(DeliveryReport)   {}
func (noObserver) WebhooksDelivered(WebhookReport)  {}
func (noObserver) AutopayCharged(AutopayReport)     {}

func (s *Service) observer() Observer {
	if s.Metrics == nil {
		return noObserver{}
	}
	return s.Metrics
}
