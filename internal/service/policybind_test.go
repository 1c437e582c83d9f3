package service_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/plan"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/testutil"
)

// Policies bind every path (issue 17, item 7): a plan proposed directly
// (POST /v1/plans, a renegotiation, the staff form) keeps to the limits of
// the customer's segment unless an admin overrides them with a reason.

// bindNow is Sunday 6 December 2026, 10:00 UTC.
var bindNow = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)

// bindService has customer RET-1 in segment retail, whose policy asks for a
// 10% down payment (and keeps the defaults: 24 months, 20.00 a month, the
// first payment within 30 days), and invoice RET-1-1 of 427.75 USD.
func bindService(t *testing.T, open func(*testing.T, func() time.Time) store.Store) (*service.Service, store.Store, context.Context) {
	t.Helper()
	clock := func() time.Time { return bindNow }
	st := open(t, clock)
	svc := service.New(st, clock)
	ctx := testutil.Admin(context.Background())
	share := "0.10"
	if _, err := svc.CreatePolicy(ctx, service.PolicyInput{Segment: "retail", DownPaymentShare: &share}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "RET-1", Name: "Rita Retail", Segment: "retail"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: "RET-1-1", CustomerID: "RET-1", IssueDate: "2026-09-01", DueDate: "2026-10-01", Currency: "USD", Amount: "427.75"}); err != nil {
		t.Fatal(err)
	}
	return svc, st, ctx
}

func bindAgent() context.Context {
	return service.WithActor(context.Background(), service.Actor{ID: "user:usr_bob", Role: service.RoleAgent})
}

// outside is 36 monthly installments from 1 March 2027, no down payment:
// 427.75 / 36 = 11.88 (× 35, the last 11.95).
var outside = service.PlanTermsInput{Installments: 36, StartDate: "2027-03-01"}

// outsideBreaches are its breaches, worked by hand: 36 months > 24;
// 11.88 < 20.00; 1 March 2027 is 25 + 31 + 28 + 1 = 85 days after 6
// December (the limit is 6 December + 30 = 5 January); the first payment,
// 11.88, is below 10% of 427.75 = 42.775, rounded up 42.78.
var outsideBreaches = []apperr.FieldError{
	{Field: "installments", Message: "36 monthly installments run 36 months; the policy for segment retail allows at most 24"},
	{Field: "installments", Message: "11.88 USD is below the policy's smallest installment, 20.00 USD"},
	{Field: "start_date", Message: "2027-03-01 is 85 days away; the policy allows at most 30 (by 2027-01-05)"},
	{Field: "down_payment", Message: "the policy asks for a down payment of at least 10% (42.78 USD)"},
}

// within: 42.78 down on 10 December, then 12 monthly installments.
var within = service.PlanTermsInput{Installments: 12, StartDate: "2026-12-10", DownPayment: "42.78"}

func fieldErrors(t *testing.T, err error) []apperr.FieldError {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.Invalid {
		t.Fatalf("err = %v, want a validation error", err)
	}
	return e.Fields
}

func plansOf(t *testing.T, svc *service.Service, ctx context.Context, customer string) []service.CustomerPlanRow {
	t.Helper()
	rows, err := svc.CustomerPlans(ctx, customer, civil.Of(bindNow))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestCreatePlan_PolicyBinds(t *testing.T) {
	for name, open := range docEngines {
		t.Run(name, func(t *testing.T) {
			t.Run("breaches are refused naming each field, and nothing is written", func(t *testing.T) {
				svc, st, _ := bindService(t, open)
				before := testutil.Counts(t, st)
				_, err := svc.CreatePlan(bindAgent(), service.PlanInput{CustomerID: "RET-1", InvoiceIDs: []string{"RET-1-1"}, PlanTermsInput: outside})
				if diff := cmp.Diff(outsideBreaches, fieldErrors(t, err)); diff != "" {
					t.Errorf("field errors (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(before, testutil.Counts(t, st)); diff != "" {
					t.Errorf("a refused plan wrote (-before +after):\n%s", diff)
				}
				if rows := plansOf(t, svc, bindAgent(), "RET-1"); len(rows) != 0 {
					t.Errorf("plans = %+v, want none", rows)
				}
			})
			t.Run("an agent may not override", func(t *testing.T) {
				svc, st, _ := bindService(t, open)
				before := testutil.Counts(t, st)
				in := outside
				in.OverrideReason = "hardship"
				_, err := svc.CreatePlan(bindAgent(), service.PlanInput{CustomerID: "RET-1", InvoiceIDs: []string{"RET-1-1"}, PlanTermsInput: in})
				want := append([]apperr.FieldError{}, outsideBreaches...)
				want = append(want, apperr.FieldError{Field: "override_reason", Message: "only an admin may override the policy"})
				if diff := cmp.Diff(want, fieldErrors(t, err)); diff != "" {
					t.Errorf("field errors (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(before, testutil.Counts(t, st)); diff != "" {
					t.Errorf("a refused plan wrote (-before +after):\n%s", diff)
				}
			})
			t.Run("an admin must give a reason", func(t *testing.T) {
				svc, _, admin := bindService(t, open)
				_, err := svc.CreatePlan(admin, service.PlanInput{CustomerID: "RET-1", InvoiceIDs: []string{"RET-1-1"}, PlanTermsInput: outside})
				want := append([]apperr.FieldError{}, outsideBreaches...)
				want = append(want, apperr.FieldError{Field: "override_reason", Message: "the plan is outside the policy for segment retail: give a reason to override it"})
				if diff := cmp.Diff(want, fieldErrors(t, err)); diff != "" {
					t.Errorf("field errors (-want +got):\n%s", diff)
				}
			})
			t.Run("an admin's reason is checked like any line of text", func(t *testing.T) {
				svc, _, admin := bindService(t, open)
				in := outside
				in.OverrideReason = "hardship\x1b[2J"
				_, err := svc.CreatePlan(admin, service.PlanInput{CustomerID: "RET-1", InvoiceIDs: []string{"RET-1-1"}, PlanTermsInput: in})
				got := fieldErrors(t, err)
				if last := got[len(got)-1]; last.Field != "override_reason" || last.Message != "contains a control character ('\\x1b'); it must be a single line" {
					t.Errorf("field errors = %+v", got)
				}
			})
			t.Run("an admin overrides with a reason: recorded on the plan and in the audit log", func(t *testing.T) {
				svc, _, admin := bindService(t, open)
				in := outside
				in.OverrideReason = "  Hardship agreed with the finance director  "
				v, err := svc.CreatePlan(admin, service.PlanInput{CustomerID: "RET-1", InvoiceIDs: []string{"RET-1-1"}, PlanTermsInput: in})
				if err != nil {
					t.Fatal(err)
				}
				want := &plan.PolicyOverride{Reason: "Hardship agreed with the finance director", By: "test:admin", Segment: "retail"}
				for _, b := range outsideBreaches {
					want.Breaches = append(want.Breaches, plan.PolicyBreach{Field: b.Field, Message: b.Message})
				}
				if diff := cmp.Diff(want, v.Plan.PolicyOverride); diff != "" {
					t.Errorf("override (-want +got):\n%s", diff)
				}
				if len(v.Plan.Installments) != 36 {
					t.Errorf("installments = %d, want 36", len(v.Plan.Installments))
				}
				again, err := svc.Plan(admin, v.Plan.ID, civil.Of(bindNow))
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, again.Plan.PolicyOverride); diff != "" {
					t.Errorf("stored override (-want +got):\n%s", diff)
				}
				entries, err := svc.Audit(admin, store.AuditFilter{ObjectID: v.Plan.ID})
				if err != nil {
					t.Fatal(err)
				}
				var found bool
				for _, e := range entries {
					if e.Action != "plan.policy_override" {
						continue
					}
					found = true
					var got plan.PolicyOverride
					if err := json.Unmarshal([]byte(e.Detail), &got); err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(want, &got); diff != "" {
						t.Errorf("audit detail (-want +got):\n%s", diff)
					}
					if e.Actor != "test:admin" {
						t.Errorf("audit actor = %q", e.Actor)
					}
				}
				if !found {
					t.Errorf("no plan.policy_override audit entry in %+v", entries)
				}
			})
			t.Run("within the policy", func(t *testing.T) {
				svc, _, admin := bindService(t, open)
				v, err := svc.CreatePlan(bindAgent(), service.PlanInput{CustomerID: "RET-1", InvoiceIDs: []string{"RET-1-1"}, PlanTermsInput: within})
				if err != nil {
					t.Fatal(err)
				}
				if v.Plan.PolicyOverride != nil {
					t.Errorf("override = %+v on a plan within the policy", v.Plan.PolicyOverride)
				}
				// An admin's reason on a plan within the policy overrides
				// nothing and is not recorded as an override.
				if _, err := svc.CancelPlan(admin, v.Plan.ID, "test"); err != nil {
					t.Fatal(err)
				}
				in := within
				in.OverrideReason = "just in case"
				v, err = svc.CreatePlan(admin, service.PlanInput{CustomerID: "RET-1", InvoiceIDs: []string{"RET-1-1"}, PlanTermsInput: in})
				if err != nil {
					t.Fatal(err)
				}
				if v.Plan.PolicyOverride != nil {
					t.Errorf("override = %+v on a plan within the policy", v.Plan.PolicyOverride)
				}
			})
			t.Run("a later as_of does not move the start limit", func(t *testing.T) {
				svc, _, _ := bindService(t, open)
				in := within
				in.AsOf, in.StartDate = "2027-06-01", "2027-06-05"
				_, err := svc.CreatePlan(bindAgent(), service.PlanInput{CustomerID: "RET-1", InvoiceIDs: []string{"RET-1-1"}, PlanTermsInput: in})
				// 6 December → 5 June: 25 + 31 + 28 + 31 + 30 + 31 + 5.
				want := []apperr.FieldError{{Field: "start_date", Message: "2027-06-05 is 181 days away; the policy allows at most 30 (by 2027-01-05)"}}
				if diff := cmp.Diff(want, fieldErrors(t, err)); diff != "" {
					t.Errorf("field errors (-want +got):\n%s", diff)
				}
			})
		})
	}
}

func TestRenegotiatePlan_PolicyBinds(t *testing.T) {
	for name, open := range docEngines {
		t.Run(name, func(t *testing.T) {
			svc, st, admin := bindService(t, open)
			v, err := svc.CreatePlan(bindAgent(), service.PlanInput{CustomerID: "RET-1", InvoiceIDs: []string{"RET-1-1"}, PlanTermsInput: within})
			if err != nil {
				t.Fatal(err)
			}
			before := testutil.Counts(t, st)
			_, err = svc.RenegotiatePlan(bindAgent(), v.Plan.ID, outside)
			if diff := cmp.Diff(outsideBreaches, fieldErrors(t, err)); diff != "" {
				t.Errorf("field errors (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(before, testutil.Counts(t, st)); diff != "" {
				t.Errorf("a refused renegotiation wrote (-before +after):\n%s", diff)
			}
			old, err := svc.Plan(admin, v.Plan.ID, civil.Of(bindNow))
			if err != nil {
				t.Fatal(err)
			}
			if old.Status != plan.Proposed {
				t.Errorf("after a refused renegotiation the plan is %s, want proposed", old.Status)
			}
			in := outside
			in.OverrideReason = "Hardship agreed with the finance director"
			nv, err := svc.RenegotiatePlan(admin, v.Plan.ID, in)
			if err != nil {
				t.Fatal(err)
			}
			if o := nv.Plan.PolicyOverride; o == nil || o.Reason != in.OverrideReason || len(o.Breaches) != len(outsideBreaches) {
				t.Errorf("override = %+v", o)
			}
		})
	}
}

// TestAcceptNegotiation_EngineMadePlanIsNotRefused: a plan that comes out
// of a negotiation is the engine's, within the policy by construction, and
// is not refused — here for the retail segment and its 10% down payment.
func TestAcceptNegotiation_EngineMadePlanIsNotRefused(t *testing.T) {
	for name, open := range docEngines {
		t.Run(name, func(t *testing.T) {
			svc, _, _ := bindService(t, open)
			n, err := svc.OpenNegotiation(bindAgent(), service.NegotiationInput{CustomerID: "RET-1"})
			if err != nil {
				t.Fatal(err)
			}
			got, err := svc.AcceptNegotiation(bindAgent(), n.Reply.ID, service.AcceptNegotiationInput{})
			if err != nil {
				t.Fatal(err)
			}
			if got.Plan == nil || got.Plan.Plan.PolicyOverride != nil {
				t.Fatalf("plan = %+v, want one without an override", got.Plan)
			}
		})
	}
}
