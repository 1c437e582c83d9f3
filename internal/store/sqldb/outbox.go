package sqldb

import (
	"context"

	"settle/internal/store"
)

// ---- staff control of the outbox, customer pauses -------------------------------------

// UpdateQueuedMessage implements store.Tx. The WHERE clause is the guard:
// a message a sender has claimed (or that left, or was withdrawn) is not
// changed under it.
func (t *Tx) UpdateQueuedMessage(ctx context.Context, m *store.Message) (bool, error) {
	n, err := t.execCount(ctx, `UPDATE messages SET status = ?, status_reason = ?, subject = ?, body = ?, scheduled_for = ?, sent_at = ?, next_attempt_at = ?,
		held_at = ?, held_by = ?, awaiting_approval = ?, edited = ?
		WHERE id = ? AND status = 'queued' AND claimed_by = ''`,
		m.Status, m.StatusReason, m.Subject, m.Body, m.ScheduledFor.UTC(), nullTime(m.SentAt), nullTime(m.NextAttemptAt),
		nullTime(m.HeldAt), m.HeldBy, m.AwaitingApproval, m.Edited, m.ID)
	return n > 0, err
}

// wakeCustomer makes a customer due at the next run (a pause changed),
// as the stores' triggers do for the ledger's tables.
func (t *Tx) wakeCustomer(ctx context.Context, customerID string) error {
	_, err := t.Exec(ctx, `UPDATE customers SET wake_version = wake_version + 1, wake_on = '0001-01-01' WHERE id = ?`, customerID)
	return err
}

// PutCustomerPause implements store.Tx.
func (t *Tx) PutCustomerPause(ctx context.Context, p *store.CustomerPause) error {
	if p.PausedAt.IsZero() {
		p.PausedAt = t.now
	}
	_, err := t.Exec(ctx, `INSERT INTO customer_pauses (customer_id, paused_until, reason, paused_by, paused_at) VALUES (?,?,?,?,?)
		ON CONFLICT (customer_id) DO UPDATE SET paused_until = excluded.paused_until, reason = excluded.reason, paused_by = excluded.paused_by, paused_at = excluded.paused_at`,
		p.CustomerID, p.Until, p.Reason, p.PausedBy, p.PausedAt.UTC())
	if err != nil {
		return err
	}
	return t.wakeCustomer(ctx, p.CustomerID)
}

// DeleteCustomerPause implements store.Tx.
func (t *Tx) DeleteCustomerPause(ctx context.Context, customerID string) (bool, error) {
	n, err := t.execCount(ctx, `DELETE FROM customer_pauses WHERE customer_id = ?`, customerID)
	if err != nil || n == 0 {
		return false, err
	}
	return true, t.wakeCustomer(ctx, customerID)
}

// CustomerPausesFor implements store.Tx.
func (t *Tx) CustomerPausesFor(ctx context.Context, customerIDs []string) (map[string]store.CustomerPause, error) {
	cols := t.textDates([]string{"customer_id", "paused_until", "reason", "paused_by", "paused_at"}, "paused_until")
	rows, err := byCustomers(ctx, t, `SELECT `+cols+` FROM customer_pauses WHERE customer_id IN (`, "customer_id", customerIDs,
		func(sc scanner) (store.CustomerPause, error) {
			var p store.CustomerPause
			err := sc.Scan(&p.CustomerID, &p.Until, &p.Reason, &p.PausedBy, &p.PausedAt)
			p.PausedAt = p.PausedAt.UTC()
			return p, err
		}, func(p store.CustomerPause) string { return p.CustomerID })
	if err != nil {
		return nil, err
	}
	out := make(map[string]store.CustomerPause, len(rows))
	for c, ps := range rows {
		if len(ps) > 0 {
			out[c] = ps[0]
		}
	}
	return out, nil
}
