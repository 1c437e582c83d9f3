package service

import (
	"context"
	"fmt"
	"math/big"

	"settle/internal/apperr"
	"settle/internal/assess"
	"settle/internal/civil"
	"settle/internal/collect"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/store"
)

// Charges are the receivables settle adds to the ledger itself
// (docs/ledger.md, "Charges"): the statutory compensation and interest a
// demand or a final notice claimed, posted when the first message of that
// step is delivered, and a plan's late fee for each installment missed
// before the plan defaulted. They are owed and paid like invoices, but
// never open a collection case of their own.

// statutoryClaim is what a step marked fee "statutory" claims as of a
// date.
type statutoryClaim struct {
	// lines: per invoice, the statutory compensation and interest to date
	// (assess.AssessImpact) less the statutory charges already posted for
	// it, never negative. Void charges do not count: a claim waived under
	// a plan that was then broken is made again.
	lines   []store.ChargeLine
	claimed money.Amount // Σ lines; zero: nothing new
	// owed is the open balance of the statutory charges already posted in
	// the currency: still owed, stated with the new claim.
	owed  money.Amount
	basis string // the law, in the customer's language
}

// fee is what the message states as fees and interest: the new claim and
// the earlier ones still owed.
func (c statutoryClaim) fee() money.Amount {
	f, err := c.claimed.Add(c.owed)
	if err != nil {
		return c.claimed
	}
	return f
}

// claimFor works out the statutory claim of act as of asOf. invs are the
// customer's invoices as of asOf (customerState): the open ones and every
// statutory charge. Only a business debt under a law settle can name is
// claimed on (feeBasis); act.Fee already says the step claims and the
// overdue balance is above the ladder's fee_minimum.
func claimFor(cust *ledger.Customer, act collect.Action, invs map[string]ledger.Invoice, asOf civil.Date) statutoryClaim {
	var c statutoryClaim
	if !act.Fee || cust.Kind != ledger.KindBusiness || len(act.InvoiceIDs) == 0 {
		return c
	}
	if c.basis = feeBasis(cust.Jurisdiction, cust.Locale); c.basis == "" {
		return c
	}
	cur := invs[act.InvoiceIDs[0]].Amount.Currency()
	c.claimed, c.owed = money.Zero(cur), money.Zero(cur)
	posted := map[string]int64{}
	for _, inv := range invs {
		if inv.Charge != ledger.ChargeStatutory || inv.Amount.Currency() != cur || !inv.VoidedOn.IsZero() {
			continue
		}
		posted[inv.ChargeFor] += inv.Amount.Minor()
		if inv.Balance.IsPositive() {
			c.owed = money.New(c.owed.Minor()+inv.Balance.Minor(), cur)
		}
	}
	var items []assess.OverdueItem
	for _, id := range act.InvoiceIDs {
		inv := invs[id]
		if inv.IsCharge() || inv.Amount.Currency() != cur {
			continue
		}
		items = append(items, assess.OverdueItem{InvoiceID: id, Number: inv.Number, DueDate: inv.DueDate, Amount: inv.Amount, Balance: inv.Balance})
	}
	im, err := assess.AssessImpact(assess.ImpactInput{AsOf: asOf, Kind: cust.Kind, Jurisdiction: cust.Jurisdiction, Items: items, CostOfCapital: big.NewRat(1, 10)})
	if err != nil {
		return statutoryClaim{}
	}
	var sum int64
	for _, l := range im.Lines {
		due := l.Compensation.Minor() + l.Interest.Minor() - posted[l.InvoiceID]
		if due > 0 {
			c.lines = append(c.lines, store.ChargeLine{InvoiceID: l.InvoiceID, Minor: due})
			sum += due
		}
	}
	c.claimed = money.New(sum, cur)
	return c
}

// postClaims posts the statutory claim a delivered message stated as
// charges on the ledger, on the day it was delivered: one charge per
// invoice, due on the step's pay-by date. A step's claim is posted once,
// by the first of its messages to leave (a demand goes by letter and
// email: the other states the same claim). The customer's case is locked
// first, so that two senders cannot both post it.
func postClaims(ctx context.Context, tx store.Tx, msg *store.Message, on civil.Date) error {
	mc := msg.Context
	if len(mc.Claims) == 0 {
		return nil
	}
	if _, err := tx.CaseForUpdate(ctx, msg.CustomerID, mc.Currency); err != nil {
		return err
	}
	sent, err := tx.SentMessagesFor(ctx, []string{msg.CustomerID})
	if err != nil {
		return err
	}
	for _, m := range sent[msg.CustomerID] {
		if m.ID != msg.ID && m.Step == msg.Step && m.Context.Currency == mc.Currency && m.Context.StepOn == mc.StepOn && len(m.Context.Claims) > 0 {
			return nil // posted when that one left
		}
	}
	due := mc.PayBy
	if due.Before(on) {
		due = on.AddDays(collect.DefaultPayByDays)
	}
	cur := money.Currency(mc.Currency)
	for _, l := range mc.Claims {
		inv, err := tx.Invoice(ctx, l.InvoiceID)
		if err != nil {
			return err
		}
		number, err := chargeNumber(ctx, tx, inv.Number)
		if err != nil {
			return err
		}
		ch := ledger.Invoice{Number: number, CustomerID: msg.CustomerID, IssueDate: on, DueDate: due, Amount: money.New(l.Minor, cur),
			Charge: ledger.ChargeStatutory, ChargeFor: inv.ID}
		if err := tx.InsertInvoice(ctx, &ch); err != nil {
			return err
		}
		if err := audit(ctx, tx, "charge.posted", "invoice", ch.ID, map[string]any{"charge": ch.Charge, "for": inv.Number,
			"amount": ch.Amount.String(), "currency": mc.Currency, "message_id": msg.ID, "step": msg.Step}); err != nil {
			return err
		}
	}
	_, err = reallocate(ctx, tx, msg.CustomerID)
	return err
}

// chargeNumber is the number of the next statutory charge on an invoice:
// its own number with "-F1", "-F2", … (the first free one).
func chargeNumber(ctx context.Context, tx store.Tx, base string) (string, error) {
	if r := []rune(base); len(r) > 56 {
		base = string(r[:56])
	}
	for k := 1; k < 1000; k++ {
		n := fmt.Sprintf("%s-F%d", base, k)
		_, err := tx.Invoice(ctx, n)
		if apperr.CodeOf(err) == apperr.NotFound {
			return n, nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", fmt.Errorf("charges: no free number for %s", base)
}

// postLateFees posts, for each of the customer's active or defaulted
// plans with a late fee, the fee of every installment missed on or
// before asOf, and not after the plan defaulted (a defaulted plan's
// balance is due at once: no installment is missed after it, so no fee
// accrues). Each fee is posted once: its number, the plan's bank
// reference with "-LF" and the installment, is its key.
func postLateFees(ctx context.Context, tx store.Tx, customerID string, planIDs []string, asOf civil.Date) error {
	posted := false
	for _, id := range planIDs {
		v, err := loadPlan(ctx, tx, id, asOf)
		if err != nil {
			return err
		}
		t := v.Tracking
		if t == nil || v.Plan.Rules.LateFee.IsZero() {
			continue
		}
		for _, is := range t.Installments {
			if is.MissedOn.IsZero() || is.MissedOn.After(asOf) || (!t.DefaultedOn.IsZero() && is.MissedOn.After(t.DefaultedOn)) {
				continue
			}
			ref := v.BankRef
			if ref == "" {
				ref = v.Plan.ID
			}
			number := fmt.Sprintf("%s-LF%d", ref, is.Seq)
			if _, err := tx.Invoice(ctx, number); err == nil {
				continue
			} else if apperr.CodeOf(err) != apperr.NotFound {
				return err
			}
			fee := v.Plan.Rules.LateFee
			ch := ledger.Invoice{Number: number, CustomerID: customerID, IssueDate: is.MissedOn, DueDate: is.MissedOn.AddDays(collect.DefaultPayByDays),
				Amount: fee, Charge: ledger.ChargeLateFee, ChargeFor: fmt.Sprintf("%s#%d", id, is.Seq)}
			if err := tx.InsertInvoice(ctx, &ch); err != nil {
				return err
			}
			if err := audit(ctx, tx, "charge.posted", "invoice", ch.ID, map[string]any{"charge": ch.Charge, "plan_id": id, "seq": is.Seq,
				"amount": fee.String(), "currency": string(fee.Currency())}); err != nil {
				return err
			}
			posted = true
		}
	}
	if !posted {
		return nil
	}
	_, err := reallocate(ctx, tx, customerID)
	return err
}
