package service

import (
	"context"
	"fmt"
	"time"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/plan"
	"settle/internal/store"
)

// PaymentInput is the body of a payment (or credit note) record.
type PaymentInput struct {
	CustomerID string `json:"customer_id" doc:"Customer id or external_ref"`
	ReceivedOn string `json:"received_on" doc:"YYYY-MM-DD"`
	Currency   string `json:"currency"`
	Amount     string `json:"amount"`
	Method     string `json:"method,omitempty" doc:"e.g. bank_transfer (default), card, cash, check, direct_debit" maxLength:"32"`
	Reference  string `json:"reference,omitempty" maxLength:"128"`
	InvoiceID  string `json:"invoice_id,omitempty" doc:"The invoice (id or number) the customer says this pays; applied there first"`
	Kind       string `json:"kind,omitempty" doc:"payment (default) or credit_note"`
	PlanID     string `json:"plan_id,omitempty" doc:"The plan the customer is paying: it must be active (payments to a cancelled or superseded plan are refused)"`
	// AllowFuture records a payment dated more than a day after today,
	// which is otherwise refused (docs/ledger.md).
	AllowFuture bool `json:"allow_future,omitempty" doc:"Record a payment dated more than a day after today (refused without it)"`
}

// PaymentView is a payment with how it was allocated.
type PaymentView struct {
	Payment     ledger.Payment
	Allocations []ledger.Allocation
	Unapplied   int64
}

// RecordPayment records a payment and allocates it (and replays the
// customer's ledger, so a back-dated payment lands where it belongs).
func (s *Service) RecordPayment(ctx context.Context, in PaymentInput) (*PaymentView, error) {
	if _, err := require(ctx, RoleAgent); err != nil {
		return nil, err
	}
	var view PaymentView
	err := s.store.Tx(ctx, func(tx store.Tx) (err error) {
		view, err = recordPayment(ctx, tx, in)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &view, nil
}

// recordPayment is RecordPayment in the caller's transaction (the bank
// statement import records its matched lines with it); the caller checks
// the role.
func recordPayment(ctx context.Context, tx store.Tx, in PaymentInput) (PaymentView, error) {
	var fs apperr.Fields
	p := ledger.Payment{Kind: in.Kind, Method: in.Method, Reference: in.Reference}
	p.Normalize()
	p.ReceivedOn = parseDate(&fs, "received_on", in.ReceivedOn, true)
	if err := checkNotFuture(p.ReceivedOn, tx.Now()); err != nil && !in.AllowFuture {
		fs.Add("received_on", "%s", err)
	}
	p.Amount = parseMoney(&fs, "currency", in.Currency, "amount", in.Amount)
	if in.CustomerID == "" {
		fs.Add("customer_id", "is required")
	}
	if len(fs) > 0 {
		return PaymentView{}, fs.Err("payment")
	}
	var view PaymentView
	err := func() error {
		c, err := tx.Customer(ctx, in.CustomerID)
		if err != nil {
			return fieldNotFound("customer_id", err)
		}
		p.CustomerID = c.ID
		if in.InvoiceID != "" {
			inv, err := tx.Invoice(ctx, in.InvoiceID)
			if err != nil {
				return fieldNotFound("invoice_id", err)
			}
			if inv.CustomerID != c.ID {
				return apperr.Field("invoice_id", "invoice %s belongs to another customer", inv.Number)
			}
			if inv.Amount.Currency() != p.Amount.Currency() {
				return apperr.Field("currency", "%s does not match invoice %s's currency %s", p.Amount.Currency(), inv.Number, inv.Amount.Currency())
			}
			p.InvoiceID = inv.ID
		}
		if in.PlanID != "" {
			pl, err := tx.Plan(ctx, in.PlanID)
			if err != nil {
				return fieldNotFound("plan_id", err)
			}
			switch {
			case pl.CustomerID != c.ID:
				return apperr.Field("plan_id", "plan %s belongs to another customer", pl.ID)
			case pl.Status != plan.Active:
				return apperr.Errorf(apperr.Conflict, "plan %s is %s: it takes no payments", pl.ID, pl.Status)
			case pl.Balance.Currency() != p.Amount.Currency():
				return apperr.Field("currency", "%s does not match plan %s's currency %s", p.Amount.Currency(), pl.ID, pl.Balance.Currency())
			}
		}
		if err := p.Validate(); err != nil {
			return err
		}
		if err := tx.InsertPayment(ctx, &p); err != nil {
			return err
		}
		a, err := reallocate(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		view = viewOf(p, a)
		asOf := civil.In(tx.Now(), time.UTC)
		if p.ReceivedOn.After(asOf) {
			asOf = p.ReceivedOn
		}
		if err := recordCompletions(ctx, tx, c.ID, asOf); err != nil {
			return err
		}
		return audit(ctx, tx, "payment.create", "payment", p.ID, in)
	}()
	return view, err
}

func viewOf(p ledger.Payment, a ledger.Allocated) PaymentView {
	v := PaymentView{Payment: p, Unapplied: a.Unapplied[p.ID].Minor()}
	for _, al := range a.Allocations {
		if al.PaymentID == p.ID {
			v.Allocations = append(v.Allocations, al)
		}
	}
	return v
}

// Payment returns a payment with its allocations.
func (s *Service) Payment(ctx context.Context, id string) (*PaymentView, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	var v PaymentView
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		p, err := tx.Payment(ctx, id)
		if err != nil {
			return err
		}
		v, err = loadView(ctx, tx, *p)
		return err
	})
	return &v, err
}

func loadView(ctx context.Context, tx store.Tx, p ledger.Payment) (PaymentView, error) {
	allocs, err := tx.PaymentAllocations(ctx, p.ID)
	if err != nil {
		return PaymentView{}, err
	}
	var applied int64
	for _, a := range allocs {
		applied += a.Amount.Minor()
	}
	return PaymentView{Payment: p, Allocations: allocs, Unapplied: p.Amount.Minor() - applied}, nil
}

// Payments lists payments with their allocations; CustomerID may be an external_ref.
func (s *Service) Payments(ctx context.Context, f store.PaymentFilter) (list []PaymentView, next string, err error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, "", err
	}
	err = s.store.ReadTx(ctx, func(tx store.Tx) error {
		var err error
		if f.CustomerID, err = customerFilter(ctx, tx, f.CustomerID); err != nil {
			return err
		}
		pays, n, err := tx.Payments(ctx, f)
		if err != nil {
			return err
		}
		next = n
		for _, p := range pays {
			v, err := loadView(ctx, tx, p)
			if err != nil {
				return err
			}
			list = append(list, v)
		}
		return nil
	})
	return list, next, err
}

// checkNotFuture refuses a payment received more than a day after today
// (UTC; the day's slack covers payers in time zones ahead of UTC): a
// payment is recorded when it has been received, and a future date would
// count it in today's balances and reports. There is no way to force
// one but PaymentInput.AllowFuture (docs/ledger.md).
func checkNotFuture(receivedOn civil.Date, now time.Time) error {
	if latest := civil.In(now, time.UTC).AddDays(1); receivedOn.After(latest) {
		return fmt.Errorf("%s is in the future: a payment can be dated %s at the latest", receivedOn, latest)
	}
	return nil
}
