package collect

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"settle/internal/civil"
	"settle/internal/money"
)

// A plan over invoice "a" (due 10 March, 500.00) was agreed on 1 April;
// installments 1 (15 April) and 2 (15 May) were missed and the plan
// defaulted on 21 May (the second miss, grace 5 days). Worked by hand
// from the default ladder: the default notice goes on 21 May with a
// deadline of 21 May + 14 = 4 June; the case then resumes at the first
// step that is a person's (the +14 call), on the day after the deadline
// (5 June), and the demand follows the call by the minimum gap (9 June).
func TestDue_PlanDefaultNotice(t *testing.T) {
	due := civil.New(2026, 3, 10)
	defaultOn := civil.New(2026, 5, 21)
	item := func(inPlan bool) Item {
		return Item{InvoiceID: "a", Number: "N-a", DueDate: due, Balance: usd(50000), InPlan: inPlan}
	}
	dp := DefaultedPlan{PlanID: "pln_1", AgreedOn: civil.New(2026, 4, 1), DefaultedOn: defaultOn, InvoiceIDs: []string{"a"},
		Missed: []Installment{
			{PlanID: "pln_1", Seq: 1, DueDate: civil.New(2026, 4, 15), Outstanding: usd(16667), Missed: true},
			{PlanID: "pln_1", Seq: 2, DueDate: civil.New(2026, 5, 15), Outstanding: usd(16667), Missed: true}}}
	done := func(pairs ...string) map[string]map[string]bool {
		m := map[string]map[string]bool{}
		for i := 0; i+1 < len(pairs); i += 2 {
			if m[pairs[i]] == nil {
				m[pairs[i]] = map[string]bool{}
			}
			m[pairs[i]][pairs[i+1]] = true
		}
		return m
	}
	noticeCase := Case{Step: StepPlanDefaulted, StepOn: defaultOn, Deadline: civil.New(2026, 6, 4)}
	tests := []struct {
		name  string
		state CustomerState
		asOf  civil.Date
		want  []string
		// wantCase is the case the notice leaves (zero: no notice).
		wantCase Case
	}{
		{"the default day: the event, the notice (not an overdue reminder) and the review", CustomerState{Items: []Item{item(false)},
			Defaulted: []DefaultedPlan{dp}, Done: done("a", StepInvoiceOverdue)}, defaultOn,
			[]string{"event plan_defaulted [pln_1]", "message plan_defaulted email [pln_1]", "task plan_defaulted review tier1 [pln_1]"}, noticeCase},
		{"an earlier case at its first step does not send beside the notice", CustomerState{Items: []Item{item(false)},
			Defaulted: []DefaultedPlan{dp}, Done: done("a", StepInvoiceOverdue, "pln_1", StepPlanDefaulted),
			Cases: map[money.Currency]Case{"USD": {Step: StepOverdue, StepOn: due.AddDays(3)}}}, defaultOn,
			[]string{"message plan_defaulted email [pln_1]"}, noticeCase},
		{"the notice once: the next day nothing", CustomerState{Items: []Item{item(false)}, Defaulted: []DefaultedPlan{dp},
			Done:  done("a", StepInvoiceOverdue, "pln_1", StepPlanDefaulted, "pln_1", StepDefaultNotice),
			Cases: map[money.Currency]Case{"USD": noticeCase}}, defaultOn.AddDays(1), nil, Case{}},
		{"within the minimum gap: nothing", CustomerState{Items: []Item{item(false)}, Defaulted: []DefaultedPlan{dp},
			Done:  done("a", StepInvoiceOverdue, "pln_1", StepPlanDefaulted, "pln_1", StepDefaultNotice),
			Cases: map[money.Currency]Case{"USD": noticeCase}}, defaultOn.AddDays(4), nil, Case{}},
		{"on the deadline: still nothing (no demand, no reminder)", CustomerState{Items: []Item{item(false)}, Defaulted: []DefaultedPlan{dp},
			Done:  done("a", StepInvoiceOverdue, "pln_1", StepPlanDefaulted, "pln_1", StepDefaultNotice),
			Cases: map[money.Currency]Case{"USD": noticeCase}}, civil.New(2026, 6, 4), nil, Case{}},
		{"the day after the deadline: the call", CustomerState{Items: []Item{item(false)}, Defaulted: []DefaultedPlan{dp},
			Done:  done("a", StepInvoiceOverdue, "pln_1", StepPlanDefaulted, "pln_1", StepDefaultNotice),
			Cases: map[money.Currency]Case{"USD": noticeCase}}, civil.New(2026, 6, 5), []string{"task call call tier1 (a)"}, Case{}},
		{"a case already at its demand keeps it: the notice moves the deadline, never a step back", CustomerState{Items: []Item{item(false)},
			Defaulted: []DefaultedPlan{dp}, Done: done("a", StepInvoiceOverdue, "pln_1", StepPlanDefaulted),
			Cases: map[money.Currency]Case{"USD": {Step: StepDemand, StepOn: due.AddDays(30), Deadline: due.AddDays(44)}}}, defaultOn,
			[]string{"message plan_defaulted email [pln_1]"}, Case{Step: StepDemand, StepOn: defaultOn, Deadline: civil.New(2026, 6, 4)}},
		{"paid in full before the notice: no notice", CustomerState{Defaulted: []DefaultedPlan{dp},
			Done: done("pln_1", StepPlanDefaulted)}, defaultOn, nil, Case{}},
		{"a new plan covers the invoices: no notice", CustomerState{Items: []Item{item(true)}, Defaulted: []DefaultedPlan{dp},
			Done: done("pln_1", StepPlanDefaulted)}, defaultOn, nil, Case{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acts := Due(DefaultLadder(), tt.state, tt.asOf)
			if diff := cmp.Diff(tt.want, brief(acts)); diff != "" {
				t.Errorf("Due (-want +got):\n%s", diff)
			}
			for _, a := range acts {
				if a.Step != StepPlanDefaulted || a.Kind != ActMessage {
					continue
				}
				if a.Case == nil || *a.Case != tt.wantCase {
					t.Errorf("notice case = %+v, want %+v", a.Case, tt.wantCase)
				}
				if !a.PayBy.Equal(civil.New(2026, 6, 4)) || a.Default == nil || a.Default.PlanID != "pln_1" || len(a.Default.Missed) != 2 {
					t.Errorf("notice pay-by %s, default %+v", a.PayBy, a.Default)
				}
				if fmt.Sprint(a.InvoiceIDs) != "[a]" || a.Currency != "USD" || fmt.Sprint(a.SubjectSteps) != "["+StepDefaultNotice+"]" {
					t.Errorf("notice invoices %v, currency %s, recorded as %v", a.InvoiceIDs, a.Currency, a.SubjectSteps)
				}
			}
		})
	}
}

// Day by day from the default: the customer hears the notice, then
// nothing until its deadline has passed, then the case's next steps at
// the ladder's pace — never a friendly first reminder, never a demand
// before the notice's deadline (4 June). By hand: notice 21 May (pay by
// 4 June); call 5 June; demand 9 June (call + 4; pay by 23 June); final
// notice 24 June (pay by 8 July); review 9 July.
func TestDue_AfterDefaultDayByDay(t *testing.T) {
	due := civil.New(2026, 3, 10)
	defaultOn := civil.New(2026, 5, 21)
	s := CustomerState{Items: []Item{{InvoiceID: "a", Number: "N-a", DueDate: due, Balance: usd(50000)}},
		Defaulted: []DefaultedPlan{{PlanID: "pln_1", AgreedOn: civil.New(2026, 4, 1), DefaultedOn: defaultOn, InvoiceIDs: []string{"a"},
			Missed: []Installment{{PlanID: "pln_1", Seq: 1, DueDate: civil.New(2026, 4, 15), Outstanding: usd(25000), Missed: true}}}},
		Done: map[string]map[string]bool{"a": {StepInvoiceOverdue: true}}}
	l := DefaultLadder()
	var got []string
	for d := defaultOn; !d.After(civil.New(2026, 7, 31)); d = d.AddDays(1) {
		as := Due(l, s, d)
		for _, a := range as {
			if a.Kind != ActEvent && a.Channel != Letter {
				got = append(got, fmt.Sprintf("%s %s %s", d, a.Step, a.Channel))
			}
		}
		s = s.WithDone(as)
		if w, ok := NextWake(l, s, d); ok {
			for x := d.AddDays(1); x.Before(w); x = x.AddDays(1) {
				if len(Due(l, s, x)) > 0 {
					t.Fatalf("NextWake on %s says %s, but %s has actions", d, w, x)
				}
			}
		}
	}
	want := []string{
		"2026-05-21 plan_defaulted email", "2026-05-21 plan_defaulted review",
		"2026-06-05 call call", "2026-06-09 demand email", "2026-06-24 final_notice email", "2026-07-09 review review"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after the default (-want +got):\n%s", diff)
	}
}

// A case stands at plan_defaulted after a default notice: a policy's
// ladder may not have a step of that name.
func TestLadder_ValidateReservesPlanDefaulted(t *testing.T) {
	l := DefaultLadder()
	l.Steps[2].Name = StepPlanDefaulted
	err := l.Validate()
	if err == nil || !strings.Contains(err.Error(), "ladder.steps[2].name") || !strings.Contains(err.Error(), "reserved") {
		t.Errorf("Validate = %v, want ladder.steps[2].name reserved", err)
	}
}
