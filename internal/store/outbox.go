package store

import (
	"context"
	"time"

	"settle/internal/civil"
)

// CustomerPause is a staff pause of chasing for one customer: no courtesy
// or escalation step is taken before Until (chasing resumes on it).
type CustomerPause struct {
	CustomerID string
	Until      civil.Date
	Reason     string
	PausedBy   string // the actor who set it
	PausedAt   time.Time
}

// OutboxTx is staff control of the outbox. Embedded in Tx.
type OutboxTx interface {
	// UpdateQueuedMessage stores a queued, unclaimed message's Status,
	// StatusReason, Subject, Body, ScheduledFor, SentAt, NextAttemptAt, HeldAt, HeldBy,
	// AwaitingApproval and Edited; false (nothing written) when it is no
	// longer queued or a sender has claimed it.
	UpdateQueuedMessage(ctx context.Context, m *Message) (bool, error)
	// PutCustomerPause sets (or replaces) a customer's pause and wakes the
	// customer for the next run.
	PutCustomerPause(ctx context.Context, p *CustomerPause) error
	// DeleteCustomerPause lifts a customer's pause (false: there was none)
	// and wakes the customer for the next run.
	DeleteCustomerPause(ctx context.Context, customerID string) (bool, error)
	// CustomerPausesFor loads the pauses of several customers (the run's
	// batches); customers without one are absent.
	CustomerPausesFor(ctx context.Context, customerIDs []string) (map[string]CustomerPause, error)
}
