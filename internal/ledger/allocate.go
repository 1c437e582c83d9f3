package ledger

import (
	"sort"

	"settle/internal/civil"
	"settle/internal/money"
)

// Allocation applies part of a payment (or credit note) to an invoice on a
// date.
type Allocation struct {
	PaymentID string
	InvoiceID string
	Amount    money.Amount
	AppliedOn civil.Date
}

// Allocated is the result of allocating a customer's payments to their
// invoices.
type Allocated struct {
	Allocations []Allocation
	// Balances maps every invoice id to its open balance after all
	// allocations (void invoices keep their full amount: they are not
	// collected, and their status says so).
	Balances map[string]money.Amount
	// Unapplied maps a payment id to the part of it not applied to any
	// invoice: the customer's credit, never lost.
	Unapplied map[string]money.Amount
}

// Allocate replays one customer's ledger in date order and applies every
// payment and credit note to invoices. The rules (docs/ledger.md):
//
//  1. Events are taken in date order: invoices by issue date, payments by
//     received date (ties: invoices first, then by due date and number;
//     payments by id, which is creation order).
//  2. A payment that names an invoice is applied to it first, up to its
//     balance, if that invoice is issued, open and not void by then.
//  3. The rest is applied to open invoices of the same currency, oldest
//     due date first (then issue date, then number). Disputed invoices are
//     skipped: they are paid only when the payment names them.
//  4. What is left stays as the customer's credit in that currency and is
//     applied, first in first out, to each later invoice of that currency
//     on its issue date (again skipping disputed ones).
//  5. Void invoices never receive allocations.
//
// Because every allocation is dated on or after both the payment's and the
// invoice's date, and events are replayed in date order, the allocations
// dated on or before D are exactly what the ledger held on D: the balance
// of an invoice as of D is its amount less allocations applied by D.
func Allocate(invoices []Invoice, payments []Payment) Allocated {
	invs := make([]*Invoice, len(invoices))
	for i := range invoices {
		invs[i] = &invoices[i]
	}
	sort.SliceStable(invs, func(i, j int) bool {
		a, b := invs[i], invs[j]
		if c := a.IssueDate.Compare(b.IssueDate); c != 0 {
			return c < 0
		}
		return dueOrder(a, b)
	})
	pays := make([]*Payment, len(payments))
	for i := range payments {
		pays[i] = &payments[i]
	}
	sort.SliceStable(pays, func(i, j int) bool {
		if c := pays[i].ReceivedOn.Compare(pays[j].ReceivedOn); c != 0 {
			return c < 0
		}
		return pays[i].ID < pays[j].ID
	})

	balance := make(map[string]int64, len(invs))
	for _, inv := range invs {
		balance[inv.ID] = inv.Amount.Minor()
	}
	remaining := make(map[string]int64, len(pays))
	var open []*Invoice                           // issued, not void, balance > 0; kept in due order
	credit := make(map[money.Currency][]*Payment) // payments with money left, FIFO
	var allocs []Allocation

	apply := func(p *Payment, inv *Invoice, on civil.Date) {
		n := min(remaining[p.ID], balance[inv.ID])
		if n <= 0 {
			return
		}
		remaining[p.ID] -= n
		balance[inv.ID] -= n
		allocs = append(allocs, Allocation{
			PaymentID: p.ID, InvoiceID: inv.ID,
			Amount: money.New(n, inv.Amount.Currency()), AppliedOn: on,
		})
	}
	dropPaid := func() {
		kept := open[:0]
		for _, inv := range open {
			if balance[inv.ID] > 0 {
				kept = append(kept, inv)
			}
		}
		open = kept
	}

	issue := func(inv *Invoice) {
		if !inv.VoidedOn.IsZero() {
			return
		}
		cur := inv.Amount.Currency()
		if !inv.Disputed {
			queue := credit[cur]
			for len(queue) > 0 && balance[inv.ID] > 0 {
				apply(queue[0], inv, inv.IssueDate)
				if remaining[queue[0].ID] == 0 {
					queue = queue[1:]
				}
			}
			credit[cur] = queue
		}
		if balance[inv.ID] > 0 {
			pos := sort.Search(len(open), func(i int) bool { return dueOrder(inv, open[i]) })
			open = append(open, nil)
			copy(open[pos+1:], open[pos:])
			open[pos] = inv
		}
	}
	receive := func(p *Payment) {
		remaining[p.ID] = p.Amount.Minor()
		cur := p.Amount.Currency()
		if p.InvoiceID != "" {
			for _, inv := range open {
				if inv.ID == p.InvoiceID && inv.Amount.Currency() == cur {
					apply(p, inv, p.ReceivedOn)
					break
				}
			}
		}
		for _, inv := range open {
			if remaining[p.ID] == 0 {
				break
			}
			if inv.Disputed || inv.Amount.Currency() != cur {
				continue
			}
			apply(p, inv, p.ReceivedOn)
		}
		dropPaid()
		if remaining[p.ID] > 0 {
			credit[cur] = append(credit[cur], p)
		}
	}

	i, j := 0, 0
	for i < len(invs) || j < len(pays) {
		if j == len(pays) || (i < len(invs) && !pays[j].ReceivedOn.Before(invs[i].IssueDate)) {
			issue(invs[i])
			i++
		} else {
			receive(pays[j])
			j++
		}
	}

	out := Allocated{
		Allocations: allocs,
		Balances:    make(map[string]money.Amount, len(invs)),
		Unapplied:   make(map[string]money.Amount),
	}
	for _, inv := range invs {
		out.Balances[inv.ID] = money.New(balance[inv.ID], inv.Amount.Currency())
	}
	for _, p := range pays {
		if r := remaining[p.ID]; r > 0 {
			out.Unapplied[p.ID] = money.New(r, p.Amount.Currency())
		}
	}
	return out
}

// dueOrder is the oldest-due-first order: due date, issue date, number.
func dueOrder(a, b *Invoice) bool {
	if c := a.DueDate.Compare(b.DueDate); c != 0 {
		return c < 0
	}
	if c := a.IssueDate.Compare(b.IssueDate); c != 0 {
		return c < 0
	}
	return a.Number < b.Number
}
