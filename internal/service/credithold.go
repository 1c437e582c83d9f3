package service

import (
	"context"
	"strings"
	"time"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/store"
	"settle/internal/text"
)

// A customer's credit hold (issue 16): staff set and release it with a
// reason (SetCreditHold), a collection step sets it (SetCreditHoldTx).
// Every change is one audit entry, "customer.credit_hold", holding the
// hold before and after. Messages may mention the hold only while it is
// set (docs/messages.md).

// CreditHoldInput is the whole credit hold state of a customer, as staff
// set it: on hold or not, why, and an optional credit limit.
type CreditHoldInput struct {
	Held     bool   `json:"held" doc:"true: on credit hold; false: released"`
	Reason   string `json:"reason" doc:"Why it is set or released (required; shown on the customer page and in the audit log)" maxLength:"500"`
	Limit    string `json:"limit,omitempty" doc:"Credit limit, a decimal string in the currency's minor digits; empty: no limit"`
	Currency string `json:"currency,omitempty" doc:"ISO 4217 currency of the limit (required with a limit)"`
}

func (in CreditHoldInput) hold(by string, on civil.Date) (ledger.CreditHold, error) {
	var fs apperr.Fields
	h := ledger.CreditHold{Held: in.Held, Reason: strings.TrimSpace(in.Reason), Since: on, By: by}
	if h.Reason == "" {
		fs.Add("reason", "is required")
	} else {
		text.Field(&fs, "reason", h.Reason, text.Line)
	}
	limit, cur := strings.TrimSpace(in.Limit), strings.ToUpper(strings.TrimSpace(in.Currency))
	switch {
	case limit == "" && cur != "":
		fs.Add("limit", "is required with a currency")
	case limit != "" && cur == "":
		fs.Add("currency", "is required with a limit")
	case limit != "":
		c, err := money.ParseCurrency(cur)
		if err != nil {
			fs.Add("currency", "%s", err)
			break
		}
		a, err := money.Parse(limit, c)
		switch {
		case err != nil:
			fs.Add("limit", "%s", err)
		case a.IsNegative():
			fs.Add("limit", "%s must not be negative", limit)
		default:
			h.Limit = a
		}
	}
	return h, fs.Err("credit hold")
}

// SetCreditHold sets, changes or releases a customer's credit hold and
// limit (agents and admins).
func (s *Service) SetCreditHold(ctx context.Context, idOrRef string, in CreditHoldInput) (*ledger.Customer, error) {
	a, err := require(ctx, RoleAgent)
	if err != nil {
		return nil, err
	}
	var c *ledger.Customer
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		h, err := in.hold(a.ID, civil.In(tx.Now(), time.UTC))
		if err != nil {
			return err
		}
		if c, err = tx.Customer(ctx, idOrRef); err != nil {
			return err
		}
		return s.writeCreditHold(ctx, tx, c, h)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// SetCreditHoldTx puts a customer on credit hold inside tx, for a
// collection step: by names who decided it (e.g. "system" or
// "collect:final"), on is the run's date. The credit limit is kept. A
// customer already on hold is left as it is (no audit entry), so a step
// repeated or re-run changes nothing. reason is required (single line,
// at most 500 characters).
func (s *Service) SetCreditHoldTx(ctx context.Context, tx store.Tx, customerID, reason, by string, on civil.Date) error {
	c, err := tx.Customer(ctx, customerID)
	if err != nil {
		return err
	}
	if c.CreditHold.Held {
		return nil
	}
	in := CreditHoldInput{Held: true, Reason: reason}
	if c.CreditHold.HasLimit() {
		in.Limit, in.Currency = c.CreditHold.Limit.String(), string(c.CreditHold.Limit.Currency())
	}
	h, err := in.hold(by, on)
	if err != nil {
		return err
	}
	return s.writeCreditHold(ctx, tx, c, h)
}

func (s *Service) writeCreditHold(ctx context.Context, tx store.Tx, c *ledger.Customer, h ledger.CreditHold) error {
	before := c.CreditHold
	if err := tx.SetCustomerCreditHold(ctx, c.ID, h); err != nil {
		return err
	}
	c.CreditHold = h
	c.UpdatedAt = tx.Now()
	return audit(ctx, tx, "customer.credit_hold", "customer", c.ID, map[string]any{
		"before": creditHoldAudit(before), "after": creditHoldAudit(h)})
}

func creditHoldAudit(h ledger.CreditHold) map[string]any {
	m := map[string]any{"held": h.Held, "reason": h.Reason, "by": h.By}
	if h.Since.IsValid() {
		m["since"] = h.Since.String()
	}
	if h.HasLimit() {
		m["limit"], m["currency"] = h.Limit.String(), string(h.Limit.Currency())
	}
	return m
}
