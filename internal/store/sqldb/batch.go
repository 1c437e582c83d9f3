package sqldb

import (
	"context"

	"settle/internal/ledger"
	"settle/internal/store"
)

// byCustomers runs q (whose WHERE ends with "<column> IN (") for the
// customer ids in chunks, ordered by orderBy (none when empty), and groups
// the rows by customer.
func byCustomers[T any](ctx context.Context, t *Tx, q, orderBy string, customerIDs []string, scan func(scanner) (T, error), customer func(T) string) (map[string][]T, error) {
	out := map[string][]T{}
	for start := 0; start < len(customerIDs); start += bulkChunk {
		end := min(start+bulkChunk, len(customerIDs))
		args := make([]any, 0, end-start)
		for _, id := range customerIDs[start:end] {
			args = append(args, id)
		}
		order := ""
		if orderBy != "" {
			order = ` ORDER BY ` + orderBy
		}
		rows, err := t.query(ctx, q+placeholders(end-start)+`)`+order, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			v, err := scan(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[customer(v)] = append(out[customer(v)], v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// PromisesFor implements store.Tx.
func (t *Tx) PromisesFor(ctx context.Context, customerIDs []string) (map[string][]ledger.Promise, error) {
	return byCustomers(ctx, t, `SELECT `+promiseCols+` FROM promises WHERE customer_id IN (`, "id", customerIDs, scanPromise,
		func(p ledger.Promise) string { return p.CustomerID })
}

// ActivePlansFor implements store.Tx.
func (t *Tx) ActivePlansFor(ctx context.Context, customerIDs []string) (map[string][]string, error) {
	type row struct{ id, customer string }
	rows, err := byCustomers(ctx, t, `SELECT id, customer_id FROM plans WHERE status = 'active' AND customer_id IN (`, "id", customerIDs,
		func(sc scanner) (row, error) {
			var r row
			err := sc.Scan(&r.id, &r.customer)
			return r, err
		}, func(r row) string { return r.customer })
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for c, rs := range rows {
		for _, r := range rs {
			out[c] = append(out[c], r.id)
		}
	}
	return out, nil
}

// CallsFor implements store.Tx.
func (t *Tx) CallsFor(ctx context.Context, customerIDs []string) (map[string][]store.Interaction, error) {
	return byCustomers(ctx, t, `SELECT `+interactionCols+` FROM interactions WHERE kind = 'call' AND customer_id IN (`, "id", customerIDs, scanInteraction,
		func(i store.Interaction) string { return i.CustomerID })
}

// SetOptOut implements store.Tx.
func (t *Tx) SetOptOut(ctx context.Context, customerID, channel string, optedOut bool, source string) error {
	if !optedOut {
		_, err := t.Exec(ctx, `DELETE FROM opt_outs WHERE customer_id = ? AND channel = ?`, customerID, channel)
		return err
	}
	_, err := t.Exec(ctx, `INSERT INTO opt_outs (customer_id, channel, at, source) VALUES (?,?,?,?) ON CONFLICT (customer_id, channel) DO NOTHING`,
		customerID, channel, t.now.UTC(), source)
	return err
}

// OptOuts implements store.Tx.
func (t *Tx) OptOuts(ctx context.Context, customerIDs []string) (map[string]map[string]bool, error) {
	type row struct{ customer, channel string }
	rows, err := byCustomers(ctx, t, `SELECT customer_id, channel FROM opt_outs WHERE customer_id IN (`, "customer_id, channel", customerIDs,
		func(sc scanner) (row, error) {
			var r row
			err := sc.Scan(&r.customer, &r.channel)
			return r, err
		}, func(r row) string { return r.customer })
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]bool{}
	for c, rs := range rows {
		out[c] = map[string]bool{}
		for _, r := range rs {
			out[c][r.channel] = true
		}
	}
	return out, nil
}
