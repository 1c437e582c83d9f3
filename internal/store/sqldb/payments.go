package sqldb

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"settle/internal/ids"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/store"
)

var paymentColumns = []string{"id", "kind", "customer_id", "received_on", "currency", "amount_minor",
	"unapplied_minor", "method", "reference", "invoice_id", "import_id", "created_at"}

var paymentCols = strings.Join(paymentColumns, ", ")

func (t *Tx) paymentRow(p *ledger.Payment) []any {
	if p.ID == "" {
		p.ID = ids.New(ids.Payment)
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = t.now
	}
	return []any{p.ID, p.Kind, p.CustomerID, p.ReceivedOn, string(p.Amount.Currency()), p.Amount.Minor(),
		p.Amount.Minor(), p.Method, p.Reference, nullString(p.InvoiceID), nullString(p.ImportID), p.CreatedAt.UTC()}
}

func scanPayment(sc scanner) (ledger.Payment, error) {
	var p ledger.Payment
	var cur string
	var amount, unapplied int64
	var invoiceID, importID sql.NullString
	err := sc.Scan(&p.ID, &p.Kind, &p.CustomerID, &p.ReceivedOn, &cur, &amount, &unapplied, &p.Method,
		&p.Reference, &invoiceID, &importID, &p.CreatedAt)
	p.Amount = money.New(amount, money.Currency(cur))
	p.InvoiceID, p.ImportID = invoiceID.String, importID.String
	p.CreatedAt = p.CreatedAt.UTC()
	return p, err
}

// InsertPayment implements store.Tx.
func (t *Tx) InsertPayment(ctx context.Context, p *ledger.Payment) error {
	_, err := t.Exec(ctx, `INSERT INTO payments (`+paymentCols+`) VALUES (`+placeholders(len(paymentColumns))+`)`, t.paymentRow(p)...)
	return err
}

// InsertPayments implements store.Tx.
func (t *Tx) InsertPayments(ctx context.Context, batch []ledger.Payment) error {
	for start := 0; start < len(batch); start += bulkChunk {
		end := min(start+bulkChunk, len(batch))
		args := make([]any, 0, (end-start)*len(paymentColumns))
		for i := start; i < end; i++ {
			args = append(args, t.paymentRow(&batch[i])...)
		}
		if _, err := t.Exec(ctx, multiInsert("payments", paymentCols, len(paymentColumns), end-start), args...); err != nil {
			return err
		}
	}
	return nil
}

// PaymentExists implements store.Tx.
func (t *Tx) PaymentExists(ctx context.Context, p *ledger.Payment) (bool, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM payments WHERE customer_id=? AND received_on=? AND currency=? AND amount_minor=? AND reference=? AND kind=?`,
		p.CustomerID, p.ReceivedOn, string(p.Amount.Currency()), p.Amount.Minor(), p.Reference, p.Kind).Scan(&n)
	return n > 0, err
}

// Payment implements store.Tx.
func (t *Tx) Payment(ctx context.Context, id string) (*ledger.Payment, error) {
	p, err := scanPayment(t.queryRow(ctx, `SELECT `+paymentCols+` FROM payments WHERE id = ?`, id))
	if isNoRows(err) {
		return nil, notFound("payment", id)
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// Payments implements store.Tx.
func (t *Tx) Payments(ctx context.Context, f store.PaymentFilter) ([]ledger.Payment, string, error) {
	var c conds
	c.eq("customer_id", f.CustomerID)
	rows, limit, err := t.listRows(ctx, paymentCols, "payments", f.Page, c)
	if err != nil {
		return nil, "", err
	}
	return page(rows, limit, scanPayment, func(v ledger.Payment) string { return v.ID })
}

// CustomerLedger implements store.Tx.
func (t *Tx) CustomerLedger(ctx context.Context, customerID string) ([]ledger.Invoice, []ledger.Payment, error) {
	rows, err := t.query(ctx, `SELECT `+invoiceCols+` FROM invoices WHERE customer_id = ? ORDER BY id`, customerID)
	if err != nil {
		return nil, nil, err
	}
	var invs []ledger.Invoice
	for rows.Next() {
		inv, err := scanInvoice(rows)
		if err != nil {
			rows.Close()
			return nil, nil, err
		}
		invs = append(invs, inv)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows, err = t.query(ctx, `SELECT `+paymentCols+` FROM payments WHERE customer_id = ? ORDER BY id`, customerID)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var pays []ledger.Payment
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return nil, nil, err
		}
		pays = append(pays, p)
	}
	return invs, pays, rows.Err()
}

// ReplaceAllocations implements store.Tx.
func (t *Tx) ReplaceAllocations(ctx context.Context, customerID string, a ledger.Allocated) error {
	if _, err := t.Exec(ctx, `DELETE FROM allocations WHERE customer_id = ?`, customerID); err != nil {
		return err
	}
	const cols = "customer_id, payment_id, invoice_id, amount_minor, applied_on"
	for start := 0; start < len(a.Allocations); start += bulkChunk {
		end := min(start+bulkChunk, len(a.Allocations))
		args := make([]any, 0, (end-start)*5)
		for _, al := range a.Allocations[start:end] {
			args = append(args, customerID, al.PaymentID, al.InvoiceID, al.Amount.Minor(), al.AppliedOn)
		}
		if _, err := t.Exec(ctx, multiInsert("allocations", cols, 5, end-start), args...); err != nil {
			return err
		}
	}
	// Only rows whose stored figure differs are written.
	for id, bal := range a.Balances {
		if _, err := t.Exec(ctx, `UPDATE invoices SET balance_minor = ? WHERE id = ? AND balance_minor <> ?`, bal.Minor(), id, bal.Minor()); err != nil {
			return err
		}
	}
	if _, err := t.Exec(ctx, `UPDATE payments SET unapplied_minor = 0 WHERE customer_id = ? AND unapplied_minor <> 0`, customerID); err != nil {
		return err
	}
	for id, rest := range a.Unapplied {
		if _, err := t.Exec(ctx, `UPDATE payments SET unapplied_minor = ? WHERE id = ?`, rest.Minor(), id); err != nil {
			return err
		}
	}
	return nil
}

func (t *Tx) allocations(ctx context.Context, col, id string) ([]ledger.Allocation, error) {
	rows, err := t.query(ctx, `SELECT a.payment_id, a.invoice_id, i.currency, a.amount_minor, a.applied_on
		FROM allocations a JOIN invoices i ON i.id = a.invoice_id WHERE a.`+col+` = ? ORDER BY a.applied_on, a.payment_id, a.invoice_id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ledger.Allocation
	for rows.Next() {
		var al ledger.Allocation
		var cur string
		var amount int64
		if err := rows.Scan(&al.PaymentID, &al.InvoiceID, &cur, &amount, &al.AppliedOn); err != nil {
			return nil, err
		}
		al.Amount = money.New(amount, money.Currency(cur))
		out = append(out, al)
	}
	return out, rows.Err()
}

// PaymentAllocations implements store.Tx.
func (t *Tx) PaymentAllocations(ctx context.Context, paymentID string) ([]ledger.Allocation, error) {
	return t.allocations(ctx, "payment_id", paymentID)
}

// CustomerAllocations implements store.Tx.
func (t *Tx) CustomerAllocations(ctx context.Context, customerID string) ([]ledger.Allocation, error) {
	return t.allocations(ctx, "customer_id", customerID)
}

// Unapplied implements store.Tx.
func (t *Tx) Unapplied(ctx context.Context, customerID string) (map[money.Currency]money.Wide, error) {
	return t.sumsByCurrency(ctx, `SELECT currency, `+wideSum("unapplied_minor")+` FROM payments WHERE customer_id = ? AND unapplied_minor > 0 GROUP BY currency`, customerID)
}

// CustomerLedgers implements store.Tx.
func (t *Tx) CustomerLedgers(ctx context.Context, customerIDs []string) (map[string][]ledger.Invoice, map[string][]ledger.Payment, error) {
	// No ORDER BY: SQLite would copy every row into a sorter; each
	// customer's few invoices are sorted here instead.
	invs, err := byCustomers(ctx, t, `SELECT `+t.textDates(InvoiceColumns, "issue_date", "due_date", "voided_on")+` FROM invoices WHERE customer_id IN (`, "", customerIDs, scanInvoice,
		func(inv ledger.Invoice) string { return inv.CustomerID })
	if err != nil {
		return nil, nil, err
	}
	for _, list := range invs {
		slices.SortFunc(list, func(a, b ledger.Invoice) int { return strings.Compare(a.ID, b.ID) })
	}
	pays, err := byCustomers(ctx, t, `SELECT `+t.textDates(paymentColumns, "received_on")+` FROM payments WHERE customer_id IN (`, "id", customerIDs, scanPayment,
		func(p ledger.Payment) string { return p.CustomerID })
	return invs, pays, err
}
