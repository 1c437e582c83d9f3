package service

import (
	"context"
	"slices"
	"strings"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/plan"
	"settle/internal/store"
)

// planPayments are the customer's payments that count toward plan p: in
// the plan's currency, received from the acceptance date on, except those
// that name an invoice outside the plan (those pay that invoice).
func planPayments(p *plan.Plan, pays []ledger.Payment) []ledger.Payment {
	covered := map[string]bool{}
	for _, invID := range p.InvoiceIDs {
		covered[invID] = true
	}
	from := p.AcceptedOn()
	var out []ledger.Payment
	for _, pay := range pays {
		if pay.Kind == ledger.KindCreditNote && pay.Method == earlyPayoffMethod && pay.Reference == earlyPayoffRef(p.ID) && !pay.ReceivedOn.Before(from) {
			out = append(out, pay) // the rest waived on an early payoff (online_events.go)
			continue
		}
		if pay.Kind != ledger.KindPayment || pay.Amount.Currency() != p.Balance.Currency() || pay.ReceivedOn.Before(from) {
			continue
		}
		if pay.InvoiceID != "" && !covered[pay.InvoiceID] {
			continue
		}
		out = append(out, pay)
	}
	return out
}

// PlanPayments lists the payments that a plan's tracking counts (received
// on or before asOf), oldest first; none for a plan that is not active or
// ended (only an accepted plan is paid).
func (s *Service) PlanPayments(ctx context.Context, id string, asOf civil.Date) ([]ledger.Payment, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	var out []ledger.Payment
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		p, err := tx.Plan(ctx, id)
		if err != nil {
			return err
		}
		if p.Acceptance == nil || p.Status != plan.Active {
			return nil
		}
		_, pays, err := tx.CustomerLedger(ctx, p.CustomerID)
		if err != nil {
			return err
		}
		for _, pay := range planPayments(p, pays) {
			if !pay.ReceivedOn.After(asOf) {
				out = append(out, pay)
			}
		}
		return nil
	})
	slices.SortStableFunc(out, func(a, b ledger.Payment) int { return a.ReceivedOn.Compare(b.ReceivedOn) })
	return out, err
}

// PlanStatuses are the statuses a plan list can be narrowed to (as of the
// date: completed and defaulted are active plans as tracking judges them).
var PlanStatuses = []string{plan.Proposed, plan.Active, plan.Completed, plan.Defaulted, plan.Superseded, plan.Cancelled}

// PlanListInput selects plans.
type PlanListInput struct {
	Status string // one of PlanStatuses, or "" for all
	AsOf   civil.Date
	Page   store.Page // Cursor: the last plan id of the previous page
}

// PlanRow is a plan of the list with its customer.
type PlanRow struct {
	PlanView
	Customer ledger.Customer
}

// PlanList lists plans by status as of a date, in id order (oldest
// first). Completed and defaulted plans are found by tracking the active
// ones, so those pages cost a tracking per active plan scanned.
func (s *Service) PlanList(ctx context.Context, in PlanListInput) (rows []PlanRow, next string, err error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, "", err
	}
	status := strings.ToLower(strings.TrimSpace(in.Status))
	if status != "" && !slices.Contains(PlanStatuses, status) {
		return nil, "", apperr.Field("status", "%q must be one of %s", in.Status, strings.Join(PlanStatuses, ", "))
	}
	limit := in.Page.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	stored := []string{status}
	switch status {
	case "":
		stored = []string{plan.Proposed, plan.Active, plan.Superseded, plan.Cancelled}
	case plan.Completed, plan.Defaulted:
		stored = []string{plan.Active}
	}
	err = s.store.ReadTx(ctx, func(tx store.Tx) error {
		var ids []string
		for _, st := range stored {
			list, err := tx.PlanIDsByStatus(ctx, st)
			if err != nil {
				return err
			}
			ids = append(ids, list...)
		}
		slices.Sort(ids)
		custIDs := map[string]bool{}
		for _, id := range ids {
			if in.Page.Cursor != "" && id <= in.Page.Cursor {
				continue
			}
			v, err := loadPlan(ctx, tx, id, in.AsOf)
			if err != nil {
				return err
			}
			if status != "" && v.Status != status {
				continue
			}
			if len(rows) == limit {
				next = rows[len(rows)-1].Plan.ID
				break
			}
			rows = append(rows, PlanRow{PlanView: *v})
			custIDs[v.Plan.CustomerID] = true
		}
		if len(rows) == 0 {
			return nil
		}
		list := make([]string, 0, len(custIDs))
		for id := range custIDs {
			list = append(list, id)
		}
		cs, err := tx.CustomersByIDs(ctx, list)
		if err != nil {
			return err
		}
		for i := range rows {
			rows[i].Customer = cs[rows[i].Plan.CustomerID]
		}
		return nil
	})
	return rows, next, err
}
