package demo

import (
	"context"
	"fmt"

	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/service"
	"settle/internal/store"
)

// unplanned are the accounts the demo never puts in a plan or a promise:
// the showcase and the negotiation examples keep their open invoices.
var unplanned = map[string]bool{ShowcaseRef: true, "C-1014": true, "C-1016": true}

// seedPlans gives the demo some agreements to follow, so that the plan
// counts and the cash forecast have something to show: in USD, EUR and GBP
// the customer furthest overdue (but the showcase and the negotiation
// examples) agrees a plan over its overdue invoices — six monthly
// installments from a week after asOf, accepted on the phone — and the
// next one promises to pay a quarter of its overdue balance within three
// weeks. Everything goes through the services, like a person's actions.
func seedPlans(ctx context.Context, svc *service.Service, asOf civil.Date) error {
	r, err := svc.Aging(ctx, asOf, "")
	if err != nil {
		return fmt.Errorf("demo: plans: %w", err)
	}
	picked := map[money.Currency]int{}
	promises := 0
	for _, c := range r.Customers() { // by currency, most overdue first
		if unplanned[c.ExternalRef] || c.Overdue().Sign() <= 0 {
			continue
		}
		switch c.Currency {
		case "USD", "EUR", "GBP":
		default:
			continue
		}
		switch picked[c.Currency] {
		case 0:
			if err := demoPlan(ctx, svc, asOf, c); err != nil {
				return err
			}
		case 1:
			if err := demoPromise(ctx, svc, asOf, c, asOf.AddDays(3+7*promises)); err != nil {
				return err
			}
			promises++
		default:
			continue
		}
		picked[c.Currency]++
	}
	return nil
}

// demoPlan agrees a plan over a customer's overdue invoices in one currency.
func demoPlan(ctx context.Context, svc *service.Service, asOf civil.Date, c ledger.CustomerAging) error {
	var numbers []string
	f := store.InvoiceFilter{CustomerID: c.CustomerID, Status: "open", Currency: c.Currency, Page: store.Page{Limit: 500}}
	for {
		list, next, err := svc.Invoices(ctx, f)
		if err != nil {
			return fmt.Errorf("demo: plan for %s: %w", c.ExternalRef, err)
		}
		for _, inv := range list {
			if inv.DueDate.Before(asOf) && !inv.Disputed && !inv.IssueDate.After(asOf) {
				numbers = append(numbers, inv.Number)
			}
		}
		if next == "" {
			break
		}
		f.Cursor = next
	}
	if len(numbers) == 0 {
		return nil
	}
	v, err := svc.CreatePlan(ctx, service.PlanInput{CustomerID: c.CustomerID, InvoiceIDs: numbers, PlanTermsInput: service.PlanTermsInput{
		Installments: 6, Frequency: "monthly", StartDate: asOf.AddDays(7).String(), AsOf: asOf.String()}})
	if err != nil {
		return fmt.Errorf("demo: plan for %s: %w", c.ExternalRef, err)
	}
	if _, err := svc.AcceptPlan(ctx, v.Plan.ID, service.AcceptInput{AcceptedBy: "Accounts payable, " + c.ExternalRef, Channel: "phone"}); err != nil {
		return fmt.Errorf("demo: accept the plan for %s: %w", c.ExternalRef, err)
	}
	return nil
}

// demoPromise records a promise, made on asOf, to pay a quarter of a
// customer's overdue balance by due.
func demoPromise(ctx context.Context, svc *service.Service, asOf civil.Date, c ledger.CustomerAging, due civil.Date) error {
	overdue, ok := c.Overdue().Amount(c.Currency)
	if !ok {
		return nil // beyond int64: no demo promise for it
	}
	part, err := overdue.MulRat(1, 4)
	if err != nil || part.Minor() <= 0 {
		return err
	}
	_, err = svc.CreatePromise(ctx, service.PromiseInput{CustomerID: c.CustomerID, Currency: string(c.Currency), Amount: part.String(),
		PromisedOn: asOf.String(), DueDate: due.String(), Channel: "call", Note: "Promised on a call (demo)"})
	if err != nil {
		return fmt.Errorf("demo: promise of %s: %w", c.ExternalRef, err)
	}
	return nil
}
