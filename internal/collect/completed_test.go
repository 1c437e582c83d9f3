package collect

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"settle/internal/civil"
	"settle/internal/money"
)

// A plan over invoices "a" and "b" is paid off by its last installment
// (150.00) on 10 August 2026. Day by day from 1 August to 31 August the
// customer gets exactly one thank-you, on 10 August, even while staff
// pause chasing; invoice "c" (due 1 September, 80.00) and "d" (EUR 40.00,
// disputed) are still open: the thank-you says so, per currency, the
// plan's first (USD 80.00, EUR 40.00: by hand).
func TestDue_PlanCompletedOnce(t *testing.T) {
	paidOn := civil.New(2026, 8, 10)
	cp := CompletedPlan{PlanID: "pln_1", CompletedOn: paidOn, InvoiceIDs: []string{"a", "b"}, FinalPayment: usd(15000), PaidOn: paidOn}
	s := CustomerState{Paused: true, Items: []Item{
		{InvoiceID: "d", Number: "N-d", DueDate: civil.New(2026, 7, 1), Balance: money.New(4000, "EUR"), Disputed: true},
		{InvoiceID: "c", Number: "N-c", DueDate: civil.New(2026, 9, 1), Balance: usd(8000)}}}
	l := DefaultLadder()
	var got []string
	for d := civil.New(2026, 8, 1); !d.After(civil.New(2026, 8, 31)); d = d.AddDays(1) {
		if !d.Before(paidOn) {
			s.Completed = []CompletedPlan{cp} // the run sees the plan completed from the day it was paid off
		}
		as := Due(l, s, d)
		for _, a := range as {
			if a.Step != StepPlanCompleted {
				continue
			}
			got = append(got, fmt.Sprintf("%s %s %s %v", d, a.Kind, a.Channel, a.Subjects))
			if a.Completed == nil || a.Completed.PlanID != "pln_1" || fmt.Sprint(a.Others) != "[80.00 40.00]" ||
				a.Others[0].Currency() != "USD" || a.Others[1].Currency() != "EUR" || a.Case != nil ||
				fmt.Sprint(a.SubjectSteps) != "["+StepCompletedNotice+"]" {
				t.Errorf("thank-you %+v, others %v", a, a.Others)
			}
		}
		s = s.WithDone(as)
	}
	if diff := cmp.Diff([]string{"2026-08-10 message email [pln_1]"}, got); diff != "" {
		t.Errorf("thank-yous (-want +got):\n%s", diff)
	}
}

// A plan paid off before the run first sees it: within CompletedNoticeDays
// (7) the thank-you still goes; a plan paid off 8 days or more ago (before
// the thank-you existed) gets none; a completion dated after the run's day
// none yet.
func TestDue_PlanCompletedWindow(t *testing.T) {
	paidOn := civil.New(2026, 8, 10)
	s := CustomerState{Completed: []CompletedPlan{{PlanID: "pln_1", CompletedOn: paidOn, InvoiceIDs: []string{"a"}, FinalPayment: usd(100), PaidOn: paidOn}}}
	for _, c := range []struct {
		asOf civil.Date
		want int
	}{{paidOn.AddDays(-1), 0}, {paidOn, 1}, {paidOn.AddDays(7), 1}, {paidOn.AddDays(8), 0}, {paidOn.AddDays(400), 0}} {
		n := 0
		for _, a := range Due(DefaultLadder(), s, c.asOf) {
			if a.Step == StepPlanCompleted {
				n++
				if len(a.Others) != 0 {
					t.Errorf("%s: others %v, want none", c.asOf, a.Others)
				}
			}
		}
		if n != c.want {
			t.Errorf("%s: %d thank-yous, want %d", c.asOf, n, c.want)
		}
	}
}

// A policy's ladder may not have a step named plan_completed.
func TestLadder_ValidateReservesPlanCompleted(t *testing.T) {
	l := DefaultLadder()
	l.Steps[1].Name = StepPlanCompleted
	err := l.Validate()
	if err == nil || !strings.Contains(err.Error(), "ladder.steps[1].name") || !strings.Contains(err.Error(), "reserved") {
		t.Errorf("Validate = %v, want ladder.steps[1].name reserved", err)
	}
}

// An open charge (a late fee of 15.00 posted for a missed installment, or
// a statutory claim) is owed: a thank-you counts it in what is still
// open (65.00 = 50.00 invoice + 15.00 fee, by hand); the plan's own
// invoices are not counted.
func TestOtherBalances_CountsCharges(t *testing.T) {
	cp := CompletedPlan{PlanID: "pln_1", InvoiceIDs: []string{"a"}, FinalPayment: usd(100)}
	s := CustomerState{Items: []Item{{InvoiceID: "a", Balance: usd(700)}, {InvoiceID: "b", Balance: usd(5000)}},
		Charges: []Item{{InvoiceID: "fee", Balance: usd(1500)}}}
	if got := fmt.Sprint(OtherBalances(s, cp)); got != "[65.00]" {
		t.Errorf("OtherBalances = %s, want [65.00]", got)
	}
}
