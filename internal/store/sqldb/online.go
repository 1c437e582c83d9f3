package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"settle/internal/apperr"
	"settle/internal/ids"
	"settle/internal/money"
	"settle/internal/store"
)

// Online payments (migration 00016; store.OnlineTx).

// ---- the provider's customers ------------------------------------------------------

// OnlineCustomer implements store.OnlineTx.
func (t *Tx) OnlineCustomer(ctx context.Context, provider, customerID string) (string, error) {
	var id string
	err := t.queryRow(ctx, `SELECT provider_customer_id FROM online_customers WHERE provider = ? AND customer_id = ?`, provider, customerID).Scan(&id)
	if isNoRows(err) {
		return "", apperr.Errorf(apperr.NotFound, "customer %s has no %s customer", customerID, provider)
	}
	return id, err
}

// OnlineCustomerByRef implements store.OnlineTx.
func (t *Tx) OnlineCustomerByRef(ctx context.Context, provider, ref string) (string, error) {
	var id string
	err := t.queryRow(ctx, `SELECT customer_id FROM online_customers WHERE provider = ? AND provider_customer_id = ?`, provider, ref).Scan(&id)
	if isNoRows(err) {
		return "", apperr.Errorf(apperr.NotFound, "no customer for %s customer %s", provider, ref)
	}
	return id, err
}

// InsertOnlineCustomer implements store.OnlineTx.
func (t *Tx) InsertOnlineCustomer(ctx context.Context, provider, customerID, ref string) error {
	_, err := t.Exec(ctx, `INSERT INTO online_customers (provider, customer_id, provider_customer_id, created_at) VALUES (?,?,?,?)
		ON CONFLICT (provider, customer_id) DO NOTHING`, provider, customerID, ref, t.now.UTC())
	if t.s.dialect.IsUniqueViolation(err) {
		return apperr.Errorf(apperr.Conflict, "%s customer %s is linked to another customer", provider, ref)
	}
	return err
}

// ---- intents ---------------------------------------------------------------------------

const intentCols = `id, provider, customer_id, kind, plan_id, installment_seq, invoice_id, currency, amount_minor, waived_minor, status,
	session_id, payment_intent_id, payment_id, attempt, next_retry_on, failure, review, dedupe_key, as_of, created_at, updated_at`

func scanIntent(sc scanner) (store.OnlineIntent, error) {
	var it store.OnlineIntent
	var planID, invoiceID, session, pi, payment, dedupe sql.NullString
	var cur string
	var amount, waived int64
	err := sc.Scan(&it.ID, &it.Provider, &it.CustomerID, &it.Kind, &planID, &it.InstallmentSeq, &invoiceID, &cur, &amount, &waived, &it.Status,
		&session, &pi, &payment, &it.Attempt, &it.NextRetryOn, &it.Failure, &it.Review, &dedupe, &it.AsOf, &it.CreatedAt, &it.UpdatedAt)
	if err != nil {
		return it, err
	}
	c := money.Currency(cur)
	it.Amount, it.Waived = money.New(amount, c), money.New(waived, c)
	it.PlanID, it.InvoiceID, it.SessionID, it.PaymentIntentID, it.PaymentID, it.DedupeKey =
		planID.String, invoiceID.String, session.String, pi.String, payment.String, dedupe.String
	it.CreatedAt, it.UpdatedAt = it.CreatedAt.UTC(), it.UpdatedAt.UTC()
	return it, nil
}

// InsertOnlineIntent implements store.OnlineTx.
func (t *Tx) InsertOnlineIntent(ctx context.Context, it *store.OnlineIntent) (bool, error) {
	if it.ID == "" {
		it.ID = ids.New("opi")
	}
	if it.CreatedAt.IsZero() {
		it.CreatedAt = t.now
	}
	it.UpdatedAt = it.CreatedAt
	if it.Waived.Currency() == "" {
		it.Waived = money.Zero(it.Amount.Currency())
	}
	n, err := t.execCount(ctx, `INSERT INTO online_intents (`+intentCols+`) VALUES (`+placeholders(22)+`) ON CONFLICT (dedupe_key) DO NOTHING`,
		it.ID, it.Provider, it.CustomerID, it.Kind, nullString(it.PlanID), it.InstallmentSeq, nullString(it.InvoiceID), string(it.Amount.Currency()),
		it.Amount.Minor(), it.Waived.Minor(), it.Status, nullString(it.SessionID), nullString(it.PaymentIntentID), nullString(it.PaymentID),
		it.Attempt, it.NextRetryOn, it.Failure, it.Review, nullString(it.DedupeKey), it.AsOf, it.CreatedAt.UTC(), it.UpdatedAt.UTC())
	if err != nil {
		if t.s.dialect.IsUniqueViolation(err) {
			return false, apperr.Errorf(apperr.Conflict, "online intent %s: a session or payment intent id is taken", it.ID)
		}
		return false, err
	}
	if n > 0 {
		return true, nil
	}
	stored, err := scanIntent(t.queryRow(ctx, `SELECT `+intentCols+` FROM online_intents WHERE dedupe_key = ?`, it.DedupeKey))
	if err != nil {
		return false, fmt.Errorf("online intent with dedupe key %q: %w", it.DedupeKey, err)
	}
	*it = stored
	return false, nil
}

// OnlineIntent implements store.OnlineTx.
func (t *Tx) OnlineIntent(ctx context.Context, id string) (*store.OnlineIntent, error) {
	it, err := scanIntent(t.queryRow(ctx, `SELECT `+intentCols+` FROM online_intents WHERE id = ?`, id))
	if isNoRows(err) {
		return nil, notFound("online intent", id)
	}
	if err != nil {
		return nil, err
	}
	return &it, nil
}

// OnlineIntentByRef implements store.OnlineTx.
func (t *Tx) OnlineIntentByRef(ctx context.Context, ref string) (*store.OnlineIntent, error) {
	it, err := scanIntent(t.queryRow(ctx, `SELECT `+intentCols+` FROM online_intents WHERE session_id = ? OR payment_intent_id = ? ORDER BY id LIMIT 1`, ref, ref))
	if isNoRows(err) {
		return nil, notFound("online intent", ref)
	}
	if err != nil {
		return nil, err
	}
	return &it, nil
}

// UpdateOnlineIntent implements store.OnlineTx.
func (t *Tx) UpdateOnlineIntent(ctx context.Context, it *store.OnlineIntent, from ...string) (bool, error) {
	q := `UPDATE online_intents SET status = ?, session_id = ?, payment_intent_id = ?, payment_id = ?, next_retry_on = ?, failure = ?, review = ?, updated_at = ?
		WHERE id = ?`
	args := []any{it.Status, nullString(it.SessionID), nullString(it.PaymentIntentID), nullString(it.PaymentID), it.NextRetryOn, it.Failure, it.Review,
		t.now.UTC(), it.ID}
	if len(from) > 0 {
		q += ` AND status IN (` + placeholders(len(from)) + `)`
		for _, s := range from {
			args = append(args, s)
		}
	}
	n, err := t.execCount(ctx, q, args...)
	if err != nil {
		if t.s.dialect.IsUniqueViolation(err) {
			return false, apperr.Errorf(apperr.Conflict, "online intent %s: session %q or payment intent %q belongs to another intent", it.ID, it.SessionID, it.PaymentIntentID)
		}
		return false, err
	}
	if n == 0 {
		if len(from) == 0 {
			return false, notFound("online intent", it.ID)
		}
		return false, nil
	}
	it.UpdatedAt = t.now
	return true, nil
}

// OnlineIntents implements store.OnlineTx.
func (t *Tx) OnlineIntents(ctx context.Context, f store.OnlineIntentFilter) ([]store.OnlineIntent, error) {
	var where []string
	var args []any
	for _, c := range []struct{ col, v string }{{"customer_id", f.CustomerID}, {"plan_id", f.PlanID}, {"kind", f.Kind}, {"status", f.Status}} {
		if c.v != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.v)
		}
	}
	q := `SELECT ` + intentCols + ` FROM online_intents`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	q += fmt.Sprintf(` ORDER BY id DESC LIMIT %d`, limit)
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.OnlineIntent
	for rows.Next() {
		it, err := scanIntent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// ---- mandates --------------------------------------------------------------------------

const mandateCols = `plan_id, provider, customer_id, provider_customer_id, payment_method_id, setup_ref, created_at, updated_at`

func scanMandate(sc scanner) (store.OnlineMandate, error) {
	var m store.OnlineMandate
	err := sc.Scan(&m.PlanID, &m.Provider, &m.CustomerID, &m.ProviderCustomer, &m.PaymentMethod, &m.SetupRef, &m.CreatedAt, &m.UpdatedAt)
	m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	return m, err
}

// SetOnlineMandate implements store.OnlineTx.
func (t *Tx) SetOnlineMandate(ctx context.Context, m *store.OnlineMandate) error {
	if m.CreatedAt.IsZero() {
		m.CreatedAt = t.now
	}
	m.UpdatedAt = t.now
	_, err := t.Exec(ctx, `INSERT INTO online_mandates (`+mandateCols+`) VALUES (?,?,?,?,?,?,?,?)
		ON CONFLICT (plan_id) DO UPDATE SET provider = excluded.provider, customer_id = excluded.customer_id,
		provider_customer_id = excluded.provider_customer_id, payment_method_id = excluded.payment_method_id,
		setup_ref = excluded.setup_ref, updated_at = excluded.updated_at`,
		m.PlanID, m.Provider, m.CustomerID, m.ProviderCustomer, m.PaymentMethod, m.SetupRef, m.CreatedAt.UTC(), m.UpdatedAt.UTC())
	return err
}

// OnlineMandate implements store.OnlineTx.
func (t *Tx) OnlineMandate(ctx context.Context, planID string) (*store.OnlineMandate, error) {
	m, err := scanMandate(t.queryRow(ctx, `SELECT `+mandateCols+` FROM online_mandates WHERE plan_id = ?`, planID))
	if isNoRows(err) {
		return nil, apperr.Errorf(apperr.NotFound, "plan %s has no saved payment method", planID)
	}
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// OnlineMandates implements store.OnlineTx.
func (t *Tx) OnlineMandates(ctx context.Context) ([]store.OnlineMandate, error) {
	rows, err := t.query(ctx, `SELECT `+mandateCols+` FROM online_mandates ORDER BY plan_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.OnlineMandate
	for rows.Next() {
		m, err := scanMandate(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// ---- events ------------------------------------------------------------------------------

// InsertOnlineEvent implements store.OnlineTx.
func (t *Tx) InsertOnlineEvent(ctx context.Context, e *store.OnlineEvent) (bool, error) {
	if e.ReceivedAt.IsZero() {
		e.ReceivedAt = t.now
	}
	n, err := t.execCount(ctx, `INSERT INTO online_events (provider, id, type, customer_id, outcome, received_at) VALUES (?,?,?,?,?,?)
		ON CONFLICT (provider, id) DO NOTHING`, e.Provider, e.ID, e.Type, e.CustomerID, e.Outcome, e.ReceivedAt.UTC())
	return n > 0, err
}

// OnlineEvent implements store.OnlineTx.
func (t *Tx) OnlineEvent(ctx context.Context, provider, id string) (*store.OnlineEvent, error) {
	var e store.OnlineEvent
	err := t.queryRow(ctx, `SELECT provider, id, type, customer_id, outcome, received_at FROM online_events WHERE provider = ? AND id = ?`, provider, id).
		Scan(&e.Provider, &e.ID, &e.Type, &e.CustomerID, &e.Outcome, &e.ReceivedAt)
	if isNoRows(err) {
		return nil, notFound("online event", id)
	}
	e.ReceivedAt = e.ReceivedAt.UTC()
	return &e, err
}

// ---- disputes ------------------------------------------------------------------------------

const disputeCols = `provider, id, customer_id, intent_id, plan_id, payment_id, payment_intent_id, currency, amount_minor, reason, status, created_at, updated_at`

// UpsertOnlineDispute implements store.OnlineTx.
func (t *Tx) UpsertOnlineDispute(ctx context.Context, d *store.OnlineDispute) error {
	if d.CreatedAt.IsZero() {
		d.CreatedAt = t.now
	}
	d.UpdatedAt = t.now
	_, err := t.Exec(ctx, `INSERT INTO online_disputes (`+disputeCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT (provider, id) DO UPDATE SET status = excluded.status, reason = excluded.reason, updated_at = excluded.updated_at`,
		d.Provider, d.ID, nullString(d.CustomerID), nullString(d.IntentID), nullString(d.PlanID), nullString(d.PaymentID), d.PaymentIntentID,
		string(d.Amount.Currency()), d.Amount.Minor(), d.Reason, d.Status, d.CreatedAt.UTC(), d.UpdatedAt.UTC())
	return err
}

// OnlineDisputes implements store.OnlineTx.
func (t *Tx) OnlineDisputes(ctx context.Context, customerID, planID string) ([]store.OnlineDispute, error) {
	q := `SELECT ` + disputeCols + ` FROM online_disputes WHERE `
	var arg string
	switch {
	case planID != "":
		q, arg = q+`plan_id = ?`, planID
	case customerID != "":
		q, arg = q+`customer_id = ?`, customerID
	default:
		return nil, fmt.Errorf("online disputes: name a customer or a plan")
	}
	rows, err := t.query(ctx, q+` ORDER BY created_at DESC, id DESC`, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.OnlineDispute
	for rows.Next() {
		var d store.OnlineDispute
		var cust, intent, plan, payment sql.NullString
		var cur string
		var amount int64
		if err := rows.Scan(&d.Provider, &d.ID, &cust, &intent, &plan, &payment, &d.PaymentIntentID, &cur, &amount, &d.Reason, &d.Status,
			&d.CreatedAt, &d.UpdatedAt); err != nil {
			return nil, err
		}
		d.CustomerID, d.IntentID, d.PlanID, d.PaymentID = cust.String, intent.String, plan.String, payment.String
		d.Amount = money.New(amount, money.Currency(cur))
		d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}
