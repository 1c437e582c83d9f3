package service

import (
	"testing"

	"settle/internal/civil"
	"settle/internal/collect"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/store"
)

// The reason a queued plan message is withdrawn says what is true of its
// installment or plan (hand-written expectations for each fate).
func TestInstallmentGone(t *testing.T) {
	for _, tt := range []struct {
		fate planFate
		want string
	}{
		{planFate{}, "plan pln_1 not found"},
		{planFate{found: true, status: "active"}, "installment 2 of plan pln_1 is paid"},
		{planFate{found: true, status: "defaulted", defaultedOn: civil.New(2026, 7, 16)}, "installment 2: plan pln_1 ended: it defaulted on 2026-07-16"},
		{planFate{found: true, status: "completed"}, "installment 2: plan pln_1 is completed: paid off"},
		{planFate{found: true, status: "superseded"}, "installment 2: plan pln_1 was superseded: renegotiated as a new plan"},
		{planFate{found: true, status: "cancelled"}, "installment 2: plan pln_1 was cancelled"},
	} {
		if got := installmentGone("pln_1", 2, tt.fate); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.fate, got, tt.want)
		}
	}
}

// A queued default notice: held while the plan's invoice is open; else
// withdrawn as paid in full, covered by a new plan, disputed, or with
// what became of the plan.
func TestRecheckDefaultNotice(t *testing.T) {
	gbp := func(minor int64) money.Amount { return money.New(minor, "GBP") }
	dp := collect.DefaultedPlan{PlanID: "pln_1", AgreedOn: civil.New(2026, 5, 15), DefaultedOn: civil.New(2026, 7, 16), InvoiceIDs: []string{"inv_1"},
		Missed: []collect.Installment{{PlanID: "pln_1", Seq: 1, DueDate: civil.New(2026, 6, 10), Outstanding: gbp(10000), Missed: true}}}
	item := collect.Item{InvoiceID: "inv_1", Number: "R-INV", DueDate: civil.New(2026, 5, 1), Balance: gbp(30000)}
	state := func(items []collect.Item, defaulted []collect.DefaultedPlan, plans map[string]planFate, inPlans map[string]string) runState {
		return runState{CustomerState: collect.CustomerState{Items: items, Defaulted: defaulted}, plans: plans, inPlans: inPlans,
			ledger: []ledger.Invoice{{ID: "inv_1", Number: "R-INV"}}}
	}
	covered, disputed := item, item
	covered.InPlan, disputed.Disputed = true, true
	msg := store.Message{Step: collect.StepPlanDefaulted, Context: store.MessageContext{PlanID: "pln_1", Currency: "GBP", InvoiceIDs: []string{"inv_1"}}}
	for _, tt := range []struct {
		name string
		st   runState
		want string
	}{
		{"still open: held", state([]collect.Item{item}, []collect.DefaultedPlan{dp}, nil, nil), ""},
		{"paid", state(nil, []collect.DefaultedPlan{dp}, nil, nil), "the remaining balance of plan pln_1 was paid in full (R-INV paid or credited)"},
		{"a new plan", state([]collect.Item{covered}, []collect.DefaultedPlan{dp}, nil, map[string]string{"inv_1": "pln_2"}),
			"invoice R-INV is covered by a new payment plan (pln_2)"},
		{"disputed", state([]collect.Item{disputed}, []collect.DefaultedPlan{dp}, nil, nil), "invoice R-INV disputed"},
		{"superseded", state([]collect.Item{covered}, nil, map[string]planFate{"pln_1": {found: true, status: "superseded"}}, nil),
			"plan pln_1 was superseded: renegotiated as a new plan"},
		{"cancelled", state([]collect.Item{item}, nil, map[string]planFate{"pln_1": {found: true, status: "cancelled"}}, nil), "plan pln_1 was cancelled"},
		{"gone", state([]collect.Item{item}, nil, map[string]planFate{"pln_1": {}}, nil), "plan pln_1 not found"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			act, reason, revert := recheck(collect.DefaultLadder(), tt.st, nil, nil, nil, msg, civil.New(2026, 7, 18))
			if reason != tt.want || revert {
				t.Errorf("reason %q (revert %v), want %q", reason, revert, tt.want)
			}
			if tt.want == "" && (act.Default == nil || act.Default.PlanID != "pln_1" || len(act.InvoiceIDs) != 1 || act.Currency != "GBP") {
				t.Errorf("held notice renders from %+v", act)
			}
		})
	}
}

// A queued thank-you: held while its plan is completed (rendered with
// what is open now on other invoices, even during a staff pause); else
// withdrawn with what became of the plan — a payment it counted was
// reversed (an installment unpaid again), defaulted, superseded, gone.
func TestRecheckCompletion(t *testing.T) {
	eur := func(minor int64) money.Amount { return money.New(minor, "EUR") }
	paid := civil.New(2026, 8, 10)
	cp := collect.CompletedPlan{PlanID: "pln_1", CompletedOn: paid, InvoiceIDs: []string{"inv_1"}, InvoiceNumbers: []string{"R-INV"},
		FinalPayment: eur(10000), PaidOn: paid}
	other := collect.Item{InvoiceID: "inv_2", Number: "R-2", DueDate: civil.New(2026, 9, 1), Balance: eur(12050)}
	msg := store.Message{Step: collect.StepPlanCompleted, Context: store.MessageContext{PlanID: "pln_1", Currency: "EUR"}}
	for _, tt := range []struct {
		name string
		st   runState
		want string
	}{
		{"still completed, paused: held", runState{CustomerState: collect.CustomerState{Paused: true, Items: []collect.Item{other},
			Completed: []collect.CompletedPlan{cp}}}, ""},
		{"a payment reversed", runState{CustomerState: collect.CustomerState{Items: []collect.Item{other}, Installments: []collect.Installment{
			{PlanID: "pln_1", Seq: 3, DueDate: paid, Outstanding: eur(10000)}}}, plans: map[string]planFate{"pln_1": {found: true, status: "active"}}},
			"plan pln_1 is no longer paid off: installment 3 (due 2026-08-10) has 100.00 EUR unpaid again"},
		{"defaulted", runState{plans: map[string]planFate{"pln_1": {found: true, status: "defaulted", defaultedOn: civil.New(2026, 8, 16)}}},
			"plan pln_1 ended: it defaulted on 2026-08-16"},
		{"superseded", runState{plans: map[string]planFate{"pln_1": {found: true, status: "superseded"}}},
			"plan pln_1 was superseded: renegotiated as a new plan"},
		{"gone", runState{plans: map[string]planFate{"pln_1": {}}}, "plan pln_1 not found"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			act, reason, revert := recheck(collect.DefaultLadder(), tt.st, nil, nil, nil, msg, civil.New(2026, 8, 11))
			if reason != tt.want || revert {
				t.Errorf("reason %q (revert %v), want %q", reason, revert, tt.want)
			}
			if tt.want == "" && (act.Completed == nil || act.Completed.PlanID != "pln_1" || len(act.Others) != 1 || act.Others[0] != eur(12050)) {
				t.Errorf("held thank-you renders from %+v", act)
			}
		})
	}
}
