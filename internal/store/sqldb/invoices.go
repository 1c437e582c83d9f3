package sqldb

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"settle/internal/apperr"
	"settle/internal/ids"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/store"
)

// InvoiceColumns are the invoices table's columns in the order of
// invoiceRow (dialects' bulk loaders use them).
var InvoiceColumns = []string{"id", "number", "customer_id", "issue_date", "due_date", "currency",
	"amount_minor", "balance_minor", "disputed", "voided_on", "void_reason", "import_id", "created_at", "charge", "charge_for"}

var invoiceCols = strings.Join(InvoiceColumns, ", ")

// InsertInvoiceSQL inserts one invoice row unless its number exists.
var InsertInvoiceSQL = `INSERT INTO invoices (` + invoiceCols + `) VALUES (` + placeholders(len(InvoiceColumns)) + `) ON CONFLICT (number) DO NOTHING`

func (t *Tx) invoiceRow(inv *ledger.Invoice) []any {
	if inv.ID == "" {
		inv.ID = ids.New(ids.Invoice)
	}
	if inv.CreatedAt.IsZero() {
		inv.CreatedAt = t.now
	}
	if inv.Balance.Currency() == "" {
		inv.Balance = inv.Amount
	}
	return []any{inv.ID, inv.Number, inv.CustomerID, inv.IssueDate, inv.DueDate,
		string(inv.Amount.Currency()), inv.Amount.Minor(), inv.Balance.Minor(), inv.Disputed,
		inv.VoidedOn, inv.VoidReason, nullString(inv.ImportID), inv.CreatedAt.UTC(), inv.Charge, inv.ChargeFor}
}

func scanInvoice(sc scanner) (ledger.Invoice, error) {
	var inv ledger.Invoice
	var cur string
	var amount, balance int64
	var importID sql.NullString
	err := sc.Scan(&inv.ID, &inv.Number, &inv.CustomerID, &inv.IssueDate, &inv.DueDate, &cur, &amount, &balance,
		&inv.Disputed, &inv.VoidedOn, &inv.VoidReason, &importID, &inv.CreatedAt, &inv.Charge, &inv.ChargeFor)
	inv.Amount = money.New(amount, money.Currency(cur))
	inv.Balance = money.New(balance, money.Currency(cur))
	inv.ImportID = importID.String
	inv.CreatedAt = inv.CreatedAt.UTC()
	return inv, err
}

func duplicateNumber(number string) error {
	return &apperr.Error{Code: apperr.Conflict, Message: "invoice already exists",
		Fields: []apperr.FieldError{{Field: "number", Message: "an invoice numbered " + quote(number) + " already exists"}}}
}

// InsertInvoice implements store.Tx.
func (t *Tx) InsertInvoice(ctx context.Context, inv *ledger.Invoice) error {
	_, err := t.Exec(ctx, `INSERT INTO invoices (`+invoiceCols+`) VALUES (`+placeholders(len(InvoiceColumns))+`)`, t.invoiceRow(inv)...)
	if t.s.dialect.IsUniqueViolation(err) {
		return duplicateNumber(inv.Number)
	}
	if err != nil {
		return err
	}
	return t.wakeInserted(ctx, []string{inv.CustomerID})
}

// wakeInserted makes the customers of newly inserted invoices due at the
// next run (see migration 00011; the other changes wake by triggers): in
// one statement per batch, and each customer once per transaction, which
// keeps a bulk load from rewriting a customer's row batch after batch.
func (t *Tx) wakeInserted(ctx context.Context, customerIDs []string) error {
	if len(customerIDs) == 0 {
		return nil
	}
	// Once per customer and transaction: a run compares versions across
	// transactions, so one count per transaction is enough, and a bulk
	// load's later batches find their customers woken already.
	if t.woken == nil {
		t.woken = map[string]bool{}
	}
	var ids []string
	for _, id := range customerIDs {
		if !t.woken[id] {
			t.woken[id] = true
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for start := 0; start < len(ids); start += bulkChunk {
		end := min(start+bulkChunk, len(ids))
		args := make([]any, 0, end-start)
		for _, id := range ids[start:end] {
			args = append(args, id)
		}
		if _, err := t.Exec(ctx, `UPDATE customers SET wake_on = ?, wake_version = wake_version + 1 WHERE id IN (`+placeholders(end-start)+`)`,
			append([]any{store.WakeNow}, args...)...); err != nil {
			return err
		}
	}
	return nil
}

// bulkChunk rows go in one multi-row INSERT: 500 × 13 parameters stays
// far below both engines' limits and amortises statement overhead.
const bulkChunk = 500

// InsertInvoices implements store.Tx.
func (t *Tx) InsertInvoices(ctx context.Context, batch []ledger.Invoice) ([]int, error) {
	rows := make([][]any, len(batch))
	for i := range batch {
		rows[i] = t.invoiceRow(&batch[i])
	}
	customers := make([]string, len(batch))
	for i := range batch {
		customers[i] = batch[i].CustomerID
	}
	if conflicts, handled, err := t.s.dialect.BulkInvoices(ctx, t, rows); err != nil || handled {
		if err == nil {
			err = t.wakeInserted(ctx, customers)
		}
		return conflicts, err
	}
	if err := t.wakeInserted(ctx, customers); err != nil {
		return nil, err
	}
	var conflicts []int
	for start := 0; start < len(rows); start += bulkChunk {
		end := min(start+bulkChunk, len(rows))
		res, err := t.Exec(ctx, multiInsert("invoices", invoiceCols, len(InvoiceColumns), end-start)+` ON CONFLICT (number) DO NOTHING`, flatten(rows[start:end])...)
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); int(n) == end-start {
			continue
		}
		// Some rows were skipped: those whose stored id is not the one we made.
		numbers := make([]string, 0, end-start)
		for i := start; i < end; i++ {
			numbers = append(numbers, batch[i].Number)
		}
		stored, err := t.idsByNumber(ctx, numbers)
		if err != nil {
			return nil, err
		}
		for i := start; i < end; i++ {
			if stored[batch[i].Number] != batch[i].ID {
				conflicts = append(conflicts, i)
			}
		}
	}
	return conflicts, nil
}

func (t *Tx) idsByNumber(ctx context.Context, numbers []string) (map[string]string, error) {
	out := make(map[string]string, len(numbers))
	for start := 0; start < len(numbers); start += bulkChunk {
		end := min(start+bulkChunk, len(numbers))
		args := make([]any, 0, end-start)
		for _, n := range numbers[start:end] {
			args = append(args, n)
		}
		rows, err := t.query(ctx, `SELECT number, id FROM invoices WHERE number IN (`+placeholders(end-start)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var n, id string
			if err := rows.Scan(&n, &id); err != nil {
				rows.Close()
				return nil, err
			}
			out[n] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// InvoicesByNumber implements store.Tx.
func (t *Tx) InvoicesByNumber(ctx context.Context, numbers []string) (map[string]ledger.Invoice, error) {
	out := make(map[string]ledger.Invoice, len(numbers))
	for start := 0; start < len(numbers); start += bulkChunk {
		end := min(start+bulkChunk, len(numbers))
		args := make([]any, 0, end-start)
		for _, n := range numbers[start:end] {
			args = append(args, n)
		}
		rows, err := t.query(ctx, `SELECT `+invoiceCols+` FROM invoices WHERE number IN (`+placeholders(end-start)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			inv, err := scanInvoice(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[inv.Number] = inv
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// UpdateInvoiceFlags implements store.Tx: the mutable parts of an invoice
// (dispute flag and void).
func (t *Tx) UpdateInvoiceFlags(ctx context.Context, inv *ledger.Invoice) error {
	res, err := t.Exec(ctx, `UPDATE invoices SET disputed=?, voided_on=?, void_reason=? WHERE id=?`,
		inv.Disputed, inv.VoidedOn, inv.VoidReason, inv.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("invoice", inv.ID)
	}
	return nil
}

// Invoice implements store.Tx.
func (t *Tx) Invoice(ctx context.Context, idOrNumber string) (*ledger.Invoice, error) {
	col := "number"
	if ids.HasPrefix(idOrNumber, ids.Invoice) {
		col = "id"
	}
	inv, err := scanInvoice(t.queryRow(ctx, `SELECT `+invoiceCols+` FROM invoices WHERE `+col+` = ?`, idOrNumber))
	if isNoRows(err) {
		return nil, notFound("invoice", idOrNumber)
	}
	if err != nil {
		return nil, err
	}
	return &inv, nil
}

// Invoices implements store.Tx.
func (t *Tx) Invoices(ctx context.Context, f store.InvoiceFilter) ([]ledger.Invoice, string, error) {
	var c conds
	c.eq("customer_id", f.CustomerID)
	c.eq("currency", string(f.Currency))
	switch f.Status {
	case "":
	case ledger.StatusOpen:
		c.where = append(c.where, "voided_on IS NULL AND balance_minor > 0")
	case ledger.StatusPaid:
		c.where = append(c.where, "voided_on IS NULL AND balance_minor = 0")
	case ledger.StatusVoid:
		c.where = append(c.where, "voided_on IS NOT NULL")
	default:
		return nil, "", apperr.Field("status", "%q must be open, paid or void", f.Status)
	}
	rows, limit, err := t.listRows(ctx, invoiceCols, "invoices", f.Page, c)
	if err != nil {
		return nil, "", err
	}
	return page(rows, limit, scanInvoice, func(v ledger.Invoice) string { return v.ID })
}

func multiInsert(table, cols string, ncols, nrows int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + cols + ") VALUES ")
	row := "(" + placeholders(ncols) + ")"
	for i := 0; i < nrows; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(row)
	}
	return b.String()
}

func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?,", n-1) + "?"
}

func flatten(rows [][]any) []any {
	if len(rows) == 0 {
		return nil
	}
	out := make([]any, 0, len(rows)*len(rows[0]))
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}
