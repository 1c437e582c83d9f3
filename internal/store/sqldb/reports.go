package sqldb

import (
	"context"
	"database/sql"
	"fmt"

	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/store"
)

// OpenItems implements store.Tx: the balance of each invoice as of a date
// is its amount less the allocations applied by then (ledger.Allocate
// dates every allocation so that this holds).
func (t *Tx) OpenItems(ctx context.Context, f store.OpenItemFilter, fn func(ledger.OpenItem) error) error {
	q := `SELECT i.customer_id, c.external_ref, i.currency, i.due_date,
		i.amount_minor - COALESCE((SELECT SUM(a.amount_minor) FROM allocations a
			WHERE a.invoice_id = i.id AND a.applied_on <= ?), 0) AS open_minor
		FROM invoices i JOIN customers c ON c.id = i.customer_id
		WHERE i.issue_date <= ? AND (i.voided_on IS NULL OR i.voided_on > ?)`
	asOf := f.AsOf
	args := []any{asOf, asOf, asOf}
	if f.Currency != "" {
		q += ` AND i.currency = ?`
		args = append(args, string(f.Currency))
	}
	if f.CustomerID != "" {
		q += ` AND i.customer_id = ?`
		args = append(args, f.CustomerID)
	}
	rows, err := t.query(ctx, `SELECT * FROM (`+q+`) open_items WHERE open_minor > 0`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var it ledger.OpenItem
		var ref sql.NullString
		var cur string
		if err := rows.Scan(&it.CustomerID, &ref, &cur, &it.DueDate, &it.Balance); err != nil {
			return err
		}
		it.ExternalRef, it.Currency = ref.String, money.Currency(cur)
		if err := fn(it); err != nil {
			return err
		}
	}
	return rows.Err()
}

// wideSum is a SUM of an integer column that cannot overflow, on either
// engine: SQLite's SUM raises "integer overflow" past int64 and
// PostgreSQL's SUM(bigint) is a numeric that does not scan into an int64.
// It sums the quotient and remainder of col / 2^32 (two int64 columns that
// fit for up to 2^32 rows), which scanWide joins into a money.Wide.
func wideSum(col string) string {
	return fmt.Sprintf("SUM(%[1]s / %[2]d), SUM(%[1]s %% %[2]d)", col, int64(money.WideSplit))
}

// wideParts receives the two columns of wideSum.
type wideParts struct{ q, r sql.NullInt64 }

func (w *wideParts) dest() []any { return []any{&w.q, &w.r} }

func (w *wideParts) wide() money.Wide { return money.WideFromSplit(w.q.Int64, w.r.Int64) }

// Sales implements store.Tx.
func (t *Tx) Sales(ctx context.Context, currency money.Currency, from, to civil.Date) (money.Wide, error) {
	var w wideParts
	err := t.queryRow(ctx, `SELECT `+wideSum("amount_minor")+` FROM invoices WHERE currency = ? AND issue_date >= ? AND issue_date <= ?
		AND (voided_on IS NULL OR voided_on > ?) AND charge = ''`, string(currency), from, to, to).Scan(w.dest()...)
	return w.wide(), err
}

// OpenBalances implements store.Tx: the stored balances of invoices that
// are not void and not paid, per currency (today's figure, not as of a date).
func (t *Tx) OpenBalances(ctx context.Context) (map[money.Currency]money.Wide, error) {
	return t.sumsByCurrency(ctx, `SELECT currency, `+wideSum("balance_minor")+` FROM invoices WHERE voided_on IS NULL AND balance_minor > 0 GROUP BY currency`)
}

// CustomerOpenBalances implements store.Tx, in chunks of customers looked
// up through the customer index. The database keeps only the balances that
// may reach atLeast (a HAVING on a floating-point sum, which cannot overflow
// on either engine, with a margin for its rounding); the exact wide sums
// are then compared in Go.
func (t *Tx) CustomerOpenBalances(ctx context.Context, customerIDs []string, atLeast int64) (map[string]map[money.Currency]money.Wide, error) {
	out := map[string]map[money.Currency]money.Wide{}
	const sel = `SELECT customer_id, currency, `
	const where = ` FROM invoices WHERE voided_on IS NULL AND balance_minor > 0`
	const having = ` GROUP BY customer_id, currency HAVING SUM(CAST(balance_minor AS DOUBLE PRECISION)) >= ?`
	floor := float64(atLeast) * (1 - 1e-6)
	keep := func(rows *sql.Rows) error {
		defer rows.Close()
		for rows.Next() {
			var id, cur string
			var w wideParts
			if err := rows.Scan(append([]any{&id, &cur}, w.dest()...)...); err != nil {
				return err
			}
			if w.wide().Cmp(money.WideOf(atLeast)) < 0 {
				continue
			}
			if out[id] == nil {
				out[id] = map[money.Currency]money.Wide{}
			}
			out[id][money.Currency(cur)] = w.wide()
		}
		return rows.Err()
	}
	for start := 0; start < len(customerIDs); start += bulkChunk {
		end := min(start+bulkChunk, len(customerIDs))
		args := make([]any, 0, end-start+1)
		for _, id := range customerIDs[start:end] {
			args = append(args, id)
		}
		rows, err := t.query(ctx, sel+wideSum("balance_minor")+where+` AND customer_id IN (`+placeholders(end-start)+`)`+having, append(args, floor)...)
		if err != nil {
			return nil, err
		}
		if err := keep(rows); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// sumsByCurrency reads rows of (currency, wideSum(...)).
func (t *Tx) sumsByCurrency(ctx context.Context, q string, args ...any) (map[money.Currency]money.Wide, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[money.Currency]money.Wide{}
	for rows.Next() {
		var cur string
		var w wideParts
		if err := rows.Scan(append([]any{&cur}, w.dest()...)...); err != nil {
			return nil, err
		}
		out[money.Currency(cur)] = w.wide()
	}
	return out, rows.Err()
}

// Currencies implements store.Tx.
func (t *Tx) Currencies(ctx context.Context) ([]money.Currency, error) {
	rows, err := t.query(ctx, `SELECT DISTINCT currency FROM invoices ORDER BY currency`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []money.Currency
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, money.Currency(c))
	}
	return out, rows.Err()
}

// Counts implements store.Tx.
func (t *Tx) Counts(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	for _, table := range []string{"customers", "invoices", "payments", "allocations", "promises", "imports", "audit_log"} {
		var n int64
		if err := t.queryRow(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
			return nil, err
		}
		out[table] = n
	}
	return out, nil
}
