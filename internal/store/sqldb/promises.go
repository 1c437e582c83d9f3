package sqldb

import (
	"context"

	"settle/internal/ids"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/store"
)

const promiseCols = `id, customer_id, currency, amount_minor, promised_on, due_date, channel, note, created_at`

func scanPromise(sc scanner) (ledger.Promise, error) {
	var p ledger.Promise
	var cur string
	var amount int64
	err := sc.Scan(&p.ID, &p.CustomerID, &cur, &amount, &p.PromisedOn, &p.DueDate, &p.Channel, &p.Note, &p.CreatedAt)
	p.Amount = money.New(amount, money.Currency(cur))
	p.CreatedAt = p.CreatedAt.UTC()
	return p, err
}

// InsertPromise implements store.Tx.
func (t *Tx) InsertPromise(ctx context.Context, p *ledger.Promise) error {
	if p.ID == "" {
		p.ID = ids.New(ids.Promise)
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = t.now
	}
	_, err := t.Exec(ctx, `INSERT INTO promises (`+promiseCols+`) VALUES (?,?,?,?,?,?,?,?,?)`,
		p.ID, p.CustomerID, string(p.Amount.Currency()), p.Amount.Minor(), p.PromisedOn, p.DueDate, p.Channel, p.Note, p.CreatedAt.UTC())
	return err
}

// Promises implements store.Tx.
func (t *Tx) Promises(ctx context.Context, f store.PromiseFilter) ([]ledger.Promise, string, error) {
	var c conds
	c.eq("customer_id", f.CustomerID)
	rows, limit, err := t.listRows(ctx, promiseCols, "promises", f.Page, c)
	if err != nil {
		return nil, "", err
	}
	return page(rows, limit, scanPromise, func(p ledger.Promise) string { return p.ID })
}
