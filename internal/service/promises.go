package service

import (
	"context"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/store"
)

// PromiseInput records a customer's promise to pay.
type PromiseInput struct {
	CustomerID string `json:"customer_id" doc:"Customer id or external_ref"`
	Currency   string `json:"currency"`
	Amount     string `json:"amount"`
	DueDate    string `json:"due_date" doc:"YYYY-MM-DD: the date the customer will pay by"`
	PromisedOn string `json:"promised_on,omitempty" doc:"YYYY-MM-DD: when the promise was made (default today); payments from this date count"`
	Channel    string `json:"channel,omitempty" doc:"call (default), email, letter, portal, meeting or other"`
	Note       string `json:"note,omitempty" maxLength:"2000"`
}

// PromiseView is a promise judged as of a date.
type PromiseView struct {
	Promise ledger.Promise
	AsOf    civil.Date
	Status  string
	Paid    money.Amount
}

// CreatePromise records a promise to pay.
func (s *Service) CreatePromise(ctx context.Context, in PromiseInput) (*PromiseView, error) {
	if _, err := require(ctx, RoleAgent); err != nil {
		return nil, err
	}
	var fs apperr.Fields
	p := ledger.Promise{Channel: in.Channel, Note: in.Note}
	p.Normalize()
	p.Amount = parseMoney(&fs, "currency", in.Currency, "amount", in.Amount)
	p.DueDate = parseDate(&fs, "due_date", in.DueDate, true)
	p.PromisedOn = parseDate(&fs, "promised_on", in.PromisedOn, false)
	if in.CustomerID == "" {
		fs.Add("customer_id", "is required")
	}
	if len(fs) > 0 {
		return nil, fs.Err("promise")
	}
	today := s.Today()
	if p.PromisedOn.IsZero() {
		p.PromisedOn = today
	}
	var view PromiseView
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		c, err := tx.Customer(ctx, in.CustomerID)
		if err != nil {
			return fieldNotFound("customer_id", err)
		}
		p.CustomerID = c.ID
		if err := p.Validate(); err != nil {
			return err
		}
		if err := tx.InsertPromise(ctx, &p); err != nil {
			return err
		}
		_, pays, err := tx.CustomerLedger(ctx, c.ID)
		if err != nil {
			return err
		}
		view = judge(p, today, pays)
		return audit(ctx, tx, "promise.create", "promise", p.ID, in)
	})
	if err != nil {
		return nil, err
	}
	return &view, nil
}

func judge(p ledger.Promise, asOf civil.Date, pays []ledger.Payment) PromiseView {
	status, paid := p.StatusAsOf(asOf, pays)
	return PromiseView{Promise: p, AsOf: asOf, Status: status, Paid: paid}
}

// Promises lists the promises made by asOf, each judged as of asOf;
// status, when set, keeps only promises in that state.
func (s *Service) Promises(ctx context.Context, f store.PromiseFilter, asOf civil.Date, status string) (list []PromiseView, next string, err error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, "", err
	}
	switch status {
	case "", ledger.PromiseOpen, ledger.PromiseKept, ledger.PromiseBroken:
	default:
		return nil, "", apperr.Field("status", "%q must be open, kept or broken", status)
	}
	err = s.store.ReadTx(ctx, func(tx store.Tx) error {
		var err error
		if f.CustomerID, err = customerFilter(ctx, tx, f.CustomerID); err != nil {
			return err
		}
		promises, n, err := tx.Promises(ctx, f)
		if err != nil {
			return err
		}
		next = n
		payments := map[string][]ledger.Payment{}
		for _, p := range promises {
			if p.PromisedOn.After(asOf) {
				continue // not yet made on that date
			}
			pays, ok := payments[p.CustomerID]
			if !ok {
				if _, pays, err = tx.CustomerLedger(ctx, p.CustomerID); err != nil {
					return err
				}
				payments[p.CustomerID] = pays
			}
			if v := judge(p, asOf, pays); status == "" || v.Status == status {
				list = append(list, v)
			}
		}
		return nil
	})
	return list, next, err
}
