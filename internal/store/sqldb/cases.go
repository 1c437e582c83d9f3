package sqldb

import (
	"context"

	"settle/internal/store"
)

// ---- collection cases ----------------------------------------------------------------

var caseColList = []string{"customer_id", "currency", "opened_on", "step", "step_on", "deadline", "prev_step", "prev_step_on", "prev_deadline", "updated_at"}

func (t *Tx) caseCols() string {
	return t.textDates(caseColList, "opened_on", "step_on", "deadline", "prev_step_on", "prev_deadline")
}

func scanCase(sc scanner) (store.Case, error) {
	var c store.Case
	err := sc.Scan(&c.CustomerID, &c.Currency, &c.OpenedOn, &c.Step, &c.StepOn, &c.Deadline, &c.PrevStep, &c.PrevStepOn, &c.PrevDeadline, &c.UpdatedAt)
	c.UpdatedAt = c.UpdatedAt.UTC()
	return c, err
}

// CasesFor implements store.Tx.
func (t *Tx) CasesFor(ctx context.Context, customerIDs []string) (map[string][]store.Case, error) {
	return byCustomers(ctx, t, `SELECT `+t.caseCols()+` FROM collection_cases WHERE customer_id IN (`, "customer_id, currency", customerIDs, scanCase,
		func(c store.Case) string { return c.CustomerID })
}

// CaseForUpdate implements store.Tx.
func (t *Tx) CaseForUpdate(ctx context.Context, customerID, currency string) (*store.Case, error) {
	lock := ""
	if t.s.dialect.Engine() == "postgres" {
		lock = " FOR UPDATE"
	}
	c, err := scanCase(t.queryRow(ctx, `SELECT `+t.caseCols()+` FROM collection_cases WHERE customer_id = ? AND currency = ?`+lock, customerID, currency))
	if isNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// SaveCases implements store.Tx.
func (t *Tx) SaveCases(ctx context.Context, cases []store.Case) error {
	for _, c := range cases {
		_, err := t.Exec(ctx, `INSERT INTO collection_cases (customer_id, currency, opened_on, step, step_on, deadline, prev_step, prev_step_on, prev_deadline, updated_at)
			VALUES (?,?,?,?,?,?,?,?,?,?)
			ON CONFLICT (customer_id, currency) DO UPDATE SET opened_on = excluded.opened_on, step = excluded.step, step_on = excluded.step_on,
				deadline = excluded.deadline, prev_step = excluded.prev_step, prev_step_on = excluded.prev_step_on,
				prev_deadline = excluded.prev_deadline, updated_at = excluded.updated_at`,
			c.CustomerID, c.Currency, c.OpenedOn, c.Step, c.StepOn, c.Deadline, c.PrevStep, c.PrevStepOn, c.PrevDeadline, t.now.UTC())
		if err != nil {
			return err
		}
	}
	return nil
}

// DeleteCases implements store.Tx.
func (t *Tx) DeleteCases(ctx context.Context, cases []store.Case) error {
	for _, c := range cases {
		if _, err := t.Exec(ctx, `DELETE FROM collection_cases WHERE customer_id = ? AND currency = ?`, c.CustomerID, c.Currency); err != nil {
			return err
		}
	}
	return nil
}

// LiveMessagesFor implements store.Tx.
func (t *Tx) LiveMessagesFor(ctx context.Context, customerIDs []string) (map[string][]store.Message, error) {
	return byCustomers(ctx, t, `SELECT `+messageCols+` FROM messages WHERE status = 'queued' AND customer_id IN (`, "id", customerIDs, scanMessage,
		func(m store.Message) string { return m.CustomerID })
}

// SentMessagesFor implements store.Tx.
func (t *Tx) SentMessagesFor(ctx context.Context, customerIDs []string) (map[string][]store.Message, error) {
	return byCustomers(ctx, t, `SELECT `+messageCols+` FROM messages WHERE status = 'sent' AND customer_id IN (`, "id", customerIDs, scanMessage,
		func(m store.Message) string { return m.CustomerID })
}

// WithdrawMessage implements store.Tx.
func (t *Tx) WithdrawMessage(ctx context.Context, id, worker, reason string) (bool, error) {
	n, err := t.execCount(ctx, `UPDATE messages SET status = 'withdrawn', status_reason = ?, claimed_by = '', claimed_at = NULL
		WHERE id = ? AND status = 'queued' AND (claimed_by = '' OR claimed_by = ?)`, reason, id, worker)
	return n > 0, err
}

// OpenTasksFor implements store.Tx.
func (t *Tx) OpenTasksFor(ctx context.Context, customerIDs []string) (map[string][]store.Task, error) {
	return byCustomers(ctx, t, `SELECT `+taskCols+` FROM tasks WHERE status IN ('open', 'claimed') AND customer_id IN (`, "id", customerIDs, scanTask,
		func(k store.Task) string { return k.CustomerID })
}

// MergeTask implements store.Tx.
func (t *Tx) MergeTask(ctx context.Context, k *store.Task) error {
	ids, err := stringList(k.InvoiceIDs)
	if err != nil {
		return err
	}
	n, err := t.execCount(ctx, `UPDATE tasks SET reason = ?, invoice_ids = ?, priority = ?, due_at = ? WHERE id = ?`,
		k.Reason, ids, k.Priority, k.DueAt.UTC(), k.ID)
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound("task", k.ID)
	}
	return nil
}
