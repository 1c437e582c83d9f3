package service

import (
	"context"
	"fmt"
	"math/big"
	"sort"
	"time"

	"settle/internal/apperr"
	"settle/internal/assess"
	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/negotiate"
	"settle/internal/plan"
	"settle/internal/store"
)

// Assessment is what settle knows of a customer beyond balances: payment
// profile, risk, importance, the impact of the delay, the budget, and the
// open plans and promises (domain.md §1).
type Assessment struct {
	Profile    assess.Profile
	Risk       assess.Risk
	Importance assess.Importance
	Impacts    []assess.Impact // one per currency with overdue invoices
	Budget     *BudgetView     // nil when none was given
	Policy     negotiate.Policy
	OpenPlans  []PlanSummary
	Promises   []PromiseView // open promises as of
	// OpenInvoices are the invoices with a balance as of the date.
	OpenInvoices []OpenInvoice
	// Warnings flag figures that could not be computed from this
	// customer's data (e.g. amounts beyond money's limit written by an
	// older version): the rest of the assessment still stands.
	Warnings []string
}

// PlanSummary is one of the customer's plans as of a date.
type PlanSummary struct {
	ID      string
	Status  string
	Version int
	Balance money.Amount
}

// OpenInvoice is an invoice with its balance as of a date.
type OpenInvoice struct {
	Invoice ledger.Invoice
	Balance money.Amount // as of
}

// assessCustomer gathers the assessment of c as of asOf, in tx.
func assessCustomer(ctx context.Context, tx store.Tx, c *ledger.Customer, asOf civil.Date) (*Assessment, error) {
	invs, pays, err := tx.CustomerLedger(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	alloc := ledger.Allocate(invs, pays)
	h := assess.History{Customer: *c, Invoices: invs, Allocations: alloc.Allocations, Payments: pays}
	a := &Assessment{}

	// Promises, all pages.
	for cursor := ""; ; {
		list, next, err := tx.Promises(ctx, store.PromiseFilter{CustomerID: c.ID, Page: store.Page{Limit: 500, Cursor: cursor}})
		if err != nil {
			return nil, err
		}
		for _, p := range list {
			if p.PromisedOn.After(asOf) {
				continue
			}
			h.Promises = append(h.Promises, p)
			if v := judge(p, asOf, pays); v.Status == ledger.PromiseOpen {
				a.Promises = append(a.Promises, v)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}

	planIDs, err := tx.CustomerPlans(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	for _, id := range planIDs {
		v, err := loadPlan(ctx, tx, id, asOf)
		if err != nil {
			return nil, err
		}
		if civil.In(v.Plan.CreatedAt, time.UTC).After(asOf) {
			continue // made after the date
		}
		h.Plans = append(h.Plans, assess.PlanOutcome{ID: id, Status: v.Status})
		if v.Status == plan.Proposed || v.Status == plan.Active {
			a.OpenPlans = append(a.OpenPlans, PlanSummary{ID: id, Status: v.Status, Version: v.Plan.Version, Balance: v.Plan.Balance})
		}
	}

	a.Profile = assess.BuildProfile(h, asOf)
	a.Risk = assess.ScoreRisk(a.Profile)

	// Balances as of: amount less allocations applied by then.
	applied := ledger.AppliedAsOf(alloc.Allocations, asOf)
	open := map[money.Currency]money.Wide{}
	overdue := map[money.Currency][]assess.OverdueItem{}
	for _, inv := range invs {
		if inv.IssueDate.After(asOf) || (!inv.VoidedOn.IsZero() && !inv.VoidedOn.After(asOf)) {
			continue
		}
		bal := inv.Amount.Minor() - applied[inv.ID]
		if bal <= 0 {
			continue
		}
		cur := inv.Amount.Currency()
		open[cur] = open[cur].AddInt64(bal)
		a.OpenInvoices = append(a.OpenInvoices, OpenInvoice{Invoice: inv, Balance: money.New(bal, cur)})
		if ledger.DaysPastDue(asOf, inv.DueDate) > 0 && !inv.Disputed {
			overdue[cur] = append(overdue[cur], assess.OverdueItem{InvoiceID: inv.ID, Number: inv.Number, DueDate: inv.DueDate,
				Amount: inv.Amount, Balance: money.New(bal, cur)})
		}
	}
	total, err := tx.OpenBalances(ctx)
	if err != nil {
		return nil, err
	}
	a.Importance = assess.AssessImportance(*c, invs, open, total, asOf)

	if a.Policy, err = policyFor(ctx, tx, c.Segment); err != nil {
		return nil, err
	}
	coc, ok := new(big.Rat).SetString(a.Policy.CostOfCapital)
	if !ok {
		return nil, apperr.Errorf(apperr.Internal, "policy %q: cost_of_capital %q", a.Policy.Segment, a.Policy.CostOfCapital)
	}
	curs := make([]string, 0, len(overdue))
	for cur := range overdue {
		curs = append(curs, string(cur))
	}
	sort.Strings(curs)
	for _, cur := range curs {
		im, err := assess.AssessImpact(assess.ImpactInput{AsOf: asOf, Kind: c.Kind, Jurisdiction: c.Jurisdiction,
			Items: overdue[money.Currency(cur)], CostOfCapital: coc})
		if apperr.CodeOf(err) == apperr.Invalid {
			// The customer's own data (amounts too large to assess)
			// must not take the position down: flag this currency.
			a.Warnings = append(a.Warnings, fmt.Sprintf("%s: the cost of the delay is not shown: %v", cur, err))
			continue
		}
		if err != nil {
			return nil, err
		}
		a.Impacts = append(a.Impacts, im)
	}

	b, err := loadBudget(ctx, tx, c.ID, c.Kind)
	switch {
	case err == nil:
		a.Budget = b
	case apperr.CodeOf(err) == apperr.NotFound, apperr.CodeOf(err) == apperr.Conflict:
	default:
		return nil, err
	}
	return a, nil
}
