package service_test

import (
	"context"
	"testing"

	"settle/internal/apperr"
	"settle/internal/plan"
	"settle/internal/service"
	"settle/internal/testutil"
)

// A plan that has defaulted no longer covers its invoices: the customer
// told "propose a new plan" by the default notice can, and the plan made
// from the new negotiation supersedes the defaulted one (a new version of
// it, history kept). While the plan stands, its invoices are not
// negotiated again.
//
// The plan: 300.00 GBP in three monthly installments from 15 June 2026,
// five days' grace, default at the second miss: installment 1 is missed
// from 21 June, installment 2 from 21 July, when the plan defaults.
func TestNegotiation_AfterPlanDefault(t *testing.T) {
	for engine, open := range testutil.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			svc, p := planBook(t, open(t))
			ctx := testutil.Admin(context.Background())
			if _, err := svc.AcceptPlan(ctx, p.Plan.ID, service.AcceptInput{AcceptedBy: "Rowan", Channel: "phone"}); err != nil {
				t.Fatal(err)
			}
			// One installment missed: the plan stands.
			if _, err := svc.OpenNegotiation(ctx, service.NegotiationInput{CustomerID: "R-1", AsOf: "2026-06-25"}); apperr.CodeOf(err) != apperr.Invalid {
				t.Fatalf("a negotiation over a standing plan's invoice: %v, want refused", err)
			}
			v, err := svc.Plan(ctx, p.Plan.ID, mustDate(t, "2026-07-25"))
			if err != nil {
				t.Fatal(err)
			}
			if v.Tracking == nil || v.Tracking.Status != plan.PlanDefaulted {
				t.Fatalf("as of 25 July the plan is %+v, want defaulted", v.Tracking)
			}
			n, err := svc.OpenNegotiation(ctx, service.NegotiationInput{CustomerID: "R-1", AsOf: "2026-07-25"})
			if err != nil {
				t.Fatalf("after the default: %v", err)
			}
			if n.Reply.Balance != "300.00" {
				t.Errorf("the negotiation covers %s, want the plan's 300.00", n.Reply.Balance)
			}
			acc, err := svc.AcceptNegotiation(ctx, n.Reply.ID, service.AcceptNegotiationInput{AsOf: "2026-07-25"})
			if err != nil {
				t.Fatal(err)
			}
			np := acc.Plan.Plan
			if np.SupersedesID != p.Plan.ID || np.Version != 2 || np.Status != plan.Proposed {
				t.Errorf("the new plan: supersedes %q, version %d, %s; want version 2 of %s, proposed", np.SupersedesID, np.Version, np.Status, p.Plan.ID)
			}
			old, err := svc.Plan(ctx, p.Plan.ID, mustDate(t, "2026-07-25"))
			if err != nil {
				t.Fatal(err)
			}
			if old.Status != plan.Superseded {
				t.Errorf("the defaulted plan is %s, want superseded", old.Status)
			}
		})
	}
}
