package sqldb

import (
	"context"
	"time"

	"settle/internal/store"
)

// QueueDepths implements store.Tx: one round trip, a scalar subquery per
// queue (the emails' use the messages_claim index's channel and status).
// Held emails and those awaiting approval wait for staff, not for the
// sender: they are not counted due (a due count that never drains would
// look like a stuck sender).
func (t *Tx) QueueDepths(ctx context.Context, now time.Time) (store.QueueDepths, error) {
	var q store.QueueDepths
	now = now.UTC()
	err := t.queryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM messages WHERE channel = 'email' AND status = 'queued' AND claimed_by = ''
			AND scheduled_for <= ? AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
			AND held_at IS NULL AND NOT awaiting_approval),
		(SELECT COUNT(*) FROM messages WHERE channel = 'email' AND status = 'queued' AND claimed_by = ''
			AND next_attempt_at > ?),
		(SELECT COUNT(*) FROM messages WHERE channel = 'email' AND status = 'queued' AND claimed_by <> ''),
		(SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending'),
		(SELECT COUNT(*) FROM tasks WHERE status IN ('open', 'claimed')),
		(SELECT COUNT(*) FROM bank_lines WHERE status = 'review'),
		(SELECT COUNT(*) FROM import_staging WHERE result IS NULL AND expires_at > ?)`,
		now, now, now, now).Scan(&q.EmailsDue, &q.EmailsRetrying, &q.EmailsClaimed, &q.WebhooksPending,
		&q.TasksOpen, &q.BankLinesReview, &q.StagedImports)
	return q, err
}
