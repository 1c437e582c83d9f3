package store

import (
	"context"
	"time"
)

// QueueDepths is how much work waits in each of settle's queues at one
// instant (the /metrics gauges, obs.QueueCollector).
type QueueDepths struct {
	// Emails of the outbox (channel email, status queued):
	EmailsDue      int64 // unclaimed, scheduled by now, no retry pending (or its time has come), not held or awaiting approval
	EmailsRetrying int64 // unclaimed, waiting for the next attempt after a temporary failure
	EmailsClaimed  int64 // claimed by a sender (being sent, or a dead sender's claim going stale)
	// WebhooksPending are webhook deliveries not yet delivered or failed.
	WebhooksPending int64
	// TasksOpen are tasks not done (open or claimed).
	TasksOpen int64
	// BankLinesReview are bank-statement lines waiting for an agent.
	BankLinesReview int64
	// StagedImports are uploads previewed but neither imported nor expired.
	StagedImports int64
}

// QueueTx reads queue depths. Embedded in Tx.
type QueueTx interface {
	// QueueDepths counts each queue as of now (one statement; every count
	// uses an index or a small table).
	QueueDepths(ctx context.Context, now time.Time) (QueueDepths, error)
}
