package service

import (
	"context"
	"fmt"
	"strings"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/store"
)

// InvoiceInput is the body of an invoice create.
type InvoiceInput struct {
	Number     string `json:"number" doc:"Your invoice number; unique; usable wherever an invoice id is" maxLength:"64"`
	CustomerID string `json:"customer_id" doc:"Customer id or external_ref"`
	IssueDate  string `json:"issue_date" doc:"YYYY-MM-DD"`
	DueDate    string `json:"due_date,omitempty" doc:"YYYY-MM-DD; default issue_date plus the customer's payment terms"`
	Currency   string `json:"currency" doc:"ISO 4217, upper case"`
	Amount     string `json:"amount" doc:"Decimal string with at most the currency's minor digits, e.g. 1234.50"`
	Disputed   bool   `json:"disputed,omitempty"`
}

// parseMoney parses a currency and an amount, naming the fields in errors.
func parseMoney(fs *apperr.Fields, curField, cur, amtField, amt string) money.Amount {
	c, err := money.ParseCurrency(strings.TrimSpace(cur))
	if err != nil {
		if cur == "" {
			fs.Add(curField, "is required")
		} else {
			fs.Add(curField, "%s", err)
		}
		return money.Amount{}
	}
	if amt == "" {
		fs.Add(amtField, "is required")
		return money.Zero(c)
	}
	a, err := money.Parse(strings.TrimSpace(amt), c)
	if err != nil {
		fs.Add(amtField, "%s", err)
		return money.Zero(c)
	}
	return a
}

func parseDate(fs *apperr.Fields, field, v string, required bool) civil.Date {
	if v == "" {
		if required {
			fs.Add(field, "is required")
		}
		return civil.Date{}
	}
	d, err := civil.Parse(v)
	if err != nil {
		fs.Add(field, "%s", err)
	}
	return d
}

// CreateInvoice adds an invoice and allocates any credit the customer holds.
func (s *Service) CreateInvoice(ctx context.Context, in InvoiceInput) (*ledger.Invoice, error) {
	if _, err := require(ctx, RoleAgent); err != nil {
		return nil, err
	}
	var fs apperr.Fields
	inv := ledger.Invoice{Number: in.Number, Disputed: in.Disputed}
	inv.Normalize()
	inv.IssueDate = parseDate(&fs, "issue_date", in.IssueDate, true)
	inv.DueDate = parseDate(&fs, "due_date", in.DueDate, false)
	inv.Amount = parseMoney(&fs, "currency", in.Currency, "amount", in.Amount)
	if in.CustomerID == "" {
		fs.Add("customer_id", "is required")
	}
	if len(fs) > 0 {
		return nil, fs.Err("invoice")
	}
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		c, err := tx.Customer(ctx, in.CustomerID)
		if err != nil {
			return fieldNotFound("customer_id", err)
		}
		inv.CustomerID = c.ID
		if inv.DueDate.IsZero() {
			inv.DueDate = inv.IssueDate.AddDays(c.PaymentTermsDays)
			if err := civil.CheckRange(inv.DueDate); err != nil {
				// A derived date must stay in range too (and used to be a
				// 500 when it passed 9999-12-31).
				return apperr.Field("due_date", "issue_date plus the customer's %d days of payment terms is %s, after %s: give a due_date", c.PaymentTermsDays, inv.DueDate, civil.MaxDate)
			}
		}
		if err := inv.Validate(); err != nil {
			return err
		}
		if err := tx.InsertInvoice(ctx, &inv); err != nil {
			return err
		}
		a, err := reallocate(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		over, err := balancesOverLimit(ctx, tx, []string{c.ID})
		if err != nil {
			return err
		}
		if b, ok := over[customerCurrency{c.ID, inv.Amount.Currency()}]; ok {
			return apperr.Field("amount", "%s", b)
		}
		inv.Balance = a.Balances[inv.ID]
		return audit(ctx, tx, "invoice.create", "invoice", inv.ID, in)
	})
	if err != nil {
		return nil, err
	}
	return &inv, nil
}

// balanceOver is a customer's open balance in one currency that is larger
// than a single amount may be.
type balanceOver struct {
	cur     money.Currency
	balance money.Wide
}

// customerCurrency is one customer's account in one currency.
type customerCurrency struct {
	customerID string
	cur        money.Currency
}

func (b balanceOver) String() string {
	return fmt.Sprintf("takes the customer's open balance to %s %s, more than one customer may owe in %s (at most %s %s)",
		b.balance.Text(b.cur), b.cur, b.cur, money.New(b.cur.MaxMinor(), b.cur), b.cur)
}

// balancesOverLimit returns the customers among ids whose open balance in
// some currency is beyond the single-amount limit (docs/ledger.md,
// "Limits"). New invoices may not take a balance there, so that every
// balance fits in one amount: it can become a plan, and a customer's
// figures stay exact in int64.
func balancesOverLimit(ctx context.Context, tx store.Tx, ids []string) (map[customerCurrency]balanceOver, error) {
	// The smallest limit of any currency (0 digits) is the floor the
	// store filters at; each balance is then held to its own currency's.
	per, err := tx.CustomerOpenBalances(ctx, ids, money.MaxMajorUnits)
	if err != nil {
		return nil, err
	}
	out := map[customerCurrency]balanceOver{}
	for id, byCur := range per {
		for cur, w := range byCur {
			if w.Cmp(money.WideOf(cur.MaxMinor())) > 0 {
				out[customerCurrency{id, cur}] = balanceOver{cur: cur, balance: w}
			}
		}
	}
	return out, nil
}

// fieldNotFound turns a not-found lookup of a referenced object into a
// validation error naming the field that referenced it.
func fieldNotFound(field string, err error) error {
	if e, ok := apperr.As(err); ok && e.Code == apperr.NotFound {
		return &apperr.Error{Code: apperr.Invalid, Message: "invalid " + field, Fields: []apperr.FieldError{{Field: field, Message: e.Message}}}
	}
	return err
}

// customerFilter resolves a list filter's customer (id or external_ref)
// to its id; empty stays empty.
func customerFilter(ctx context.Context, tx store.Tx, idOrRef string) (string, error) {
	if idOrRef == "" {
		return "", nil
	}
	c, err := tx.Customer(ctx, idOrRef)
	if err != nil {
		return "", fieldNotFound("customer_id", err)
	}
	return c.ID, nil
}

// InvoicePatch changes an invoice's dispute flag or voids it.
type InvoicePatch struct {
	Disputed   *bool   `json:"disputed,omitempty"`
	VoidedOn   *string `json:"voided_on,omitempty" doc:"YYYY-MM-DD: void the invoice from this date"`
	VoidReason *string `json:"void_reason,omitempty"`
}

// UpdateInvoice flags or clears a dispute, or voids the invoice. Either
// changes how payments are allocated, so the customer's ledger is replayed.
func (s *Service) UpdateInvoice(ctx context.Context, idOrNumber string, p InvoicePatch) (*ledger.Invoice, error) {
	if _, err := require(ctx, RoleAgent); err != nil {
		return nil, err
	}
	var fs apperr.Fields
	var voided civil.Date
	if p.VoidedOn != nil {
		voided = parseDate(&fs, "voided_on", *p.VoidedOn, true)
	}
	if err := fs.Err("invoice"); err != nil {
		return nil, err
	}
	var inv *ledger.Invoice
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		var err error
		if inv, err = tx.Invoice(ctx, idOrNumber); err != nil {
			return err
		}
		if p.Disputed != nil {
			inv.Disputed = *p.Disputed
		}
		if p.VoidedOn != nil {
			if !inv.VoidedOn.IsZero() {
				return apperr.Errorf(apperr.Conflict, "invoice %s was voided on %s already", inv.Number, inv.VoidedOn)
			}
			if voided.Before(inv.IssueDate) {
				return apperr.Field("voided_on", "%s is before the invoice's issue_date %s", voided, inv.IssueDate)
			}
			inv.VoidedOn = voided
		}
		if p.VoidReason != nil {
			inv.VoidReason = strings.TrimSpace(*p.VoidReason)
		}
		if err := tx.UpdateInvoiceFlags(ctx, inv); err != nil {
			return err
		}
		a, err := reallocate(ctx, tx, inv.CustomerID)
		if err != nil {
			return err
		}
		inv.Balance = a.Balances[inv.ID]
		return audit(ctx, tx, "invoice.update", "invoice", inv.ID, p)
	})
	return inv, err
}

// Invoice returns one invoice by id or number.
func (s *Service) Invoice(ctx context.Context, idOrNumber string) (*ledger.Invoice, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	var inv *ledger.Invoice
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		var err error
		inv, err = tx.Invoice(ctx, idOrNumber)
		return err
	})
	return inv, err
}

// Invoices lists invoices; CustomerID may be an external_ref.
func (s *Service) Invoices(ctx context.Context, f store.InvoiceFilter) (list []ledger.Invoice, next string, err error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, "", err
	}
	err = s.store.ReadTx(ctx, func(tx store.Tx) error {
		var err error
		if f.CustomerID, err = customerFilter(ctx, tx, f.CustomerID); err != nil {
			return err
		}
		list, next, err = tx.Invoices(ctx, f)
		return err
	})
	return list, next, err
}
