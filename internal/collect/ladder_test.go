package collect

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/money"
)

func usd(minor int64) money.Amount { return money.New(minor, "USD") }

// brief renders actions as "kind step channel queue [subjects]" lines.
func brief(as []Action) []string {
	var out []string
	for _, a := range as {
		s := a.Kind + " " + a.Step
		if a.Channel != "" {
			s += " " + a.Channel
		}
		if a.Queue != "" {
			s += " " + a.Queue
		}
		s += " [" + strings.Join(a.Subjects, ",") + "]"
		out = append(out, s)
	}
	return out
}

func TestDue_Ladder(t *testing.T) {
	due := civil.New(2026, 3, 10)
	inv := func(id string, due civil.Date) Item {
		return Item{InvoiceID: id, Number: "N-" + id, DueDate: due, Balance: usd(50000)}
	}
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
	tests := []struct {
		name  string
		state CustomerState
		asOf  civil.Date
		want  []string
	}{
		{"too early: nothing", CustomerState{Items: []Item{inv("a", due)}}, due.AddDays(-4), nil},
		{"3 days before: reminder by email", CustomerState{Items: []Item{inv("a", due)}}, due.AddDays(-3),
			[]string{"message reminder email [a]"}},
		{"due date: email and sms", CustomerState{Items: []Item{inv("a", due)}, Done: done("a", StepReminder)}, due,
			[]string{"message due_today email [a]", "message due_today sms [a]"}},
		{"+1: only the overdue event (the +3 step is not reached)", CustomerState{Items: []Item{inv("a", due)}, Done: done("a", StepReminder, "a", StepDueToday)}, due.AddDays(1),
			[]string{"event invoice_overdue [a]"}},
		{"+7 with nothing done: the firm step only, no catch-up barrage", CustomerState{Items: []Item{inv("a", due)}}, due.AddDays(7),
			[]string{"event invoice_overdue [a]", "message firm email [a]", "message firm sms [a]"}},
		{"+8 after the firm step: nothing new", CustomerState{Items: []Item{inv("a", due)}, Done: done("a", StepFirm, "a", StepInvoiceOverdue)}, due.AddDays(8), nil},
		{"+14: a call task for an agent", CustomerState{Items: []Item{inv("a", due)}, Done: done("a", StepFirm, "a", StepInvoiceOverdue)}, due.AddDays(14),
			[]string{"task call call tier1 [a]"}},
		{"+30: demand letter and email", CustomerState{Items: []Item{inv("a", due)}, Done: done("a", StepCall, "a", StepInvoiceOverdue)}, due.AddDays(30),
			[]string{"message demand email [a]", "message demand letter [a]"}},
		{"+45: final notice", CustomerState{Items: []Item{inv("a", due)}, Done: done("a", StepDemand, "a", StepInvoiceOverdue)}, due.AddDays(45),
			[]string{"message final_notice email [a]", "message final_notice letter [a]"}},
		{"+60: legal review", CustomerState{Items: []Item{inv("a", due)}, Done: done("a", StepFinal, "a", StepInvoiceOverdue)}, due.AddDays(60),
			[]string{"task review review legal [a]"}},
		{"two invoices: one consolidated message at the most severe step", CustomerState{Items: []Item{inv("a", due), inv("b", due.AddDays(4))},
			Done: done("a", StepInvoiceOverdue, "b", StepInvoiceOverdue)}, due.AddDays(7),
			[]string{"message firm email [a,b]", "message firm sms [a,b]"}},
		{"paused: disputed, in a plan, promised", CustomerState{Items: []Item{
			{InvoiceID: "d", DueDate: due, Balance: usd(1), Disputed: true},
			{InvoiceID: "p", DueDate: due, Balance: usd(1), InPlan: true},
			{InvoiceID: "q", DueDate: due, Balance: usd(1), Promised: true}}}, due.AddDays(30), nil},
		{"key account at the firm step: a senior agent's call instead of mail", CustomerState{KeyAccount: true, Items: []Item{inv("a", due)}, Done: done("a", StepInvoiceOverdue)}, due.AddDays(7),
			[]string{"task firm call tier2 [a]"}},
		{"key account at the due date: mail as usual", CustomerState{KeyAccount: true, Items: []Item{inv("a", due)}}, due,
			[]string{"message due_today email [a]", "message due_today sms [a]"}},
		{"installment: reminder 3 days before, missed, defaulted plan", CustomerState{
			Installments: []Installment{
				{PlanID: "pln_1", Seq: 2, DueDate: due.AddDays(3), Outstanding: usd(10000)},
				{PlanID: "pln_2", Seq: 1, DueDate: due.AddDays(-10), Outstanding: usd(10000), Missed: true}},
			Defaulted: []string{"pln_3"}}, due,
			[]string{"event installment_missed [pln_2#1]", "event plan_defaulted [pln_3]", "message installment_missed email [pln_2#1]",
				"message installment_reminder email [pln_1#2]", "task plan_defaulted review tier1 [pln_3]"}},
		{"installment events once", CustomerState{
			Installments: []Installment{{PlanID: "pln_2", Seq: 1, DueDate: due.AddDays(-10), Missed: true}}, Defaulted: []string{"pln_3"},
			Done: done("pln_2#1", StepInstallmentMissed, "pln_3", StepPlanDefaulted)}, due, nil},
		{"installment 4 days ahead: not yet", CustomerState{Installments: []Installment{{PlanID: "pln_1", Seq: 1, DueDate: due.AddDays(4)}}}, due, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := brief(Due(DefaultLadder(), tt.state, tt.asOf))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Due (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDue_TaskPriorityOrdersByAmountRiskAndAge(t *testing.T) {
	due := civil.New(2026, 3, 10)
	task := func(amount int64, risk, age int) int64 {
		as := Due(DefaultLadder(), CustomerState{RiskScore: risk, Items: []Item{{InvoiceID: "a", DueDate: due, Balance: usd(amount)}},
			Done: map[string]map[string]bool{"a": {StepFirm: true, StepInvoiceOverdue: true}}}, due.AddDays(age))
		for _, a := range as {
			if a.Kind == ActTask {
				return a.Priority
			}
		}
		t.Fatalf("no task at +%d", age)
		return 0
	}
	// 500.00 at risk 50, 14 days: 50000 × 1.5 × (1 + 14/30) = 110000.
	if p := task(50000, 50, 14); p != 110000 {
		t.Errorf("priority %d, want 110000", p)
	}
	if !(task(60000, 50, 14) > task(50000, 50, 14) && task(50000, 60, 14) > task(50000, 50, 14) && task(50000, 50, 20) > task(50000, 50, 14)) {
		t.Error("priority does not grow with amount, risk and age")
	}
}

func TestLadder_Validate(t *testing.T) {
	if err := DefaultLadder().Validate(); err != nil {
		t.Fatalf("default ladder: %v", err)
	}
	bad := Ladder{InstallmentReminderDays: 40, Steps: []LadderStep{
		{Name: "a", Offset: 5, Via: []string{Email}},
		{Name: "a", Offset: 3, Via: []string{"pigeon"}, Tier: 4, Fee: "huge"},
	}}
	err := bad.Validate()
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.Invalid {
		t.Fatalf("Validate = %v", err)
	}
	var fields []string
	for _, f := range e.Fields {
		fields = append(fields, f.Field)
	}
	want := []string{"ladder.steps[1].name", "ladder.steps[1].offset_days", "ladder.steps[1].channels", "ladder.steps[1].tier", "ladder.steps[1].fee", "ladder.installment_reminder_days"}
	if diff := cmp.Diff(want, fields); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
}

// A consolidated message records each invoice's own step: b reached only
// +3 (overdue) when a reached +7 (firm), so tomorrow b is not due again
// for +3, and on +7 for b its firm step is.
func TestDue_ConsolidatedRecordsEachOwnStep(t *testing.T) {
	due := civil.New(2026, 3, 10)
	s := CustomerState{Items: []Item{
		{InvoiceID: "a", DueDate: due, Balance: usd(100)},
		{InvoiceID: "b", DueDate: due.AddDays(4), Balance: usd(100)}},
		Done: map[string]map[string]bool{"a": {StepInvoiceOverdue: true}, "b": {StepInvoiceOverdue: true}}}
	as := Due(DefaultLadder(), s, due.AddDays(7))
	if len(as) == 0 || as[0].Step != StepFirm {
		t.Fatalf("actions %v", brief(as))
	}
	if diff := cmp.Diff([]string{StepFirm, StepOverdue}, as[0].SubjectSteps); diff != "" {
		t.Errorf("subject steps (-want +got):\n%s", diff)
	}
	s.Done["a"][StepFirm], s.Done["b"][StepOverdue] = true, true
	if got := brief(Due(DefaultLadder(), s, due.AddDays(8))); len(got) != 0 {
		t.Errorf("the next day: %v", got)
	}
	if got := brief(Due(DefaultLadder(), s, due.AddDays(11))); !cmp.Equal(got, []string{"message firm email [b]", "message firm sms [b]"}) {
		t.Errorf("b's firm step: %v", got)
	}
}

// Invoices in two currencies: one consolidated message per currency, never
// a sum across them; a large balance or a risky customer sends an agent's
// task to the senior queue (risk only when the ladder sets senior_risk).
func TestDue_PerCurrencyAndSeniorQueue(t *testing.T) {
	due := civil.New(2026, 3, 10)
	s := CustomerState{Items: []Item{
		{InvoiceID: "u", DueDate: due, Balance: usd(100)},
		{InvoiceID: "e", DueDate: due, Balance: money.New(100, "EUR")}},
		Done: map[string]map[string]bool{"u": {StepInvoiceOverdue: true}, "e": {StepInvoiceOverdue: true}}}
	got := brief(Due(DefaultLadder(), s, due.AddDays(7)))
	want := []string{"message firm email [e]", "message firm email [u]", "message firm sms [e]", "message firm sms [u]"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("per currency (-want +got):\n%s", diff)
	}
	call := func(balance int64, risk, seniorRisk int) string {
		l := DefaultLadder()
		l.SeniorRisk = seniorRisk
		st := CustomerState{RiskScore: risk, Items: []Item{{InvoiceID: "a", DueDate: due, Balance: usd(balance)}},
			Done: map[string]map[string]bool{"a": {StepFirm: true, StepInvoiceOverdue: true}}}
		for _, a := range Due(l, st, due.AddDays(14)) {
			if a.Kind == ActTask {
				return a.Queue
			}
		}
		return ""
	}
	if q := call(100, 95, 0); q != "tier1" {
		t.Errorf("risk 95 without senior_risk: %s", q)
	}
	// 9,999.99 USD at risk 50: an agent; 10,000.00: a senior; risk 80 with senior_risk 80: a senior.
	if q := call(999999, 50, 80); q != "tier1" {
		t.Errorf("9,999.99: %s", q)
	}
	if q := call(1000000, 50, 0); q != "tier2" {
		t.Errorf("10,000.00: %s", q)
	}
	if q := call(100, 80, 80); q != "tier2" {
		t.Errorf("risk 80: %s", q)
	}
}
