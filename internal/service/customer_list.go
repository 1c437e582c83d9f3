package service

import (
	"context"
	"sort"
	"strings"
	"time"

	"settle/internal/apperr"
	"settle/internal/assess"
	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/store"
)

// CustomerListInput selects a page of customers for the staff UI's list.
type CustomerListInput struct {
	// Query keeps the customers whose name or external ref contains it
	// (ASCII letters in any case; see store.CustomerFilter); empty keeps all.
	Query string
	AsOf  civil.Date
	Page  store.Page // Cursor: the last customer id of the previous page
}

// CustomerRow is one customer of the list with its standing as of the date.
type CustomerRow struct {
	Customer ledger.Customer
	Balances []ledger.Buckets // per currency, as Position's aging
	Risk     assess.Risk
	// OpenPlans and OpenPromises count proposed/active plans and open promises.
	OpenPlans, OpenPromises int
}

// Total and Overdue sum a row's balance in one currency (0 when none).
func (r CustomerRow) Total(cur money.Currency) money.Wide {
	for _, b := range r.Balances {
		if b.Currency == cur {
			return b.Total()
		}
	}
	return money.Wide{}
}

// CustomerList is a page of customers with their balance, overdue and
// risk band as of a date. The search is the store's (name or external
// ref containing the query); only the page's customers are assessed:
// their ledgers are loaded in one batch.
func (s *Service) CustomerList(ctx context.Context, in CustomerListInput) (rows []CustomerRow, next string, err error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, "", err
	}
	limit := in.Page.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	q := strings.TrimSpace(in.Query)
	err = s.store.ReadTx(ctx, func(tx store.Tx) error {
		picked, more, err := tx.Customers(ctx, store.CustomerFilter{Page: store.Page{Limit: limit, Cursor: in.Page.Cursor}, Query: q})
		if err != nil {
			return err
		}
		next = more
		if len(picked) == 0 {
			return nil
		}
		ids := make([]string, len(picked))
		for i, c := range picked {
			ids[i] = c.ID
		}
		invs, pays, err := tx.CustomerLedgers(ctx, ids)
		if err != nil {
			return err
		}
		promises, err := tx.PromisesFor(ctx, ids)
		if err != nil {
			return err
		}
		for i := range picked {
			c := &picked[i]
			row := CustomerRow{Customer: *c}
			r := ledger.NewAgingReport(in.AsOf)
			if err := tx.OpenItems(ctx, store.OpenItemFilter{AsOf: in.AsOf, CustomerID: c.ID}, func(it ledger.OpenItem) error {
				r.Add(it)
				return nil
			}); err != nil {
				return err
			}
			row.Balances = r.Totals()
			h, open, openPlans, err := customerHistory(ctx, tx, c, invs[c.ID], pays[c.ID], promises[c.ID], in.AsOf)
			if err != nil {
				return err
			}
			row.OpenPromises, row.OpenPlans = len(open), len(openPlans)
			row.Risk = assess.ScoreRisk(assess.BuildProfile(h, in.AsOf))
			rows = append(rows, row)
		}
		return nil
	})
	return rows, next, err
}

// customerHistory is what the risk model reads of a customer as of a
// date, as assessCustomer gathers it: the ledger with its allocations,
// the promises made by then and the plans made by then with their
// statuses as of it. It also returns the open promises and the proposed
// or active plans.
func customerHistory(ctx context.Context, tx store.Tx, c *ledger.Customer, invs []ledger.Invoice, pays []ledger.Payment, promises []ledger.Promise, asOf civil.Date) (assess.History, []PromiseView, []PlanSummary, error) {
	alloc := ledger.Allocate(invs, pays)
	h := assess.History{Customer: *c, Invoices: invs, Allocations: alloc.Allocations, Payments: pays}
	var open []PromiseView
	for _, p := range promises {
		if p.PromisedOn.After(asOf) {
			continue
		}
		h.Promises = append(h.Promises, p)
		if v := judge(p, asOf, pays); v.Status == ledger.PromiseOpen {
			open = append(open, v)
		}
	}
	plans, err := customerPlans(ctx, tx, c.ID, asOf)
	if err != nil {
		return h, nil, nil, err
	}
	var openPlans []PlanSummary
	for _, p := range plans {
		h.Plans = append(h.Plans, assess.PlanOutcome{ID: p.ID, Status: p.Status})
		if p.Status == "proposed" || p.Status == "active" {
			openPlans = append(openPlans, p)
		}
	}
	return h, open, openPlans, nil
}

// customerPlans are a customer's plans made by asOf, oldest first, with
// their statuses as of it.
func customerPlans(ctx context.Context, tx store.Tx, customerID string, asOf civil.Date) ([]PlanSummary, error) {
	ids, err := tx.CustomerPlans(ctx, customerID)
	if err != nil {
		return nil, err
	}
	var out []PlanSummary
	for _, id := range ids {
		v, err := loadPlan(ctx, tx, id, asOf)
		if err != nil {
			return nil, err
		}
		if civil.In(v.Plan.CreatedAt, time.UTC).After(asOf) {
			continue
		}
		out = append(out, PlanSummary{ID: id, Status: v.Status, Version: v.Plan.Version, Balance: v.Plan.Balance})
	}
	return out, nil
}

// CustomerPlanRow is one of a customer's plans, for the history.
type CustomerPlanRow struct {
	PlanSummary
	CreatedAt time.Time
	EndedAt   *time.Time
	Accepted  *time.Time
}

// CustomerPlans lists every plan of a customer (any status, as of asOf),
// newest first.
func (s *Service) CustomerPlans(ctx context.Context, customer string, asOf civil.Date) ([]CustomerPlanRow, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	var out []CustomerPlanRow
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		c, err := tx.Customer(ctx, customer)
		if err != nil {
			return err
		}
		ids, err := tx.CustomerPlans(ctx, c.ID)
		if err != nil {
			return err
		}
		for _, id := range ids {
			v, err := loadPlan(ctx, tx, id, asOf)
			if err != nil {
				return err
			}
			row := CustomerPlanRow{PlanSummary: PlanSummary{ID: id, Status: v.Status, Version: v.Plan.Version, Balance: v.Plan.Balance},
				CreatedAt: v.Plan.CreatedAt, EndedAt: v.Plan.EndedAt}
			if a := v.Plan.Acceptance; a != nil {
				at := a.At
				row.Accepted = &at
			}
			out = append(out, row)
		}
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.After(out[j].CreatedAt)
		}
		return out[i].ID > out[j].ID // ids grow with time
	})
	return out, err
}

// CurrentNegotiation is the customer's latest negotiation that still has
// an offer standing (open, agreed or final); NotFound when there is none.
func (s *Service) CurrentNegotiation(ctx context.Context, customer string) (*NegotiationView, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	var id string
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		c, err := tx.Customer(ctx, customer)
		if err != nil {
			return err
		}
		var latest *store.Negotiation
		for _, status := range []string{"open", "agreed", "final"} {
			for cursor := ""; ; {
				list, more, err := tx.Negotiations(ctx, store.NegotiationFilter{CustomerID: c.ID, Status: status, Page: store.Page{Limit: 500, Cursor: cursor}})
				if err != nil {
					return err
				}
				for i := range list {
					if latest == nil || list[i].CreatedAt.After(latest.CreatedAt) || (list[i].CreatedAt.Equal(latest.CreatedAt) && list[i].ID > latest.ID) {
						latest = &list[i]
					}
				}
				if more == "" {
					break
				}
				cursor = more
			}
		}
		if latest == nil {
			return errNoNegotiation
		}
		id = latest.ID
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Negotiation(ctx, id)
}

var errNoNegotiation = apperr.Errorf(apperr.NotFound, "the customer has no negotiation with an offer standing")
