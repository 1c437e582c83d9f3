package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"settle/internal/ids"
	"settle/internal/money"
	"settle/internal/plan"
	"settle/internal/store"
)

// planTerms is the JSON of plans.terms: the terms that are not queried.
type planTerms struct {
	Methods            []string `json:"methods"`
	Autopay            bool     `json:"autopay"`
	GraceDays          int      `json:"grace_days"`
	LateFeeMinor       int64    `json:"late_fee_minor"`
	DefaultAfterMissed int      `json:"default_after_missed"`
	DefaultDaysLate    int      `json:"default_days_late"`
	EarlyPayoff        string   `json:"early_payoff_discount,omitempty"`
	// PolicyOverride: an admin made the plan outside its segment's policy.
	PolicyOverride *plan.PolicyOverride `json:"policy_override,omitempty"`
}

type planConcession struct {
	Kind        string `json:"kind"`
	AmountMinor int64  `json:"amount_minor"`
	Note        string `json:"note,omitempty"`
}

// InsertPlan implements store.Tx.
func (t *Tx) InsertPlan(ctx context.Context, p *plan.Plan) error {
	if p.ID == "" {
		p.ID = ids.New(ids.Plan)
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = t.now
	}
	terms, err := json.Marshal(planTerms{Methods: p.Methods, Autopay: p.Autopay, GraceDays: p.Rules.GraceDays,
		LateFeeMinor: p.Rules.LateFee.Minor(), DefaultAfterMissed: p.Rules.DefaultAfterMissed, DefaultDaysLate: p.Rules.DefaultDaysLate,
		EarlyPayoff: p.EarlyPayoffDiscount, PolicyOverride: p.PolicyOverride})
	if err != nil {
		return err
	}
	cons := []planConcession{}
	for _, c := range p.Concessions {
		cons = append(cons, planConcession{Kind: c.Kind, AmountMinor: c.Amount.Minor(), Note: c.Note})
	}
	consJSON, err := json.Marshal(cons)
	if err != nil {
		return err
	}
	_, err = t.Exec(ctx, `INSERT INTO plans (id, customer_id, version, supersedes_id, status, currency, balance_minor, annual_rate, terms, concessions, created_at)
		VALUES (?,?,?,?,?,?,?,?,?,?,?)`, p.ID, p.CustomerID, p.Version, nullString(p.SupersedesID), p.Status,
		string(p.Balance.Currency()), p.Balance.Minor(), p.AnnualRate, string(terms), string(consJSON), p.CreatedAt.UTC())
	if err != nil {
		return err
	}
	for _, id := range p.InvoiceIDs {
		if _, err := t.Exec(ctx, `INSERT INTO plan_invoices (plan_id, invoice_id) VALUES (?,?)`, p.ID, id); err != nil {
			return err
		}
	}
	for _, in := range p.Installments {
		if _, err := t.Exec(ctx, `INSERT INTO plan_installments (plan_id, seq, due_date, amount_minor, principal_minor, interest_minor, down_payment)
			VALUES (?,?,?,?,?,?,?)`, p.ID, in.Seq, in.DueDate, in.Amount.Minor(), in.Principal.Minor(), in.Interest.Minor(), in.Down); err != nil {
			return err
		}
	}
	return nil
}

// Plan implements store.Tx.
func (t *Tx) Plan(ctx context.Context, id string) (*plan.Plan, error) { return t.plan(ctx, id, "") }

// PlanForUpdate implements store.Tx. PostgreSQL locks the row until the
// transaction ends, so that a concurrent acceptance, cancellation or
// renegotiation waits and then reads the status this one wrote (READ
// COMMITTED would otherwise let both act on the same old status). SQLite
// needs no lock: its writers are serialised already.
func (t *Tx) PlanForUpdate(ctx context.Context, id string) (*plan.Plan, error) {
	lock := ""
	if t.s.dialect.Engine() == "postgres" {
		// NO KEY UPDATE: inserts of the plan's events and installments
		// (key-share locks on the plan) need not wait for it.
		lock = " FOR NO KEY UPDATE"
	}
	return t.plan(ctx, id, lock)
}

func (t *Tx) plan(ctx context.Context, id, lock string) (*plan.Plan, error) {
	var p plan.Plan
	var supersedes, by, channel, ip sql.NullString
	var acceptedAt, endedAt sql.NullTime
	var cur, terms, cons string
	var balance int64
	err := t.queryRow(ctx, `SELECT id, customer_id, version, supersedes_id, status, currency, balance_minor, annual_rate, terms, concessions,
		accepted_by, accepted_at, accepted_channel, accepted_ip, ended_at, created_at FROM plans WHERE id = ?`+lock, id).Scan(
		&p.ID, &p.CustomerID, &p.Version, &supersedes, &p.Status, &cur, &balance, &p.AnnualRate, &terms, &cons,
		&by, &acceptedAt, &channel, &ip, &endedAt, &p.CreatedAt)
	if isNoRows(err) {
		return nil, notFound("plan", id)
	}
	if err != nil {
		return nil, err
	}
	c := money.Currency(cur)
	p.SupersedesID = supersedes.String
	p.Balance = money.New(balance, c)
	p.CreatedAt = p.CreatedAt.UTC()
	var pt planTerms
	if err := json.Unmarshal([]byte(terms), &pt); err != nil {
		return nil, fmt.Errorf("plan %s: terms: %w", id, err)
	}
	p.Methods, p.Autopay, p.EarlyPayoffDiscount, p.PolicyOverride = pt.Methods, pt.Autopay, pt.EarlyPayoff, pt.PolicyOverride
	p.Rules = plan.Rules{GraceDays: pt.GraceDays, LateFee: money.New(pt.LateFeeMinor, c), DefaultAfterMissed: pt.DefaultAfterMissed, DefaultDaysLate: pt.DefaultDaysLate}
	var pcs []planConcession
	if err := json.Unmarshal([]byte(cons), &pcs); err != nil {
		return nil, fmt.Errorf("plan %s: concessions: %w", id, err)
	}
	for _, pc := range pcs {
		p.Concessions = append(p.Concessions, plan.Concession{Kind: pc.Kind, Amount: money.New(pc.AmountMinor, c), Note: pc.Note})
	}
	if acceptedAt.Valid {
		p.Acceptance = &plan.Acceptance{By: by.String, At: acceptedAt.Time.UTC(), Channel: channel.String, IP: ip.String}
	}
	if endedAt.Valid {
		e := endedAt.Time.UTC()
		p.EndedAt = &e
	}
	rows, err := t.query(ctx, `SELECT invoice_id FROM plan_invoices WHERE plan_id = ? ORDER BY invoice_id`, id)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var inv string
		if err := rows.Scan(&inv); err != nil {
			rows.Close()
			return nil, err
		}
		p.InvoiceIDs = append(p.InvoiceIDs, inv)
	}
	rows.Close()
	rows, err = t.query(ctx, `SELECT seq, due_date, amount_minor, principal_minor, interest_minor, down_payment FROM plan_installments WHERE plan_id = ? ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var in plan.Installment
		var a, pr, it int64
		if err := rows.Scan(&in.Seq, &in.DueDate, &a, &pr, &it, &in.Down); err != nil {
			return nil, err
		}
		in.Amount, in.Principal, in.Interest = money.New(a, c), money.New(pr, c), money.New(it, c)
		p.Installments = append(p.Installments, in)
	}
	return &p, rows.Err()
}

// UpdatePlanStatus implements store.Tx.
func (t *Tx) UpdatePlanStatus(ctx context.Context, p *plan.Plan) error {
	var by, channel, ip any
	var at, ended any
	if a := p.Acceptance; a != nil {
		by, channel, ip, at = a.By, a.Channel, a.IP, a.At.UTC()
	}
	if p.EndedAt != nil {
		ended = p.EndedAt.UTC()
	}
	_, err := t.Exec(ctx, `UPDATE plans SET status = ?, accepted_by = ?, accepted_at = ?, accepted_channel = ?, accepted_ip = ?, ended_at = ? WHERE id = ?`,
		p.Status, by, at, channel, ip, ended, p.ID)
	return err
}

// InvoicesInOpenPlans implements store.Tx.
func (t *Tx) InvoicesInOpenPlans(ctx context.Context, invoiceIDs []string) (map[string]string, error) {
	out := map[string]string{}
	if len(invoiceIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(invoiceIDs))
	for i, id := range invoiceIDs {
		args[i] = id
	}
	rows, err := t.query(ctx, `SELECT pi.invoice_id, pi.plan_id FROM plan_invoices pi JOIN plans p ON p.id = pi.plan_id
		WHERE p.status IN ('proposed', 'active') AND pi.invoice_id IN (`+placeholders(len(args))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var inv, pl string
		if err := rows.Scan(&inv, &pl); err != nil {
			return nil, err
		}
		out[inv] = pl
	}
	return out, rows.Err()
}

// InvoicesInOpenPlansFor implements store.Tx: through plans_customer, so
// a customer without plans costs one index probe.
func (t *Tx) InvoicesInOpenPlansFor(ctx context.Context, customerIDs []string) (map[string]string, error) {
	type row struct{ invoice, plan string }
	rows, err := byCustomers(ctx, t, `SELECT pi.invoice_id, pi.plan_id FROM plans p JOIN plan_invoices pi ON pi.plan_id = p.id
		WHERE p.status IN ('proposed', 'active') AND p.customer_id IN (`, "pi.invoice_id", customerIDs,
		func(sc scanner) (row, error) {
			var r row
			err := sc.Scan(&r.invoice, &r.plan)
			return r, err
		}, func(row) string { return "" })
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, r := range rows[""] {
		out[r.invoice] = r.plan
	}
	return out, nil
}

// AppendPlanEvent implements store.Tx.
func (t *Tx) AppendPlanEvent(ctx context.Context, e *store.PlanEvent) error {
	if e.At.IsZero() {
		e.At = t.now
	}
	if e.Detail == "" {
		e.Detail = "{}"
	}
	_, err := t.Exec(ctx, `INSERT INTO plan_events (plan_id, kind, on_date, at, detail) VALUES (?,?,?,?,?) ON CONFLICT (plan_id, kind, on_date) DO NOTHING`,
		e.PlanID, e.Kind, e.On, e.At.UTC(), e.Detail)
	return err
}

// PlanEvents implements store.Tx.
func (t *Tx) PlanEvents(ctx context.Context, planID string) ([]store.PlanEvent, error) {
	rows, err := t.query(ctx, `SELECT seq, plan_id, kind, on_date, at, detail FROM plan_events WHERE plan_id = ? ORDER BY seq`, planID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.PlanEvent
	for rows.Next() {
		var e store.PlanEvent
		if err := rows.Scan(&e.Seq, &e.PlanID, &e.Kind, &e.On, &e.At, &e.Detail); err != nil {
			return nil, err
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// ActivePlans implements store.Tx.
func (t *Tx) ActivePlans(ctx context.Context, customerID string) ([]string, error) {
	return t.stringColumn(ctx, `SELECT id FROM plans WHERE customer_id = ? AND status = 'active' ORDER BY id`, customerID)
}

// CustomerPlans implements store.Tx.
func (t *Tx) CustomerPlans(ctx context.Context, customerID string) ([]string, error) {
	return t.stringColumn(ctx, `SELECT id FROM plans WHERE customer_id = ? ORDER BY created_at, id`, customerID)
}

// stringColumn runs a query for one column of strings (ids, mostly).
func (t *Tx) stringColumn(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
