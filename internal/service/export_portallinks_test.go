package service

import (
	"context"
	"time"

	"settle/internal/ledger"
	"settle/internal/notify"
	"settle/internal/store"
)

// PortalLinkForTest runs portalLinkTx in a transaction of its own, for the
// external tests (package service_test).
func (s *Service) PortalLinkForTest(ctx context.Context, customerID string, now time.Time) (string, error) {
	var link string
	err := s.store.Tx(ctx, func(tx store.Tx) (err error) {
		link, err = s.portalLinkTx(ctx, tx, customerID, now)
		return err
	})
	return link, err
}

// ReminderExtrasForTest runs reminderExtras in a transaction of its own.
func (s *Service) ReminderExtrasForTest(ctx context.Context, cust *ledger.Customer, now time.Time, d *notify.MessageData) error {
	return s.store.Tx(ctx, func(tx store.Tx) error { return s.reminderExtras(ctx, tx, cust, now, d) })
}
