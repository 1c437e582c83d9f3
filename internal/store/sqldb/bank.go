package sqldb

import (
	"context"
	"database/sql"
	"strings"

	"settle/internal/apperr"
	"settle/internal/ids"
	"settle/internal/money"
	"settle/internal/store"
)

// bankLinePrefix is the id prefix of bank-statement lines.
const bankLinePrefix = "bnk"

var bankLineColumns = []string{"id", "import_id", "line", "booked_on", "currency", "amount_minor", "reference", "payer_name",
	"bank_id", "dedupe_key", "status", "matched_by", "reason", "customer_id", "plan_id", "invoice_id", "payment_id",
	"resolved_by", "created_at", "updated_at"}

// SetPlanBankRef implements store.Tx.
func (t *Tx) SetPlanBankRef(ctx context.Context, planID, ref string) (bool, error) {
	n, err := t.execCount(ctx, `UPDATE plans SET bank_ref = ? WHERE id = ? AND bank_ref IS NULL`, ref, planID)
	if t.s.dialect.IsUniqueViolation(err) {
		return false, apperr.Errorf(apperr.Conflict, "bank reference %s belongs to another plan", ref)
	}
	if err != nil {
		return false, err
	}
	if n == 0 {
		var exists int
		if err := t.queryRow(ctx, `SELECT COUNT(*) FROM plans WHERE id = ?`, planID).Scan(&exists); err != nil {
			return false, err
		}
		if exists == 0 {
			return false, notFound("plan", planID)
		}
	}
	return n == 1, nil
}

// PlanBankRefs implements store.Tx.
func (t *Tx) PlanBankRefs(ctx context.Context, planIDs []string) (map[string]string, error) {
	return t.pairs(ctx, `SELECT id, bank_ref FROM plans WHERE bank_ref IS NOT NULL AND id IN (`, planIDs)
}

// PlansByBankRef implements store.Tx.
func (t *Tx) PlansByBankRef(ctx context.Context, refs []string) (map[string]string, error) {
	return t.pairs(ctx, `SELECT bank_ref, id FROM plans WHERE bank_ref IN (`, refs)
}

// pairs runs q + "?,…)" over keys in chunks and maps the first column to the second.
func (t *Tx) pairs(ctx context.Context, q string, keys []string) (map[string]string, error) {
	out := map[string]string{}
	for start := 0; start < len(keys); start += bulkChunk {
		end := min(start+bulkChunk, len(keys))
		args := make([]any, 0, end-start)
		for _, k := range keys[start:end] {
			args = append(args, k)
		}
		rows, err := t.query(ctx, q+placeholders(end-start)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var k, v string
			if err := rows.Scan(&k, &v); err != nil {
				rows.Close()
				return nil, err
			}
			out[k] = v
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// PlansWithoutBankRef implements store.Tx.
func (t *Tx) PlansWithoutBankRef(ctx context.Context, limit int) ([]string, error) {
	if limit <= 0 {
		limit = 500
	}
	return t.stringColumn(ctx, `SELECT id FROM plans WHERE bank_ref IS NULL AND status IN ('proposed', 'active') ORDER BY id LIMIT ?`, limit)
}

// BankLineKeys implements store.Tx.
func (t *Tx) BankLineKeys(ctx context.Context, keys []string) (map[string]bool, error) {
	m, err := t.pairs(ctx, `SELECT dedupe_key, id FROM bank_lines WHERE dedupe_key IN (`, keys)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out, nil
}

func bankLineRow(l *store.BankLine) []any {
	return []any{l.ID, l.ImportID, l.Line, l.BookedOn, string(l.Amount.Currency()), l.Amount.Minor(), l.Reference, l.PayerName,
		l.BankID, l.DedupeKey, l.Status, l.MatchedBy, l.Reason, nullString(l.CustomerID), nullString(l.PlanID),
		nullString(l.InvoiceID), nullString(l.PaymentID), l.ResolvedBy, l.CreatedAt, l.UpdatedAt}
}

// InsertBankLine implements store.Tx.
func (t *Tx) InsertBankLine(ctx context.Context, l *store.BankLine) error {
	if l.ID == "" {
		l.ID = ids.New(bankLinePrefix)
	}
	if l.CreatedAt.IsZero() {
		l.CreatedAt = t.now
	}
	l.CreatedAt = l.CreatedAt.UTC()
	l.UpdatedAt = l.CreatedAt
	_, err := t.Exec(ctx, `INSERT INTO bank_lines (`+strings.Join(bankLineColumns, ", ")+`) VALUES (`+placeholders(len(bankLineColumns))+`)`, bankLineRow(l)...)
	if t.s.dialect.IsUniqueViolation(err) {
		return apperr.Errorf(apperr.Conflict, "bank line %s (line %d) is stored already", l.DedupeKey, l.Line)
	}
	return err
}

func scanBankLine(sc scanner) (store.BankLine, error) {
	var l store.BankLine
	var cur string
	var amount int64
	var customer, plan, invoice, payment sql.NullString
	err := sc.Scan(&l.ID, &l.ImportID, &l.Line, &l.BookedOn, &cur, &amount, &l.Reference, &l.PayerName, &l.BankID,
		&l.DedupeKey, &l.Status, &l.MatchedBy, &l.Reason, &customer, &plan, &invoice, &payment, &l.ResolvedBy,
		&l.CreatedAt, &l.UpdatedAt)
	l.Amount = money.New(amount, money.Currency(cur))
	l.CustomerID, l.PlanID, l.InvoiceID, l.PaymentID = customer.String, plan.String, invoice.String, payment.String
	l.CreatedAt, l.UpdatedAt = l.CreatedAt.UTC(), l.UpdatedAt.UTC()
	return l, err
}

// BankLine implements store.Tx. SQLite needs no lock: its writers are
// serialised already.
func (t *Tx) BankLine(ctx context.Context, id string, forUpdate bool) (*store.BankLine, error) {
	lock := ""
	if forUpdate && t.s.dialect.Engine() == "postgres" {
		lock = " FOR UPDATE"
	}
	l, err := scanBankLine(t.queryRow(ctx, `SELECT `+t.textDates(bankLineColumns, "booked_on")+` FROM bank_lines WHERE id = ?`+lock, id))
	if isNoRows(err) {
		return nil, notFound("bank line", id)
	}
	if err != nil {
		return nil, err
	}
	return &l, nil
}

// BankLines implements store.Tx.
func (t *Tx) BankLines(ctx context.Context, f store.BankLineFilter) ([]store.BankLine, string, error) {
	var c conds
	c.eq("status", f.Status)
	rows, limit, err := t.listRows(ctx, t.textDates(bankLineColumns, "booked_on"), "bank_lines", f.Page, c)
	if err != nil {
		return nil, "", err
	}
	return page(rows, limit, scanBankLine, func(l store.BankLine) string { return l.ID })
}

// UpdateBankLine implements store.Tx.
func (t *Tx) UpdateBankLine(ctx context.Context, l *store.BankLine, prevStatus string) error {
	l.UpdatedAt = t.now.UTC()
	n, err := t.execCount(ctx, `UPDATE bank_lines SET status = ?, matched_by = ?, reason = ?, customer_id = ?, plan_id = ?,
		invoice_id = ?, payment_id = ?, resolved_by = ?, updated_at = ? WHERE id = ? AND status = ?`,
		l.Status, l.MatchedBy, l.Reason, nullString(l.CustomerID), nullString(l.PlanID), nullString(l.InvoiceID),
		nullString(l.PaymentID), l.ResolvedBy, l.UpdatedAt, l.ID, prevStatus)
	if err != nil {
		return err
	}
	if n == 0 {
		if _, err := t.BankLine(ctx, l.ID, false); err != nil {
			return err
		}
		return apperr.Errorf(apperr.Conflict, "bank line %s is no longer %s: someone changed it meanwhile", l.ID, prevStatus)
	}
	return nil
}
