package collect

import (
	"fmt"
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
		if len(a.Subjects) > 0 {
			s += " [" + strings.Join(a.Subjects, ",") + "]"
		} else {
			s += " (" + strings.Join(a.InvoiceIDs, ",") + ")"
		}
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
	at := func(step string, on int, deadline int) map[money.Currency]Case {
		c := Case{Step: step, StepOn: due.AddDays(on)}
		if deadline > 0 {
			c.Deadline = due.AddDays(deadline)
		}
		return map[money.Currency]Case{"USD": c}
	}
	ev := done("a", StepInvoiceOverdue)
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
		{"+7 with no step taken: the first overdue step, never the firm one", CustomerState{Items: []Item{inv("a", due)}}, due.AddDays(7),
			[]string{"event invoice_overdue [a]", "message overdue email (a)"}},
		{"+75 with no step taken: still the first overdue step", CustomerState{Items: []Item{inv("a", due)}, Done: ev}, due.AddDays(75),
			[]string{"message overdue email (a)"}},
		{"+7 after the overdue step on +3: firm", CustomerState{Items: []Item{inv("a", due)}, Done: ev, Cases: at(StepOverdue, 3, 0)}, due.AddDays(7),
			[]string{"message firm email (a)", "message firm sms (a)"}},
		{"+8 after the firm step: nothing new", CustomerState{Items: []Item{inv("a", due)}, Done: ev, Cases: at(StepFirm, 7, 0)}, due.AddDays(8), nil},
		{"+14: a call task for an agent", CustomerState{Items: []Item{inv("a", due)}, Done: ev, Cases: at(StepFirm, 7, 0)}, due.AddDays(14),
			[]string{"task call call tier1 (a)"}},
		{"+30: demand letter and email", CustomerState{Items: []Item{inv("a", due)}, Done: ev, Cases: at(StepCall, 14, 0)}, due.AddDays(30),
			[]string{"message demand email (a)", "message demand letter (a)"}},
		{"+45 but the demand of +33 gave until +47: nothing", CustomerState{Items: []Item{inv("a", due)}, Done: ev, Cases: at(StepDemand, 33, 47)}, due.AddDays(45), nil},
		{"+48, after the demand's deadline: final notice", CustomerState{Items: []Item{inv("a", due)}, Done: ev, Cases: at(StepDemand, 33, 47)}, due.AddDays(48),
			[]string{"message final_notice email (a)", "message final_notice letter (a)"}},
		{"+60: legal review", CustomerState{Items: []Item{inv("a", due)}, Done: ev, Cases: at(StepFinal, 45, 59)}, due.AddDays(60),
			[]string{"task review review legal (a)"}},
		{"the case's debts are gone; a new invoice overdue since: a new case at the first step", CustomerState{Items: []Item{inv("b", due.AddDays(40))},
			Cases: at(StepDemand, 33, 47)}, due.AddDays(45),
			[]string{"event invoice_overdue [b]", "message overdue email (b)"}},
		{"the case's invoice is disputed, a new one overdue: the case goes on where it stood", CustomerState{Items: []Item{
			{InvoiceID: "a", DueDate: due, Balance: usd(1), Disputed: true}, inv("b", due.AddDays(40))},
			Done: done("b", StepInvoiceOverdue), Cases: at(StepDemand, 33, 47)}, due.AddDays(85), // b's +45
			[]string{"message final_notice email (b)", "message final_notice letter (b)"}},
		{"a new invoice coming due while the case is at its demand: no friendly reminder beside it", CustomerState{Items: []Item{inv("a", due), inv("n", due.AddDays(40))},
			Done: ev, Cases: at(StepDemand, 30, 44)}, due.AddDays(37), nil},
		{"a new invoice coming due while the case is at its first step: the reminder goes", CustomerState{Items: []Item{inv("a", due), inv("n", due.AddDays(7))},
			Done: ev, Cases: at(StepOverdue, 3, 0)}, due.AddDays(4), []string{"message reminder email [n]"}},
		{"+61 after the review: nothing more", CustomerState{Items: []Item{inv("a", due)}, Done: ev, Cases: at(StepReview, 60, 0)}, due.AddDays(61), nil},
		{"two invoices: one message for the case, listing both", CustomerState{Items: []Item{inv("a", due), inv("b", due.AddDays(4))},
			Done: done("a", StepInvoiceOverdue, "b", StepInvoiceOverdue), Cases: at(StepOverdue, 3, 0)}, due.AddDays(7),
			[]string{"message firm email (a,b)", "message firm sms (a,b)"}},
		{"paused: disputed, in a plan", CustomerState{Items: []Item{
			{InvoiceID: "d", DueDate: due, Balance: usd(1), Disputed: true},
			{InvoiceID: "p", DueDate: due, Balance: usd(1), InPlan: true}}}, due.AddDays(30), nil},
		{"a promise of 80% pauses the case", CustomerState{Items: []Item{inv("a", due)}, Done: ev,
			Promises: []Promise{{ID: "prm_1", Amount: usd(40000), DueDate: due.AddDays(20)}}}, due.AddDays(10), nil},
		{"a promise of 1.00 on 500.00 does not: the case goes on and an agent reviews it", CustomerState{Items: []Item{inv("a", due)}, Done: ev,
			Promises: []Promise{{ID: "prm_1", Amount: usd(100), DueDate: due.AddDays(20)}}}, due.AddDays(10),
			[]string{"message overdue email (a)", "task promise_review review tier1 [prm_1]"}},
		{"a small promise on a case already at its legal review: still reviewed by an agent", CustomerState{Items: []Item{inv("a", due)}, Done: ev,
			Cases: at(StepReview, 60, 0), Promises: []Promise{{ID: "prm_2", Amount: usd(100), DueDate: due.AddDays(70)}}}, due.AddDays(65),
			[]string{"task promise_review review tier1 [prm_2]"}},
		{"staff pause: nothing", CustomerState{Items: []Item{inv("a", due)}, Done: ev, Paused: true}, due.AddDays(10), nil},
		{"key account at the firm step: a senior agent's call, and the mail after it (3 days later)", CustomerState{KeyAccount: true, Items: []Item{inv("a", due)}, Done: ev,
			Cases: at(StepOverdue, 3, 0)}, due.AddDays(7),
			[]string{"message firm email (a)", "message firm sms (a)", "task firm call tier2 (a)"}},
		{"key account at the due date: mail as usual", CustomerState{KeyAccount: true, Items: []Item{inv("a", due)}}, due,
			[]string{"message due_today email [a]", "message due_today sms [a]"}},
		{"installment: reminder 3 days before, missed, defaulted plan", CustomerState{
			Installments: []Installment{
				{PlanID: "pln_1", Seq: 2, DueDate: due.AddDays(3), Outstanding: usd(10000)},
				{PlanID: "pln_2", Seq: 1, DueDate: due.AddDays(-10), Outstanding: usd(10000), Missed: true}},
			Defaulted: []DefaultedPlan{{PlanID: "pln_3"}}}, due,
			[]string{"event installment_missed [pln_2#1]", "event plan_defaulted [pln_3]", "message installment_missed email [pln_2#1]",
				"message installment_reminder email [pln_1#2]", "task plan_defaulted review tier1 [pln_3]"}},
		{"installment events once", CustomerState{
			Installments: []Installment{{PlanID: "pln_2", Seq: 1, DueDate: due.AddDays(-10), Missed: true}}, Defaulted: []DefaultedPlan{{PlanID: "pln_3"}},
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

// An account that enters settle 75 days late starts at the first overdue
// step and catches up at the minimum gaps (4 days), waiting out each
// deadline (14 days). Worked by hand from the default ladder: overdue on
// +75; firm +79; call +83; demand +87 (pay by +101); final notice +102
// (pay by +116); review +117.
func TestDue_CatchUpFromLateImport(t *testing.T) {
	due := civil.New(2026, 1, 5)
	s := CustomerState{Items: []Item{{InvoiceID: "a", Number: "A", DueDate: due, Balance: usd(750000)}},
		Done: map[string]map[string]bool{"a": {StepInvoiceOverdue: true}}}
	l := DefaultLadder()
	var got []string
	for day := 75; day <= 140; day++ {
		asOf := due.AddDays(day)
		as := Due(l, s, asOf)
		for _, a := range as {
			if a.Case != nil && a.Channel != SMS && a.Channel != Letter {
				got = append(got, fmt.Sprintf("+%d %s", day, a.Step))
			}
		}
		s = s.WithDone(as)
		// NextWake is never later than the next action.
		if w, ok := NextWake(l, s, asOf); ok {
			for d := asOf.AddDays(1); d.Before(w); d = d.AddDays(1) {
				if len(Due(l, s, d)) > 0 {
					t.Fatalf("NextWake on +%d says %s, but %s has actions", day, w, d)
				}
			}
		}
	}
	want := []string{"+75 overdue", "+79 firm", "+83 call", "+87 demand", "+102 final_notice", "+117 review"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
}

func TestDue_TaskPriorityOrdersByAmountRiskAndAge(t *testing.T) {
	due := civil.New(2026, 3, 10)
	task := func(amount int64, risk, age int) int64 {
		as := Due(DefaultLadder(), CustomerState{RiskScore: risk, Items: []Item{{InvoiceID: "a", DueDate: due, Balance: usd(amount)}},
			Done: map[string]map[string]bool{"a": {StepInvoiceOverdue: true}}, Cases: map[money.Currency]Case{"USD": {Step: StepFirm, StepOn: due.AddDays(7)}}}, due.AddDays(age))
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

// Invoices in two currencies: one consolidated message per currency, never
// a sum across them; a large balance or a risky customer sends an agent's
// task to the senior queue (risk only when the ladder sets senior_risk).
func TestDue_PerCurrencyAndSeniorQueue(t *testing.T) {
	due := civil.New(2026, 3, 10)
	s := CustomerState{Items: []Item{
		{InvoiceID: "u", DueDate: due, Balance: usd(100)},
		{InvoiceID: "e", DueDate: due, Balance: money.New(100, "EUR")}},
		Done:  map[string]map[string]bool{"u": {StepInvoiceOverdue: true}, "e": {StepInvoiceOverdue: true}},
		Cases: map[money.Currency]Case{"USD": {Step: StepOverdue, StepOn: due.AddDays(3)}, "EUR": {Step: StepOverdue, StepOn: due.AddDays(3)}}}
	got := brief(Due(DefaultLadder(), s, due.AddDays(7)))
	want := []string{"message firm email (e)", "message firm email (u)", "message firm sms (e)", "message firm sms (u)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("per currency (-want +got):\n%s", diff)
	}
	call := func(balance money.Amount, risk, seniorRisk int) string {
		l := DefaultLadder()
		l.SeniorRisk = seniorRisk
		st := CustomerState{RiskScore: risk, Items: []Item{{InvoiceID: "a", DueDate: due, Balance: balance}},
			Done:  map[string]map[string]bool{"a": {StepInvoiceOverdue: true}},
			Cases: map[money.Currency]Case{balance.Currency(): {Step: StepFirm, StepOn: due.AddDays(7)}}}
		for _, a := range Due(l, st, due.AddDays(14)) {
			if a.Kind == ActTask {
				return a.Queue
			}
		}
		return ""
	}
	if q := call(usd(100), 95, 0); q != "tier1" {
		t.Errorf("risk 95 without senior_risk: %s", q)
	}
	// 9,999.99 USD at risk 50: an agent; 10,000.00: a senior; risk 80 with senior_risk 80: a senior.
	if q := call(usd(999999), 50, 80); q != "tier1" {
		t.Errorf("9,999.99: %s", q)
	}
	if q := call(usd(1000000), 50, 0); q != "tier2" {
		t.Errorf("10,000.00: %s", q)
	}
	if q := call(usd(100), 80, 80); q != "tier2" {
		t.Errorf("risk 80: %s", q)
	}
	// Thresholds per currency: 511,000 JPY (about 3,400 USD) is not a large
	// account; 1,500,000 JPY is (the default table).
	if q := call(money.New(511000, "JPY"), 50, 0); q != "tier1" {
		t.Errorf("511,000 JPY: %s", q)
	}
	if q := call(money.New(1500000, "JPY"), 50, 0); q != "tier2" {
		t.Errorf("1,500,000 JPY: %s", q)
	}
}

// A key account's mail at a key_account_call step is scheduled after the
// personal call: KeyAccountMailDelayDays later; other customers' at once.
func TestDue_KeyAccountMailAfterTheCall(t *testing.T) {
	due := civil.New(2026, 3, 10)
	st := CustomerState{KeyAccount: true, Items: []Item{{InvoiceID: "a", DueDate: due, Balance: usd(100)}},
		Done: map[string]map[string]bool{"a": {StepInvoiceOverdue: true}}, Cases: map[money.Currency]Case{"USD": {Step: StepCall, StepOn: due.AddDays(14)}}}
	for _, key := range []bool{true, false} {
		st.KeyAccount = key
		for _, a := range Due(DefaultLadder(), st, due.AddDays(30)) {
			want := 0
			if key && a.Kind == ActMessage {
				want = 3
			}
			if a.Step != StepDemand || a.DelayDays != want {
				t.Errorf("key %v: %s %s %s delay %d, want demand delay %d", key, a.Kind, a.Step, a.Channel, a.DelayDays, want)
			}
		}
	}
}

// No statutory claim on a negligible remainder: the fee_minimum (100 major
// units by default) of the currency, hand-counted in minor units.
func TestLadder_FeeApplies(t *testing.T) {
	l := DefaultLadder()
	for _, c := range []struct {
		cur   money.Currency
		minor int64
		want  bool
	}{
		{"GBP", 9999, false}, {"GBP", 10000, true}, {"JPY", 99, false}, {"JPY", 100, true}, {"BHD", 99999, false}, {"BHD", 100000, true},
	} {
		if got := l.FeeApplies(c.cur, c.minor); got != c.want {
			t.Errorf("%d %s: %v, want %v", c.minor, c.cur, got, c.want)
		}
	}
	l.FeeMinimum = 500
	if l.FeeApplies("EUR", 49999) || !l.FeeApplies("EUR", 50000) {
		t.Error("fee_minimum 500 not honoured")
	}
}
